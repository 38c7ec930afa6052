/**
 * Threads started on a bundle of their module (src/worker-thread.ts, issue 14): the replay's
 * decode worker bundles and answers; a module graph that locates files from import.meta is
 * not bundled (it starts through tsx).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bundledModule, startThreadClient } from '../src/worker-thread.ts';
import { CoincideError } from '../src/errors.ts';

describe('worker threads on a bundle', () => {
  test('the replay decode worker is bundled into a data: URL and answers requests', async () => {
    const module = new URL('../src/replay/decode-worker.ts', import.meta.url);
    const bundled = bundledModule(module);
    assert.equal(bundled?.protocol, 'data:');
    assert.equal(bundledModule(module), bundled, 'built once per process');
    const client = startThreadClient<string[], unknown[]>(module, {
      bundle: true,
      requestFailed: (message) => new CoincideError('AVRO_MALFORMED', message),
      threadFailed: (reason) => new CoincideError('AVRO_MALFORMED', reason),
    });
    try {
      assert.deepEqual(await client.call(['/nonexistent/file.avro']), [
        { kind: 'failed', message: "ENOENT: no such file or directory, open '/nonexistent/file.avro'" },
      ]);
    } finally {
      await client.close();
    }
  });

  test('a module graph that locates files from import.meta is not bundled', () => {
    assert.equal(
      bundledModule(new URL('../src/ingest/validation-thread-worker.ts', import.meta.url)),
      undefined,
    );
  });
});

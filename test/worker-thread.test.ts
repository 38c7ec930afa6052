/**
 * Threads started on a bundle of their module (src/worker-thread.ts, issue 14): the archive
 * import's worker bundles and answers; a module graph that locates files from import.meta is
 * not bundled (it starts through tsx); a bundled thread is started without the tsx loader flags
 * of the process (`npx tsx`, `node --import tsx`), and with its other flags.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bundledModule, startThreadClient, withoutTsxLoader } from '../src/worker-thread.ts';
import { CoincideError } from '../src/errors.ts';
import {
  prepareImportDocument,
  type ImportDocument,
  type PreparedDocument,
} from '../src/archive/import-prepare.ts';

describe('worker threads on a bundle', () => {
  test('the archive import worker is bundled into a data: URL and answers requests', async () => {
    const module = new URL('../src/archive/import-worker.ts', import.meta.url);
    const bundled = bundledModule(module);
    assert.equal(bundled?.protocol, 'data:');
    assert.equal(bundledModule(module), bundled, 'built once per process');
    const levelsPct = [50, 90];
    const client = startThreadClient<ImportDocument[], PreparedDocument[]>(module, {
      bundle: true,
      workerData: { levelsPct },
      requestFailed: (message) => new CoincideError('STORE_WRITE', message),
      threadFailed: (reason) => new CoincideError('STORE_WRITE', reason),
    });
    const docs: ImportDocument[] = [
      { name: 'not-xml.bin', bytes: new Uint8Array([1, 2, 3]) },
      { name: 'empty.xml', bytes: new TextEncoder().encode('<?xml version="1.0"?><a/>') },
    ];
    try {
      // The thread answers what the same function answers in this thread.
      assert.deepEqual(
        await client.call(docs),
        docs.map((doc) => prepareImportDocument(doc, levelsPct)),
      );
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

  test('a bundled thread gets the process flags without those that load tsx', () => {
    assert.deepEqual(
      withoutTsxLoader([
        '--require',
        '/repo/node_modules/tsx/dist/preflight.cjs',
        '--import',
        'file:///repo/node_modules/tsx/dist/loader.mjs',
        '--expose-gc',
      ]),
      ['--expose-gc'],
    );
    assert.deepEqual(
      withoutTsxLoader([
        '--import',
        'tsx',
        '--max-old-space-size=100',
        '--import=tsx',
        '--require',
        './other.cjs',
      ]),
      ['--max-old-space-size=100', '--require', './other.cjs'],
    );
    assert.deepEqual(withoutTsxLoader(['--import', './tsxlike.mjs', '--cpu-prof']), [
      '--import',
      './tsxlike.mjs',
      '--cpu-prof',
    ]);
  });
});

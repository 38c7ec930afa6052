import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCoincide, startServe } from '../e2e/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-serve-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('coincide serve', () => {
  it('logs one listening line per listener with the chosen port, serves, and exits 0 on SIGTERM', async () => {
    const serve = await startServe({ dbPath: join(dir, 'serve.db') });
    for (const port of Object.values(serve.ports)) assert.ok(port > 0);
    const health = await fetch(`http://127.0.0.1:${serve.ports.http}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await serve.stop('SIGTERM'), 0);
    assert.ok(serve.logs.some((line) => line.includes('"msg":"stopped"')));
  });

  it('reads its configuration from a JSON file named by --config', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ localIvo: 'ivo://example.test/coincide', log: { level: 'debug' } }),
    );
    const serve = await startServe({ dbPath: join(dir, 'file.db'), args: ['--config', config] });
    assert.equal(await serve.stop('SIGTERM'), 0);
  });

  it('refuses an invalid flag value with exit code 2 and one line on stderr naming it', async () => {
    const result = await runCoincide(['serve', '--db', join(dir, 'bad.db'), '--http-port', '99999']);
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /--http-port/);
  });

  it('refuses an invalid environment value with exit code 2', async () => {
    const result = await runCoincide(['serve', '--db', join(dir, 'bad.db')], { COINCIDE_REMOTES: 'nohost' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /COINCIDE_REMOTES/);
  });

  it('exits 2 with one line when a port is already taken', async () => {
    const first = await startServe({ dbPath: join(dir, 'taken.db') });
    try {
      const result = await runCoincide([
        'serve',
        '--db',
        join(dir, 'taken2.db'),
        '--listen-host',
        '127.0.0.1',
        '--http-port',
        String(first.ports.http),
        '--receive-port',
        '0',
        '--broadcast-port',
        '0',
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});

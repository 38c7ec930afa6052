/**
 * /metrics on a loopback address of its own (--metrics-listen): served without a token there,
 * while the API's /metrics still needs a metrics-scoped token; non-loopback binds refused unless
 * explicitly allowed; `coincide serve` with a non-loopback address exits 2 with one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { isCoincideError } from '../../src/errors.ts';
import { isLoopbackHost, parseMetricsListen } from '../../src/http/metrics-listener.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { runCoincide } from '../e2e/serve-process.ts';
import { startTestApp } from './start-app.ts';

describe('metrics.listen', () => {
  it('parses HOST:PORT and [IPv6]:PORT, and refuses non-loopback hosts unless allowed', () => {
    assert.deepEqual(parseMetricsListen('127.0.0.1:9464', false), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseMetricsListen('[::1]:0', false), { host: '::1', port: 0 });
    assert.deepEqual(parseMetricsListen('localhost:9464', false), { host: 'localhost', port: 9464 });
    for (const bad of ['0.0.0.0:9464', '[::]:9464', '10.1.2.3:9464', 'example.org:9464', '192.168.1.1:1']) {
      assert.throws(
        () => parseMetricsListen(bad, false),
        (e: unknown) => isCoincideError(e) && e.code === 'CONFIG_INVALID' && /not a loopback/.test(e.message),
        bad,
      );
    }
    assert.deepEqual(parseMetricsListen('0.0.0.0:9464', true), { host: '0.0.0.0', port: 9464 });
    for (const bad of ['9464', '127.0.0.1', '127.0.0.1:70000', '::1:9464', '127.0.0.1:x', '']) {
      assert.throws(
        () => parseMetricsListen(bad, true),
        (e: unknown) => isCoincideError(e) && e.code === 'CONFIG_INVALID',
        bad,
      );
    }
    assert.equal(isLoopbackHost('127.8.9.10'), true);
    assert.equal(isLoopbackHost('::ffff:127.0.0.1'), true);
    assert.equal(isLoopbackHost('128.0.0.1'), false);
  });

  it('is checked when the configuration is loaded', () => {
    assert.throws(
      () => loadConfig({ env: {}, flags: { 'metrics-listen': '0.0.0.0:9464' } }),
      (e: unknown) => isCoincideError(e) && e.code === 'CONFIG_INVALID',
    );
    const config = loadConfig({
      env: { COINCIDE_METRICS_LISTEN: '0.0.0.0:9464', COINCIDE_METRICS_ALLOW_NON_LOOPBACK: 'true' },
    });
    assert.equal(config.metrics.listen, '0.0.0.0:9464');
  });

  it('serves /metrics without a token on its own address; the API route still needs the metrics scope', async () => {
    const logger = createMemoryLogger();
    const t = await startTestApp({ logger, flags: { 'metrics-listen': '127.0.0.1:0' } });
    try {
      const record = logger.records.find((r) => r.msg === 'listening' && r.service === 'metrics');
      assert.ok(record, 'the metrics listener logs its port');
      assert.equal(record.host, '127.0.0.1');
      const base = `http://127.0.0.1:${String(record.port)}`;
      const open = await fetch(`${base}/metrics`);
      assert.equal(open.status, 200);
      assert.match(open.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await open.text(), /^# HELP coincide_events_in_total /m);
      assert.equal((await fetch(`${base}/metrics`, { method: 'HEAD' })).status, 200);

      const post = await fetch(`${base}/metrics`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      assert.equal(((await post.json()) as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
      const other = await fetch(`${base}/v1/notices`);
      assert.equal(other.status, 404);
      assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');

      // The API's own /metrics is unchanged: no token 401, a token without the scope 403.
      assert.equal((await fetch(`${t.httpUrl}/metrics`)).status, 401);
      const scoped = await fetch(`${t.httpUrl}/metrics`, { headers: { authorization: `Bearer ${t.token}` } });
      assert.equal(scoped.status, 403);
      const admin = await fetch(`${t.httpUrl}/metrics`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      assert.equal(admin.status, 200);
    } finally {
      await t.stop();
    }
  });

  it('coincide serve refuses a non-loopback metrics address: exit 2, one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-metrics-listen-'));
    try {
      const result = await runCoincide([
        'serve',
        '--db',
        join(dir, 'c.db'),
        '--listen-host',
        '127.0.0.1',
        '--http-port',
        '0',
        '--receive-port',
        '0',
        '--broadcast-port',
        '0',
        '--metrics-listen',
        '0.0.0.0:0',
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /CONFIG_INVALID.*not a loopback address/);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { CoincideError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CoincideError ? error.code : 'not a CoincideError';
  }
  return undefined;
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no configuration at all', () => {
    const config = loadConfig({ env: {}, flags: {} });
    assert.equal(config.db.path, './coincide.db');
    assert.equal(config.vtp.receivePort, 8098);
    assert.equal(config.vtp.broadcastPort, 8099);
    assert.equal(config.http.port, 8080);
    assert.deepEqual(config.vtp.remotes, []);
    assert.equal(config.log.level, 'info');
  });

  it('takes flags over the environment, the environment over the file, the file over defaults', () => {
    const file = writeJson('precedence.json', {
      http: { port: 1111 },
      vtp: { receivePort: 2222, broadcastPort: 3333 },
    });
    const config = loadConfig({
      configFile: file,
      env: { COINCIDE_RECEIVE_PORT: '4444', COINCIDE_HTTP_PORT: '5555' },
      flags: { 'http-port': '6666' },
    });
    assert.equal(config.http.port, 6666);
    assert.equal(config.vtp.receivePort, 4444);
    assert.equal(config.vtp.broadcastPort, 3333);
    assert.equal(config.db.path, './coincide.db');
  });

  it('finds the file through --config or COINCIDE_CONFIG', () => {
    const file = writeJson('by-env.json', { db: { path: '/tmp/x.db' } });
    assert.equal(loadConfig({ env: { COINCIDE_CONFIG: file } }).db.path, '/tmp/x.db');
    assert.equal(loadConfig({ env: {}, flags: { config: file } }).db.path, '/tmp/x.db');
  });

  it('parses repeatable --remote flags and comma-separated environment lists as host:port', () => {
    const fromFlags = loadConfig({ env: {}, flags: { remote: ['broker.example.org:8099', '[::1]:9000'] } });
    assert.deepEqual(fromFlags.vtp.remotes, [
      { host: 'broker.example.org', port: 8099 },
      { host: '::1', port: 9000 },
    ]);
    const fromEnv = loadConfig({ env: { COINCIDE_REMOTES: 'a:1, b:2' } });
    assert.deepEqual(fromEnv.vtp.remotes, [
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
  });

  it('accepts port 0 as any free port', () => {
    assert.equal(loadConfig({ env: {}, flags: { 'receive-port': '0' } }).vtp.receivePort, 0);
  });

  it('refuses invalid values with CONFIG_INVALID and a message naming the source', () => {
    assert.equal(
      codeOf(() => loadConfig({ env: {}, flags: { 'http-port': 'abc' } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => loadConfig({ env: { COINCIDE_HTTP_PORT: '70000' } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => loadConfig({ env: { COINCIDE_LOCAL_IVO: 'http://x' } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => loadConfig({ env: {}, flags: { remote: ['nohost'] } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => loadConfig({ env: { COINCIDE_LOG_LEVEL: 'loud' } })),
      'CONFIG_INVALID',
    );
    assert.throws(
      () => loadConfig({ env: { COINCIDE_HTTP_PORT: '-1' } }),
      /COINCIDE_HTTP_PORT \(environment\)/,
    );
  });

  it('refuses unknown keys, wrong types and malformed JSON in the file', () => {
    const typo = writeJson('typo.json', { http: { prot: 1 } });
    assert.throws(() => loadConfig({ configFile: typo, env: {} }), /unknown option "http.prot"/);
    const wrongType = writeJson('type.json', { http: { port: '80' } });
    assert.equal(
      codeOf(() => loadConfig({ configFile: wrongType, env: {} })),
      'CONFIG_INVALID',
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"http": ');
    assert.equal(
      codeOf(() => loadConfig({ configFile: broken, env: {} })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() => loadConfig({ configFile: join(dir, 'missing.json'), env: {} })),
      'CONFIG_INVALID',
    );
  });

  it('refuses inconsistent combinations: GCN without credentials, optical Kafka without topics, bad topic patterns', () => {
    assert.throws(
      () => loadConfig({ env: { COINCIDE_GCN_DOMAIN: 'gcn.nasa.gov' } }),
      /COINCIDE_GCN_CLIENT_ID/,
    );
    assert.equal(
      codeOf(() => loadConfig({ env: { COINCIDE_OPTICAL_KAFKA_BROKERS: 'localhost:9092' } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      codeOf(() =>
        loadConfig({ env: { COINCIDE_GCN_BROKERS: 'localhost:9092', COINCIDE_GCN_TOPICS: 'gcn.(' } }),
      ),
      'CONFIG_INVALID',
    );
    const ok = loadConfig({
      env: {
        COINCIDE_GCN_DOMAIN: 'gcn.nasa.gov',
        COINCIDE_GCN_CLIENT_ID: 'id',
        COINCIDE_GCN_CLIENT_SECRET: 's',
      },
    });
    assert.equal(ok.gcn.clientSecret, 's');
  });

  it('takes the librdkafka prefetch queue size in MiB, and refuses one librdkafka would', () => {
    assert.equal(loadConfig({ env: {} }).optical.kafka.prefetchMiB, 256);
    assert.equal(
      loadConfig({ env: { COINCIDE_OPTICAL_KAFKA_PREFETCH_MIB: '64' } }).optical.kafka.prefetchMiB,
      64,
    );
    assert.equal(
      loadConfig({ env: {}, flags: { 'optical-kafka-prefetch-mib': '2047' } }).optical.kafka.prefetchMiB,
      2047,
    );
    assert.throws(
      () => loadConfig({ env: { COINCIDE_OPTICAL_KAFKA_PREFETCH_MIB: '2048' } }),
      (error: unknown) =>
        error instanceof CoincideError &&
        error.code === 'CONFIG_INVALID' &&
        /optical\.kafka\.prefetchMiB must be at most 2047/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ env: { COINCIDE_OPTICAL_KAFKA_PREFETCH_MIB: '0' } }),
      (error: unknown) => error instanceof CoincideError && error.code === 'CONFIG_INVALID',
    );
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ env: {}, flags: { remote: ['a:1'] } });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.vtp));
    assert.ok(Object.isFrozen(config.vtp.remotes));
    assert.throws(() => {
      config.http.port = 1;
    }, TypeError);
  });
});

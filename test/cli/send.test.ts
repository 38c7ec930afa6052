import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/logger.ts';
import { createReceiver, type Receiver } from '../../src/vtp/receiver.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeTempDir, makeVoEvent, openTempStore, testIngestor, type TempStore } from '../vtp/helpers.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_NODE_ARGS, ...args],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('coincide send', () => {
  let t: TempStore;
  let receiver: Receiver;
  let port: number;
  const tmp = makeTempDir('coincide-send-');
  const file = (name: string, bytes: Buffer | string): string => {
    const path = join(tmp.dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  before(async () => {
    t = openTempStore();
    receiver = createReceiver({
      ingestor: testIngestor(t.store),
      localIvo: 'ivo://test.coincide/broker',
      logger: silentLogger,
      clock: systemClock,
      port: 0,
      host: '127.0.0.1',
    });
    ({ port } = await receiver.start());
  });
  after(async () => {
    await receiver.stop();
    t.close();
    tmp.remove();
  });

  it('exits 0 when every event is acked and prints one ack line per file', async () => {
    const a = file('a.xml', makeVoEvent('ivo://test.coincide/cli#a'));
    const b = file('b.xml', makeVoEvent('ivo://test.coincide/cli#b'));
    const result = await cli(['send', a, b, '--to', `127.0.0.1:${port}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${a}: ack ivo://test.coincide/cli#a\n${b}: ack ivo://test.coincide/cli#b\n`);
    assert.ok(
      t.store
        .eventsByIvorn('ivo://test.coincide/cli#a')[0]
        ?.bytes.equals(makeVoEvent('ivo://test.coincide/cli#a')),
    );
  });

  it('exits 1 on a nak and prints the reason', async () => {
    const dup = file('dup.xml', makeVoEvent('ivo://test.coincide/cli#dup'));
    assert.equal((await cli(['send', dup, '--to', `127.0.0.1:${port}`])).code, 0);
    const result = await cli(['send', dup, '--to', `127.0.0.1:${port}`]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `coincide send: ${dup}: nak: Event rejected: Previously seen by this broker\n`,
    );
  });

  it('exits 2 on a missing file, a non-VOEvent file and a refused connection, one line each, no stack', async () => {
    const notXml = file('bad.xml', 'not xml');
    const missing = await cli(['send', join(tmp.dir, 'missing.xml'), '--to', `127.0.0.1:${port}`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^coincide send: .*missing.xml: no such file\n$/);
    const bad = await cli(['send', notXml, '--to', `127.0.0.1:${port}`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^coincide send: .*bad.xml: XML_MALFORMED: .*\n$/);
    const good = file('c.xml', makeVoEvent('ivo://test.coincide/cli#c'));
    const closedPort = await (async () => {
      const r = createReceiver({
        ingestor: testIngestor(t.store),
        localIvo: 'ivo://x.y/z',
        logger: silentLogger,
        clock: systemClock,
        port: 0,
        host: '127.0.0.1',
      });
      const { port: p } = await r.start();
      await r.stop();
      return p;
    })();
    const refused = await cli(['send', good, '--to', `127.0.0.1:${closedPort}`]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /VTP_CONNECTION: .*ECONNREFUSED/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
  });
});

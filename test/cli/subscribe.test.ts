import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/logger.ts';
import { saveEventFileName } from '../../src/cli/subscribe.ts';
import { createBroadcaster } from '../../src/vtp/broadcaster.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { eventually, makeTempDir, makeVoEvent } from '../vtp/helpers.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

describe('coincide subscribe', () => {
  it("names saved files like Comet's save-event plugin", () => {
    assert.equal(
      saveEventFileName('ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729', () => false),
      'ivo__nasa.gsfc.gcn_SWIFTBAT_GRB_Pos_532871729',
    );
    const taken = new Set(['ivo__a.b_c1', 'ivo__a.b_c1_']);
    assert.equal(
      saveEventFileName('ivo://a.b/c#1', (n) => taken.has(n)),
      'ivo__a.b_c1__',
    );
  });

  it('saves and prints every new event from a broker, byte-identical, once each', async () => {
    const tmp = makeTempDir('coincide-subscribe-');
    const broadcaster = createBroadcaster({
      localIvo: 'ivo://test.coincide/broker',
      logger: silentLogger,
      clock: systemClock,
      port: 0,
      host: '127.0.0.1',
      iamaliveIntervalMs: 0,
      testEventIntervalMs: 0,
    });
    const { port } = await broadcaster.start();
    const saveDir = join(tmp.dir, 'out');
    const child = spawn(
      process.execPath,
      [...CLI_NODE_ARGS, 'subscribe', '--remote', `127.0.0.1:${port}`, '--save-dir', saveDir, '--print'],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => (stdout = Buffer.concat([stdout, chunk])));
    try {
      await eventually(() => broadcaster.subscribers().length === 1, 30_000, 'CLI subscriber connected');
      const events = [makeVoEvent('ivo://test.coincide/sub#1'), makeVoEvent('ivo://test.coincide/sub#2')];
      for (const e of events) broadcaster.broadcast(e);
      broadcaster.broadcast(events[0] as Buffer);
      await eventually(() => broadcaster.subscribers()[0]?.outstandingAcks === 0, 10_000, 'acks');
      await eventually(() => readdirSync(saveDir).length === 2, 5000, 'saved files');
      assert.ok(readFileSync(join(saveDir, 'ivo__test.coincide_sub1')).equals(events[0] as Buffer));
      assert.ok(readFileSync(join(saveDir, 'ivo__test.coincide_sub2')).equals(events[1] as Buffer));
      const expected = Buffer.concat([
        events[0] as Buffer,
        Buffer.from('\n'),
        events[1] as Buffer,
        Buffer.from('\n'),
      ]);
      await eventually(() => stdout.length >= expected.length, 5000, 'printed events');
      assert.ok(stdout.equals(expected), stdout.toString());
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await broadcaster.stop();
      tmp.remove();
    }
  });
});

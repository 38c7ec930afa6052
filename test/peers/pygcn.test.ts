/**
 * Interoperability with the real pygcn 1.1.3 (vtp.md §15, cases E5 and E6), on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createBroadcaster } from '../../src/vtp/broadcaster.ts';
import { createSubscriber } from '../../src/vtp/subscriber.ts';
import { skipUnlessVenv, venvExecutable } from '../helpers/python.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { eventually, makeTempDir, openTempStore, testIngestor } from '../vtp/helpers.ts';
import { freePort, startProcess } from './processes.ts';

const skip = skipUnlessVenv('pygcn-serve') || skipUnlessShared();
const LISTEN_SCRIPT = fileURLToPath(new URL('./pygcn_listen.py', import.meta.url));
const sample = (path: string): Buffer => readFileSync(samplePath(path));

describe('pygcn 1.1.3 interoperability', { skip, timeout: 600_000 }, () => {
  it('E5: pygcn listens to our broadcaster: acks 1.1/2.0 events, answers iamalive, saves our bytes, reconnects after a restart', async () => {
    const tmp = makeTempDir('coincide-pygcn-');
    const outDir = join(tmp.dir, 'out');
    mkdirSync(outDir);
    const port = await freePort();
    const logger = createMemoryLogger();
    const options = {
      localIvo: 'ivo://test.coincide/broker',
      logger,
      clock: systemClock,
      port,
      host: '127.0.0.1',
      iamaliveIntervalMs: 0,
      testEventIntervalMs: 0,
    };
    let broadcaster = createBroadcaster(options);
    await broadcaster.start();
    const pygcn = startProcess(
      venvExecutable('python'),
      [LISTEN_SCRIPT, '127.0.0.1', String(port), outDir],
      tmp.dir,
    );
    try {
      await eventually(() => broadcaster.subscribers().length === 1, 30_000, 'pygcn connected');
      const ackable = [
        sample('voevent/grb/gbm_flt_pos.xml'),
        sample('voevent/grb/SWIFT_bat_position_v2.0_example.xml'),
        sample('voevent/grb/GBM_Alert_2023-09-11T07:53:09.73_716111594_1-485.xml'),
      ];
      const notAckable = [
        sample('voevent/other/no_namespace_packet.xml'),
        sample('voevent/other/voevent-ex1.xml'),
      ];
      for (const bytes of [...ackable, ...notAckable]) assert.equal(broadcaster.broadcast(bytes), 1);
      await eventually(
        () => readdirSync(outDir).filter((f) => f.endsWith('.xml')).length === ackable.length,
        20_000,
        'pygcn handler calls',
      );
      const saved = readdirSync(outDir)
        .filter((f) => f.endsWith('.xml'))
        .sort()
        .map((f) => readFileSync(join(outDir, f)));
      ackable.forEach((bytes, i) => {
        assert.ok(saved[i]?.equals(bytes), `event ${i} saved byte-identical`);
      });
      await eventually(() => broadcaster.subscribers()[0]?.outstandingAcks === 0, 20_000, 'pygcn acks');
      for (let tick = 0; tick < 3; tick++) {
        broadcaster.tick();
        await eventually(
          () => broadcaster.subscribers()[0]?.aliveCount === 0,
          20_000,
          `pygcn iamalive reply ${tick}`,
        );
      }
      assert.equal(
        broadcaster.subscribers().length,
        1,
        'our authenticate was ignored harmlessly; still connected',
      );
      await broadcaster.stop();
      broadcaster = createBroadcaster(options);
      await broadcaster.start();
      await eventually(
        () => broadcaster.subscribers().length === 1,
        60_000,
        'pygcn reconnected after our restart',
      );
    } finally {
      await pygcn.stop();
      await broadcaster.stop();
      tmp.remove();
    }
  });

  it('E6: our subscriber ingests pygcn-serve payloads once each although they repeat, without iamalives or acks read', async () => {
    const t = openTempStore();
    const tmp = makeTempDir('coincide-pygcn-serve-');
    const port = await freePort();
    const files = [samplePath('voevent/grb/gbm_flt_pos.xml'), samplePath('voevent/other/kill_socket.xml')];
    const serve = startProcess(
      venvExecutable('pygcn-serve'),
      ['--host', `127.0.0.1:${port}`, '-t', '1', ...files],
      tmp.dir,
    );
    const subscriber = createSubscriber({
      remotes: [`127.0.0.1:${port}`],
      ingestor: testIngestor(t.store),
      logger: createMemoryLogger(),
      clock: systemClock,
      backoff: { initialMs: 200, maxMs: 1000 },
    });
    try {
      await subscriber.start();
      await eventually(() => subscriber.status()[0]?.connected === true, 30_000, 'connected to pygcn-serve');
      await eventually(() => t.store.countEvents() === 2, 20_000, 'both payloads');
      await new Promise((r) => setTimeout(r, 2500)); // several repetitions
      assert.equal(t.store.countEvents(), 2, 'repeated payloads stored once each (byte de-dup)');
      assert.ok(
        t.store.eventsByIvorn('ivo://nasa.gsfc.gcn/gcn')[0]?.bytes.equals(readFileSync(files[1] as string)),
      );
      assert.equal(subscriber.status()[0]?.connected, true);
    } finally {
      await subscriber.stop();
      await serve.stop();
      tmp.remove();
      t.close();
    }
  });
});

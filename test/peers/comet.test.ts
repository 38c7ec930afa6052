/**
 * Interoperability with the real Comet 3.1.0 (vtp.md §15, cases E1-E4 and E7), on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { eventValidatorFromSchema } from '../../src/ingest/schema-adapter.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createSchemaValidator } from '../../src/voevent/schema-validator.ts';
import { createReceiver } from '../../src/vtp/receiver.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { createSubscriber } from '../../src/vtp/subscriber.ts';
import { skipUnlessVenv } from '../helpers/python.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { eventually, makeTempDir, makeVoEvent, openTempStore, testIngestor } from '../vtp/helpers.ts';
import { startVtpNode } from '../vtp/node.ts';
import { cometSendvo, freePort, startComet } from './processes.ts';

const skip = skipUnlessVenv('twistd') || skipUnlessShared();
const COMET_IVO = 'ivo://test.comet/broker';
const sample = (path: string): Buffer => readFileSync(samplePath(path));
const SWIFT_20 = 'voevent/grb/SWIFT_bat_position_v2.0_example.xml';

describe('Comet 3.1.0 interoperability', { skip, timeout: 600_000 }, () => {
  it('E1: comet-sendvo gets an ack (exit 0) from our receiver, and a nak (exit 1) for 1.1, no local ID and duplicates', async () => {
    const t = openTempStore();
    const schema = createSchemaValidator();
    const receiver = createReceiver({
      ingestor: testIngestor(t.store, { validator: eventValidatorFromSchema(schema) }),
      localIvo: 'ivo://test.coincide/broker',
      logger: createMemoryLogger(),
      clock: systemClock,
      port: 0,
      host: '127.0.0.1',
    });
    const { port } = await receiver.start();
    try {
      const valid = await cometSendvo(port, samplePath(SWIFT_20));
      assert.equal(valid.code, 0, valid.output);
      assert.match(valid.output, /Acknowledgement received/);
      assert.equal(t.store.eventsByIvorn('ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729').length, 1);
      for (const file of ['voevent/grb/gbm_flt_pos.xml', 'voevent/other/kill_socket.xml', SWIFT_20]) {
        const result = await cometSendvo(port, samplePath(file));
        assert.equal(result.code, 1, `${file}: ${result.output}`);
        assert.match(result.output, /Nak received|rejected|Event was not sent/i, file);
      }
    } finally {
      await receiver.stop();
      await schema.close();
      t.close();
    }
  });

  it('E2: our sender gets ack, "Previously seen" nak, naks for 1.1 / no namespace / 2.1, and no receipt over 99,999 bytes', async () => {
    const port = await freePort();
    const comet = await startComet(
      ['--receive', '--receive-port', String(port), '--local-ivo', COMET_IVO],
      /starting on \d+/,
    );
    try {
      const send = (bytes: Buffer) => sendEvent({ host: '127.0.0.1', port, bytes, timeoutMs: 20_000 });
      const first = await send(sample(SWIFT_20));
      assert.equal(first.role, 'ack');
      assert.equal(first.message.origin, 'ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729');
      assert.equal(first.message.response, COMET_IVO);
      const again = await send(sample(SWIFT_20));
      assert.equal(again.role, 'nak');
      assert.equal(again.result, 'Event rejected: Previously seen by this broker');
      for (const file of [
        'voevent/grb/gbm_flt_pos.xml',
        'voevent/other/no_namespace_packet.xml',
        'voevent/other/voevent-ex1.xml',
      ]) {
        const receipt = await send(sample(file));
        assert.equal(receipt.role, 'nak', file);
        assert.match(receipt.result ?? '', /^Event rejected: /, file);
      }
      await assert.rejects(send(makeVoEvent('ivo://test.coincide/big#1', { padBytes: 100_000 })), {
        code: 'VTP_NO_RECEIPT',
      });
      assert.match(comet.output(), /Length limit exceeded/);
    } finally {
      await comet.stop();
      comet.removeDir();
    }
  });

  it('E3: a Comet subscriber gets authenticate, installs its filter, answers iamalives, acks events and saves our exact bytes', async () => {
    const tmp = makeTempDir();
    const node = await startVtpNode({
      dir: tmp.dir,
      localIvo: 'ivo://test.coincide/broker',
      broadcaster: { iamaliveIntervalMs: 0 },
    });
    const filter = '/*[local-name()="VOEvent" and @role!="test"]';
    const comet = await startComet(
      [
        '--remote',
        `127.0.0.1:${node.broadcastPort}`,
        '--local-ivo',
        'ivo://test.comet/sub',
        '--filter',
        filter,
        '--save-event',
        '--save-event-directory',
        '{SAVE_DIR}',
      ],
      /Starting factory|starting up/,
    );
    try {
      await eventually(
        () => node.broadcaster.subscribers()[0]?.filters.length === 1,
        30_000,
        'Comet authenticate reply',
      );
      assert.deepEqual(node.broadcaster.subscribers()[0]?.filters, [filter]);
      for (let tick = 0; tick < 3; tick++) {
        node.broadcaster.tick();
        await eventually(
          () => node.broadcaster.subscribers()[0]?.aliveCount === 0,
          10_000,
          `iamalive answer ${tick}`,
        );
      }
      const events = [
        sample(SWIFT_20),
        sample('voevent/grb/GRB180116A_Fermi_GBM_Alert.xml'),
        makeVoEvent('ivo://test.coincide/e3#1'),
      ];
      for (const bytes of events) assert.equal(node.broadcaster.broadcast(bytes), 1);
      assert.equal(
        node.broadcaster.sendTestEvent(),
        0,
        "Comet's filter (role != test) is applied by our broadcaster",
      );
      await eventually(() => node.broadcaster.subscribers()[0]?.outstandingAcks === 0, 20_000, 'Comet acks');
      await eventually(() => readdirSync(comet.saveDir).length === events.length, 10_000, 'saved events');
      const saved = readdirSync(comet.saveDir).map((f) => readFileSync(join(comet.saveDir, f)));
      for (const bytes of events)
        assert.ok(
          saved.some((s) => s.equals(bytes)),
          'saved byte-identical',
        );
      assert.equal(node.broadcaster.subscribers().length, 1, 'still connected');
    } finally {
      await comet.stop();
      comet.removeDir();
      await node.stop();
      tmp.remove();
    }
  });

  it('E4: our subscriber stays connected to a Comet broadcaster, answers authenticate with its filter, gets events bit-identical and test events', async () => {
    const receivePort = await freePort();
    const broadcastPort = await freePort();
    const comet = await startComet(
      [
        '--receive',
        '--receive-port',
        String(receivePort),
        '--broadcast',
        '--broadcast-port',
        String(broadcastPort),
        '--broadcast-test-interval',
        '2',
        '--local-ivo',
        COMET_IVO,
      ],
      new RegExp(`starting on ${broadcastPort}`),
    );
    const all = openTempStore();
    const filtered = openTempStore();
    const subscribers = [
      createSubscriber({
        remotes: [`127.0.0.1:${broadcastPort}`],
        ingestor: testIngestor(all.store),
        logger: createMemoryLogger(),
        clock: systemClock,
        localIvo: 'ivo://test.coincide/all',
      }),
      createSubscriber({
        remotes: [`127.0.0.1:${broadcastPort}`],
        ingestor: testIngestor(filtered.store),
        logger: createMemoryLogger(),
        clock: systemClock,
        filters: ['/*[local-name()="VOEvent" and @role!="test"]'],
      }),
    ];
    try {
      for (const s of subscribers) await s.start();
      await eventually(
        () => subscribers.every((s) => s.status()[0]?.connected === true),
        20_000,
        'connected',
      );
      await comet.waitForOutput(/Installing filter/, 20_000);
      const bytes = sample(SWIFT_20);
      assert.equal(
        (await sendEvent({ host: '127.0.0.1', port: receivePort, bytes, timeoutMs: 20_000 })).role,
        'ack',
      );
      for (const s of [all, filtered]) {
        await eventually(
          () => s.store.eventsByIvorn('ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729').length === 1,
          20_000,
          'event relayed by Comet',
        );
        assert.ok(
          s.store.eventsByIvorn('ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729')[0]?.bytes.equals(bytes),
        );
      }
      await eventually(
        () =>
          all.store
            .recentEvents()
            .some((e) => e.role === 'test' && e.ivorn.startsWith(`${COMET_IVO}#TestEvent-`)),
        20_000,
        'Comet test events',
      );
      assert.equal(
        filtered.store.recentEvents().filter((e) => e.role === 'test').length,
        0,
        'Comet honours our filter',
      );
      assert.doesNotMatch(comet.output(), /Peer is not acknowledging|Peer appears to be dead/);
      assert.ok(subscribers.every((s) => s.status()[0]?.connected === true));
    } finally {
      for (const s of subscribers) await s.stop();
      await comet.stop();
      comet.removeDir();
      all.close();
      filtered.close();
    }
  });

  it('E7: relay chain author -> coincide -> Comet -> coincide keeps the bytes and cuts the loop', async () => {
    const tmp = makeTempDir();
    const node = await startVtpNode({
      dir: tmp.dir,
      localIvo: 'ivo://test.coincide/a',
      broadcaster: { iamaliveIntervalMs: 0 },
    });
    const cometBroadcastPort = await freePort();
    const comet = await startComet(
      [
        '--broadcast',
        '--broadcast-port',
        String(cometBroadcastPort),
        '--broadcast-test-interval',
        '0',
        '--local-ivo',
        COMET_IVO,
        '--remote',
        `127.0.0.1:${node.broadcastPort}`,
        '--save-event',
        '--save-event-directory',
        '{SAVE_DIR}',
      ],
      new RegExp(`starting on ${cometBroadcastPort}`),
    );
    try {
      await node.subscribe([`127.0.0.1:${cometBroadcastPort}`]);
      await eventually(
        () => node.broadcaster.subscribers().length === 1,
        20_000,
        'Comet subscribed to coincide',
      );
      await comet.waitForOutput(/New subscriber/, 20_000);
      const events = [sample(SWIFT_20), makeVoEvent('ivo://test.coincide/e7#1')];
      for (const bytes of events)
        assert.equal((await sendEvent({ host: '127.0.0.1', port: node.receivePort, bytes })).role, 'ack');
      await eventually(
        () => readdirSync(comet.saveDir).length === events.length,
        20_000,
        'Comet received both',
      );
      const saved = readdirSync(comet.saveDir).map((f) => readFileSync(join(comet.saveDir, f)));
      for (const bytes of events)
        assert.ok(
          saved.some((s) => s.equals(bytes)),
          'bytes identical through the chain',
        );
      await eventually(() => node.broadcaster.subscribers()[0]?.outstandingAcks === 0, 20_000, 'Comet acked');
      await new Promise((r) => setTimeout(r, 2000)); // time for any loop to show
      assert.equal(node.store.countEvents(), events.length, 'each event stored once at coincide');
      assert.equal(readdirSync(comet.saveDir).length, events.length, 'each event handled once by Comet');
    } finally {
      await comet.stop();
      comet.removeDir();
      await node.stop();
      tmp.remove();
    }
  });
});

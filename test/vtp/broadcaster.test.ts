import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import {
  createBroadcaster,
  DEFAULT_BROADCAST_PORT,
  IAMALIVE_INTERVAL_MS,
  MAX_OUTSTANDING_ACKS,
  type Broadcaster,
} from '../../src/vtp/broadcaster.ts';
import { ack, authenticateReply, iamaliveReply, nak, readTransport } from '../../src/vtp/messages.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { eventually, makeVoEvent, RawPeer } from './helpers.ts';

const LOCAL_IVO = 'ivo://test.coincide/broker';
const clock = new ManualClock(Date.UTC(2026, 10, 25, 9, 0, 0));
const roleOf = (frame: Buffer | undefined): string => (frame ? parsePayload(frame).role : '');

describe('VTP broadcaster', () => {
  let broadcaster: Broadcaster;
  let port: number;
  let logger: ReturnType<typeof createMemoryLogger>;
  const peers: RawPeer[] = [];

  beforeEach(async () => {
    logger = createMemoryLogger();
    broadcaster = createBroadcaster({
      localIvo: LOCAL_IVO,
      logger,
      clock,
      port: 0,
      iamaliveIntervalMs: 0,
      testEventIntervalMs: 0,
    });
    ({ port } = await broadcaster.start());
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await broadcaster.stop();
  });

  async function subscribe(): Promise<RawPeer> {
    const peer = await RawPeer.connect(port);
    peers.push(peer);
    await peer.waitFor(() => peer.frames.length >= 1, 5000, 'authenticate');
    await eventually(() => broadcaster.subscribers().length === peers.length);
    return peer;
  }

  it("uses Comet's defaults: port 8099, a 60 s tick, 10 outstanding acks", () => {
    assert.equal(DEFAULT_BROADCAST_PORT, 8099);
    assert.equal(IAMALIVE_INTERVAL_MS, 60_000);
    assert.equal(MAX_OUTSTANDING_ACKS, 10);
  });

  it('sends authenticate with Origin = our IVOID on connect', async () => {
    const peer = await subscribe();
    const message = readTransport(parsePayload(peer.frames[0] as Buffer));
    assert.equal(message.role, 'authenticate');
    assert.equal(message.origin, LOCAL_IVO);
  });

  it('forwards the exact bytes of an event to every subscriber and counts the outstanding ack until acked', async () => {
    const a = await subscribe();
    const b = await subscribe();
    const bytes = makeVoEvent('ivo://test.coincide/b#1');
    assert.equal(broadcaster.broadcast(bytes), 2);
    await a.waitFor(() => a.frames.length === 2);
    await b.waitFor(() => b.frames.length === 2);
    assert.ok(a.frames[1]?.equals(bytes));
    assert.ok(b.frames[1]?.equals(bytes));
    assert.deepEqual(
      broadcaster.subscribers().map((s) => s.outstandingAcks),
      [1, 1],
    );
    a.send(ack('ivo://test.coincide/b#1', undefined, { nowMs: clock.nowMs() }));
    await eventually(() => broadcaster.subscribers().some((s) => s.outstandingAcks === 0));
  });

  it('sends an iamalive per tick and drops a subscriber that did not answer by the next tick', async () => {
    const silent = await subscribe();
    const answering = await subscribe();
    broadcaster.tick();
    await silent.waitFor(() => silent.frames.length === 2);
    await answering.waitFor(() => answering.frames.length === 2);
    assert.equal(roleOf(silent.frames[1]), 'iamalive');
    const probe = readTransport(parsePayload(answering.frames[1] as Buffer));
    answering.send(iamaliveReply(probe.origin, undefined, { nowMs: clock.nowMs() }));
    await eventually(() => broadcaster.subscribers().some((s) => s.aliveCount === 0));
    broadcaster.tick();
    await silent.waitFor(() => silent.closed, 5000, 'silent subscriber dropped');
    assert.equal(answering.closed, false);
    assert.ok(logger.records.some((r) => r.msg === 'Peer appears to be dead; dropping connection'));
  });

  it('drops a subscriber with 10 acks outstanding for a whole tick, but not for a burst just before a tick', async () => {
    const peer = await subscribe();
    const answerIamalives = (): void => {
      for (const frame of peer.frames) {
        if (roleOf(frame) === 'iamalive')
          peer.send(iamaliveReply(LOCAL_IVO, undefined, { nowMs: clock.nowMs() }));
      }
      peer.frames.splice(1);
    };
    for (let i = 0; i < MAX_OUTSTANDING_ACKS; i++)
      broadcaster.broadcast(makeVoEvent(`ivo://test.coincide/b#burst${i}`));
    broadcaster.tick(); // the burst is fresh: kept
    await peer.waitFor(() => peer.frames.some((f) => roleOf(f) === 'iamalive'));
    assert.equal(peer.closed, false);
    answerIamalives();
    await eventually(() => broadcaster.subscribers()[0]?.aliveCount === 0);
    broadcaster.tick(); // now a tick old and still unacked: dropped
    await peer.waitFor(() => peer.closed, 5000, 'drop for outstanding acks');
    assert.ok(logger.records.some((r) => r.msg === 'Peer is not acknowledging events; dropping connection'));
  });

  it('drops a subscriber that naks', async () => {
    const peer = await subscribe();
    broadcaster.broadcast(makeVoEvent('ivo://test.coincide/b#nak'));
    peer.send(nak('ivo://test.coincide/b#nak', undefined, 'no thanks', { nowMs: clock.nowMs() }));
    await peer.waitFor(() => peer.closed, 5000, 'drop on nak');
  });

  it('ignores unparsable input and <xml/> from a subscriber and keeps it', async () => {
    const peer = await subscribe();
    peer.send(Buffer.from('not xml at all'));
    peer.send(Buffer.from('<xml/>'));
    peer.send(Buffer.alloc(0));
    const bytes = makeVoEvent('ivo://test.coincide/b#after');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(broadcaster.broadcast(bytes), 1);
    await peer.waitFor(() => peer.frames.length === 2);
    assert.equal(peer.closed, false);
  });

  it('applies the filters of the latest authenticate reply, including to test events', async () => {
    const peer = await subscribe();
    peer.send(
      authenticateReply(
        LOCAL_IVO,
        'ivo://test.coincide/sub',
        ['/*[local-name()="VOEvent" and @role!="test"]', 'Not a valid XPath expression['],
        { nowMs: clock.nowMs() },
      ),
    );
    await eventually(() => broadcaster.subscribers()[0]?.filters.length === 1);
    assert.equal(broadcaster.broadcast(makeVoEvent('ivo://test.coincide/b#t', { role: 'test' })), 0);
    assert.equal(broadcaster.sendTestEvent(), 0);
    assert.equal(broadcaster.broadcast(makeVoEvent('ivo://test.coincide/b#o')), 1);
    peer.send(
      authenticateReply(LOCAL_IVO, undefined, ['/*[local-name()="VOEvent" and @role="test"]'], {
        nowMs: clock.nowMs(),
      }),
    );
    await eventually(() => broadcaster.subscribers()[0]?.filters[0]?.includes('@role="test"') === true);
    assert.equal(broadcaster.sendTestEvent(), 1);
    await peer.waitFor(() => peer.frames.length === 3);
    const testEvent = parsePayload(peer.frames[2] as Buffer);
    assert.equal(testEvent.role, 'test');
    assert.ok(testEvent.ivorn.startsWith(`${LOCAL_IVO}#TestEvent-2026-11-25T09:00:00Z`));
    assert.equal(peer.closed, false);
  });

  it('never sends an event over the Comet frame limit', async () => {
    await subscribe();
    assert.equal(broadcaster.broadcast(makeVoEvent('ivo://test.coincide/b#big', { padBytes: 100_000 })), 0);
  });

  it('refuses a non-whitelisted subscriber with zero bytes', async () => {
    const guarded = createBroadcaster({
      localIvo: LOCAL_IVO,
      logger,
      clock,
      port: 0,
      whitelist: ['10.0.0.0/8'],
      iamaliveIntervalMs: 0,
      testEventIntervalMs: 0,
    });
    const { port: guardedPort } = await guarded.start();
    try {
      const peer = await RawPeer.connect(guardedPort);
      await peer.waitFor(() => peer.closed);
      assert.equal(peer.frames.length, 0);
    } finally {
      await guarded.stop();
    }
  });
});

describe('VTP broadcaster tolerance', () => {
  const NAMESPACES = [
    'http://www.telescope-networks.org/xml/Transport/v1.1',
    'http://telescope-networks.org/schema/Transport/v1.1',
    'http://telescope-networks.org/xml/Transport/v1.1',
    'http://www.ivoa.net/xml/VTP/v2',
    'http://www.telescope-networks.org/xml/Transport/v2.0',
    '',
  ];

  it('handles iamalive and ack in each of the five Transport namespaces and in none (E8)', async () => {
    const broadcaster = createBroadcaster({
      localIvo: LOCAL_IVO,
      logger: createMemoryLogger(),
      clock,
      port: 0,
      iamaliveIntervalMs: 0,
      testEventIntervalMs: 0,
    });
    const { port } = await broadcaster.start();
    const peer = await RawPeer.connect(port);
    try {
      await eventually(() => broadcaster.subscribers().length === 1);
      for (const ns of NAMESPACES) {
        const open = ns === '' ? '<Transport' : `<t:Transport xmlns:t="${ns}"`;
        const close = ns === '' ? '</Transport>' : '</t:Transport>';
        broadcaster.tick();
        broadcaster.broadcast(makeVoEvent(`ivo://test.coincide/ns#${NAMESPACES.indexOf(ns)}`));
        await eventually(
          () =>
            broadcaster.subscribers()[0]?.aliveCount === 1 &&
            broadcaster.subscribers()[0]?.outstandingAcks === 1,
          5000,
          `tick ${ns}`,
        );
        peer.send(
          Buffer.from(
            `${open} role="iamalive" version="1.0"><Origin>${LOCAL_IVO}</Origin><TimeStamp>2025-11-25T08:26:01.123456</TimeStamp>${close}`,
          ),
        );
        peer.send(
          Buffer.from(
            `${open} role="ack" version="1.0"><TimeStamp>x</TimeStamp><Origin>ivo://test.coincide/ns#1</Origin>${close}`,
          ),
        );
        await eventually(
          () =>
            broadcaster.subscribers()[0]?.aliveCount === 0 &&
            broadcaster.subscribers()[0]?.outstandingAcks === 0,
          5000,
          `replies in "${ns}"`,
        );
      }
    } finally {
      peer.close();
      await broadcaster.stop();
    }
  });

  it(
    'relays every real-world event shape byte for byte and rejects malformed ones without crashing (E9)',
    { skip: skipUnlessShared() },
    async () => {
      const broadcaster = createBroadcaster({
        localIvo: LOCAL_IVO,
        logger: createMemoryLogger(),
        clock,
        port: 0,
        iamaliveIntervalMs: 0,
        testEventIntervalMs: 0,
      });
      const { port } = await broadcaster.start();
      const peer = await RawPeer.connect(port);
      try {
        await eventually(() => broadcaster.subscribers().length === 1);
        const shapes = [
          'voevent/grb/gbm_flt_pos.xml',
          'voevent/grb/GBM_Alert_2023-09-11T07:53:09.73_716111594_1-485.xml',
          'voevent/grb/GRB180116A_Fermi_GBM_Alert.xml',
          'voevent/other/no_namespace_packet.xml',
          'voevent/other/voevent-ex1.xml',
          'voevent/other/adacs_Antares_1438351269.xml',
          'voevent/other/kill_socket.xml',
        ].map((f) => readFileSync(samplePath(f)));
        for (const bytes of shapes) assert.equal(broadcaster.broadcast(bytes), 1);
        for (const f of ['voevent/other/Swift_unknown_fail.xml', 'voevent/other/MS220722v.xml']) {
          assert.equal(broadcaster.broadcast(readFileSync(samplePath(f))), 0, f);
        }
        await peer.waitFor(() => peer.frames.length === 1 + shapes.length);
        shapes.forEach((bytes, i) => {
          assert.ok(peer.frames[i + 1]?.equals(bytes), `shape ${i} identical`);
        });
        assert.equal(
          broadcaster.subscribers()[0]?.outstandingAcks,
          4,
          'only 1.1/2.0-namespaced events await an ack',
        );
      } finally {
        peer.close();
        await broadcaster.stop();
      }
    },
  );
});

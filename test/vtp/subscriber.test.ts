import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { DEFAULT_BACKOFF, parseRemote, reconnectDelayMs } from '../../src/vtp/backoff.ts';
import { authenticate, iamalive, readTransport, xpathFiltersOf, ack } from '../../src/vtp/messages.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { createSubscriber, SILENCE_TIMEOUT_MS, type Subscriber } from '../../src/vtp/subscriber.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { eventually, makeVoEvent, openTempStore, RawPeer, testIngestor, type TempStore } from './helpers.ts';

const BROKER_IVO = 'ivo://test.remote/broker';
const SUB_IVO = 'ivo://test.coincide/sub';
const FILTER = '/*[local-name()="VOEvent" and @role!="test"]';

/** A scripted broker: a real listening socket whose connections the test drives. */
async function scriptedBroker(): Promise<{ server: Server; port: number; connections: RawPeer[] }> {
  const connections: RawPeer[] = [];
  const server = createServer((socket) => connections.push(RawPeer.accept(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, connections };
}

describe('back-off', () => {
  it('grows geometrically up to the cap, with bounded jitter', () => {
    const policy = { ...DEFAULT_BACKOFF, initialMs: 1000, factor: 2, maxMs: 8000, jitterRatio: 0.2 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((n) => reconnectDelayMs(n, policy, () => 0.5)),
      [1000, 2000, 4000, 8000, 8000, 8000],
    );
    assert.equal(
      reconnectDelayMs(0, policy, () => 0),
      800,
    );
    assert.equal(
      reconnectDelayMs(0, policy, () => 0.999999),
      1200,
    );
  });

  it('parses remotes with and without ports, IPv6 in brackets', () => {
    assert.deepEqual(parseRemote('127.0.0.1:9000', 8099), { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(parseRemote('voevent.4pisky.org', 8099), { host: 'voevent.4pisky.org', port: 8099 });
    assert.deepEqual(parseRemote('[::1]:9001', 8099), { host: '::1', port: 9001 });
  });
});

describe('VTP subscriber', () => {
  let t: TempStore;
  let subscriber: Subscriber | undefined;
  let broker: Awaited<ReturnType<typeof scriptedBroker>>;
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 9, 0, 0));

  beforeEach(async () => {
    t = openTempStore();
    broker = await scriptedBroker();
  });
  afterEach(async () => {
    await subscriber?.stop();
    subscriber = undefined;
    for (const c of broker.connections) c.close();
    await new Promise((r) => broker.server.close(r));
    t.close();
  });

  function start(extra: Partial<Parameters<typeof createSubscriber>[0]> = {}): Subscriber {
    subscriber = createSubscriber({
      remotes: [`127.0.0.1:${broker.port}`],
      ingestor: testIngestor(t.store),
      logger: createMemoryLogger(),
      clock,
      localIvo: SUB_IVO,
      filters: [FILTER],
      backoff: { initialMs: 20, maxMs: 100 },
      ...extra,
    });
    void subscriber.start();
    return subscriber;
  }

  it("uses Comet's 120 s silence timeout", () => {
    assert.equal(SILENCE_TIMEOUT_MS, 120_000);
  });

  it('answers authenticate with its filters and iamalive with Origin copied and Response = its IVOID', async () => {
    start();
    await eventually(() => broker.connections.length === 1);
    const conn = broker.connections[0] as RawPeer;
    conn.send(authenticate(BROKER_IVO, { nowMs: clock.nowMs() }));
    conn.send(iamalive(BROKER_IVO, { nowMs: clock.nowMs() }));
    await conn.waitFor(() => conn.frames.length === 2);
    const auth = readTransport(parsePayload(conn.frames[0] as Buffer));
    assert.equal(auth.role, 'authenticate');
    assert.equal(auth.origin, BROKER_IVO);
    assert.deepEqual(xpathFiltersOf(auth), [FILTER]);
    const alive = readTransport(parsePayload(conn.frames[1] as Buffer));
    assert.equal(alive.role, 'iamalive');
    assert.equal(alive.origin, BROKER_IVO);
    assert.equal(alive.response, SUB_IVO);
  });

  it('acks every event once durable, duplicates included, and stores each bytes once', async () => {
    start();
    await eventually(() => broker.connections.length === 1);
    const conn = broker.connections[0] as RawPeer;
    const bytes = makeVoEvent('ivo://test.remote/e#1');
    conn.send(bytes);
    conn.send(bytes);
    await conn.waitFor(() => conn.frames.length === 2);
    for (const frame of conn.frames) {
      const m = readTransport(parsePayload(frame));
      assert.equal(m.role, 'ack');
      assert.equal(m.origin, 'ivo://test.remote/e#1');
    }
    const stored = t.store.eventsByIvorn('ivo://test.remote/e#1');
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.input, 'vtp-subscriber');
    assert.ok(stored[0]?.bytes.equals(bytes));
  });

  it(
    'acks and keeps schema-invalid event shapes from upstream (1.1, no namespace, 2.1 draft)',
    { skip: skipUnlessShared() },
    async () => {
      start();
      await eventually(() => broker.connections.length === 1);
      const conn = broker.connections[0] as RawPeer;
      const files = [
        'voevent/grb/gbm_flt_pos.xml',
        'voevent/other/no_namespace_packet.xml',
        'voevent/other/voevent-ex1.xml',
        'voevent/other/kill_socket.xml',
      ];
      for (const f of files) conn.send(readFileSync(samplePath(f)));
      await conn.waitFor(() => conn.frames.length === files.length);
      assert.deepEqual(
        conn.frames.map((f) => parsePayload(f).role),
        files.map(() => 'ack'),
      );
      assert.equal(t.store.countEvents(), files.length);
    },
  );

  it('ignores unparsable payloads, <xml/>, acks and naks from the broker without disconnecting', async () => {
    start();
    await eventually(() => broker.connections.length === 1);
    const conn = broker.connections[0] as RawPeer;
    conn.send(Buffer.from('garbage'));
    conn.send(Buffer.from('<xml/>'));
    conn.send(ack('ivo://x.y/z#1', BROKER_IVO, { nowMs: clock.nowMs() }));
    conn.send(iamalive(BROKER_IVO, { nowMs: clock.nowMs() }));
    await conn.waitFor(() => conn.frames.length === 1);
    assert.equal(parsePayload(conn.frames[0] as Buffer).role, 'iamalive');
    assert.equal(conn.closed, false);
  });

  it('disconnects after the silence timeout and reconnects', async () => {
    const s = start({ silenceCheckIntervalMs: 1_000_000 });
    await eventually(() => broker.connections.length === 1 && s.status()[0]?.connected === true);
    clock.advance(SILENCE_TIMEOUT_MS - 1);
    s.checkSilence();
    assert.equal((broker.connections[0] as RawPeer).closed, false);
    clock.advance(1);
    s.checkSilence();
    await (broker.connections[0] as RawPeer).waitFor(() => (broker.connections[0] as RawPeer).closed);
    await eventually(() => broker.connections.length === 2, 5000, 'reconnection');
  });

  it('reconnects with back-off when the broker closes, and keeps retrying while it is down', async () => {
    const s = start({ clock: systemClock });
    await eventually(() => broker.connections.length === 1);
    (broker.connections[0] as RawPeer).close();
    await eventually(() => broker.connections.length === 2, 5000, 'reconnection');
    const port = broker.port;
    for (const c of broker.connections) c.close();
    await new Promise((r) => broker.server.close(r));
    await eventually(() => (s.status()[0]?.attempts ?? 0) >= 3, 5000, 'retries while down');
    broker = await (async () => {
      const connections: RawPeer[] = [];
      const server = createServer((socket) => connections.push(RawPeer.accept(socket)));
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return { server, port, connections };
    })();
    await eventually(() => broker.connections.length === 1, 5000, 'reconnection after restart');
  });

  it('refuses an invalid filter at creation', () => {
    assert.throws(
      () =>
        createSubscriber({
          remotes: ['127.0.0.1:1'],
          ingestor: testIngestor(t.store),
          logger: createMemoryLogger(),
          clock,
          filters: ['//What['],
        }),
      { code: 'CONFIG_INVALID' },
    );
  });
});

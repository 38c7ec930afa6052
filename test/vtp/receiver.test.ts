import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { encodeFrame } from '../../src/vtp/framing.ts';
import { readTransport } from '../../src/vtp/messages.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import {
  createReceiver,
  DEFAULT_RECEIVE_PORT,
  RECEIVER_TIMEOUT_MS,
  type Receiver,
} from '../../src/vtp/receiver.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import {
  makeVoEvent,
  officialSchemaValidator,
  openTempStore,
  rawExchange,
  testIngestor,
  type TempStore,
} from './helpers.ts';

const LOCAL_IVO = 'ivo://test.coincide/broker';
const BILLION_LAUGHS = Buffer.from(`<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://test.coincide/x#1">&lol2;</voe:VOEvent>`);

let counter = 0;
const nextIvorn = (): string => `ivo://test.coincide/receiver#${process.pid}-${++counter}`;

describe('VTP receiver', () => {
  let t: TempStore;
  let receiver: Receiver;
  let port: number;
  const logger = createMemoryLogger();

  before(async () => {
    t = openTempStore();
    receiver = createReceiver({
      ingestor: testIngestor(t.store),
      localIvo: LOCAL_IVO,
      logger,
      clock: systemClock,
      port: 0,
      timeoutMs: 300,
      // 200 concurrent authors from one address (below) within the 300 ms timeout: no per-peer wait.
      peerLimits: { concurrency: 1000, ratePerSec: 10_000 },
    });
    ({ port } = await receiver.start());
  });
  after(async () => {
    await receiver.stop();
    t.close();
  });

  /** The receiver still serves: a fresh valid event is acked. */
  async function assertStillServing(): Promise<void> {
    const receipt = await sendEvent({
      host: '127.0.0.1',
      port,
      bytes: makeVoEvent(nextIvorn()),
      timeoutMs: 3000,
    });
    assert.equal(receipt.role, 'ack');
  }

  it("uses Comet's defaults: port 8098 and an absolute 20 s timeout", () => {
    assert.equal(DEFAULT_RECEIVE_PORT, 8098);
    assert.equal(RECEIVER_TIMEOUT_MS, 20_000);
  });

  it('acks a valid event with Origin = ivorn and Response = our IVOID, after storing it, then closes', async () => {
    const ivorn = nextIvorn();
    const bytes = makeVoEvent(ivorn);
    const { frames, closedByServer } = await rawExchange(port, [encodeFrame(bytes)]);
    assert.equal(closedByServer, true);
    assert.equal(frames.length, 1);
    const message = readTransport(parsePayload(frames[0] as Buffer));
    assert.equal(message.role, 'ack');
    assert.equal(message.origin, ivorn);
    assert.equal(message.response, LOCAL_IVO);
    const stored = t.store.eventsByIvorn(ivorn);
    assert.equal(stored.length, 1);
    assert.ok(stored[0]?.bytes.equals(bytes));
    assert.equal(stored[0]?.input, 'vtp-receiver');
  });

  it('naks a duplicate with "Previously seen by this broker" and stores it once', async () => {
    const bytes = makeVoEvent(nextIvorn());
    assert.equal((await sendEvent({ host: '127.0.0.1', port, bytes })).role, 'ack');
    const second = await sendEvent({ host: '127.0.0.1', port, bytes });
    assert.equal(second.role, 'nak');
    assert.equal(second.result, 'Event rejected: Previously seen by this broker');
  });

  it('naks an ivorn without a local ID and an ivorn that is not an IVOID', async () => {
    const noLocal = await sendEvent({
      host: '127.0.0.1',
      port,
      bytes: makeVoEvent('ivo://test.coincide/nolocal'),
    });
    assert.equal(noLocal.role, 'nak');
    assert.equal(noLocal.result, 'Event rejected: No per-event local ID');
    const bad = await sendEvent({ host: '127.0.0.1', port, bytes: makeVoEvent('ivo://au/x#1') });
    assert.equal(bad.role, 'nak');
    assert.match(bad.result ?? '', /^Event rejected: Invalid IVOID/);
  });

  it('splits a submission at every offset of the frame and still acks it', async () => {
    const frame = encodeFrame(makeVoEvent(nextIvorn()));
    const chunks = [frame.subarray(0, 1), frame.subarray(1, 3), frame.subarray(3, 50), frame.subarray(50)];
    const { frames } = await rawExchange(port, chunks);
    assert.equal(readTransport(parsePayload(frames[0] as Buffer)).role, 'ack');
  });

  for (const [name, chunks] of [
    ['a zero-length frame', [encodeFrame(Buffer.alloc(0))]],
    ['an over-limit length', [Buffer.from([0x7f, 0, 0, 0])]],
    [
      'a little-endian length',
      [
        (() => {
          const b = makeVoEvent('ivo://test.coincide/le#1');
          const p = Buffer.alloc(4);
          p.writeUInt32LE(b.length);
          return Buffer.concat([p, b]);
        })(),
      ],
    ],
    ['non-XML', [encodeFrame(Buffer.from('{"not": "xml"}'))]],
    ['an XML bomb', [encodeFrame(BILLION_LAUGHS)]],
    [
      'a Transport message',
      [
        encodeFrame(
          Buffer.from(
            '<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" role="iamalive" version="1.0"><Origin>ivo://x/y</Origin><TimeStamp>x</TimeStamp></trn:Transport>',
          ),
        ),
      ],
    ],
    ['a root without role (<xml/>)', [encodeFrame(Buffer.from('<xml/>'))]],
    ['a VOEvent without ivorn', [encodeFrame(Buffer.from('<VOEvent role="test"/>'))]],
  ] as Array<[string, Buffer[]]>) {
    it(`closes without any reply on ${name} and keeps serving`, async () => {
      const { frames, closedByServer, bytesReceived } = await rawExchange(port, chunks);
      assert.equal(closedByServer, true);
      assert.equal(frames.length, 0);
      assert.equal(bytesReceived, 0);
      await assertStillServing();
    });
  }

  it('closes a truncated frame when the author closes, and keeps serving', async () => {
    const frame = encodeFrame(makeVoEvent(nextIvorn()));
    const { frames } = await rawExchange(port, [frame.subarray(0, 40)], { endAfterWrite: true, waitMs: 500 });
    assert.equal(frames.length, 0);
    await assertStillServing();
  });

  it('closes a slow sender after the (injected) timeout and logs it', async () => {
    const frame = encodeFrame(makeVoEvent(nextIvorn()));
    const started = Date.now();
    const { frames, closedByServer } = await rawExchange(port, [frame.subarray(0, 10)], { waitMs: 3000 });
    assert.equal(closedByServer, true);
    assert.equal(frames.length, 0);
    assert.ok(Date.now() - started >= 250);
    assert.ok(logger.records.some((r) => String(r.msg).includes('timed out after 0.3 seconds')));
    await assertStillServing();
  });

  it('serves 200 concurrent authors, each acked once', async () => {
    const ivorns = Array.from({ length: 200 }, () => nextIvorn());
    const receipts = await Promise.all(
      ivorns.map((ivorn) =>
        sendEvent({ host: '127.0.0.1', port, bytes: makeVoEvent(ivorn), timeoutMs: 10_000 }),
      ),
    );
    assert.deepEqual(
      receipts.map((r) => r.role),
      ivorns.map(() => 'ack'),
    );
    assert.deepEqual(
      receipts.map((r) => r.message.origin),
      ivorns,
    );
    for (const ivorn of ivorns) assert.equal(t.store.eventsByIvorn(ivorn).length, 1);
  });
});

describe('VTP receiver options', () => {
  it('closes a non-whitelisted peer with zero bytes', async () => {
    const t = openTempStore();
    const receiver = createReceiver({
      ingestor: testIngestor(t.store),
      localIvo: LOCAL_IVO,
      logger: createMemoryLogger(),
      clock: systemClock,
      port: 0,
      whitelist: ['10.0.0.0/8'],
    });
    const { port } = await receiver.start();
    try {
      const { frames, closedByServer, bytesReceived } = await rawExchange(port, [
        encodeFrame(makeVoEvent(nextIvorn())),
      ]);
      assert.equal(closedByServer, true);
      assert.equal(bytesReceived, 0);
      assert.equal(frames.length, 0);
    } finally {
      await receiver.stop();
      t.close();
    }
  });

  it('acks duplicates when configured to follow VTP 2.0 §6.3', async () => {
    const t = openTempStore();
    const receiver = createReceiver({
      ingestor: testIngestor(t.store),
      localIvo: LOCAL_IVO,
      logger: createMemoryLogger(),
      clock: systemClock,
      port: 0,
      duplicateResponse: 'ack',
    });
    const { port } = await receiver.start();
    try {
      const bytes = makeVoEvent(nextIvorn());
      assert.equal((await sendEvent({ host: '127.0.0.1', port, bytes })).role, 'ack');
      assert.equal((await sendEvent({ host: '127.0.0.1', port, bytes })).role, 'ack');
      assert.equal(t.store.countEvents(), 1);
    } finally {
      await receiver.stop();
      t.close();
    }
  });

  it(
    "naks a schema-invalid event (VOEvent 1.1) with the validator's message",
    { skip: skipUnlessShared() },
    async () => {
      const t = openTempStore();
      const receiver = createReceiver({
        ingestor: testIngestor(t.store, { validator: officialSchemaValidator() }),
        localIvo: LOCAL_IVO,
        logger: createMemoryLogger(),
        clock: systemClock,
        port: 0,
      });
      const { port } = await receiver.start();
      try {
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port,
          bytes: readFileSync(samplePath('voevent/grb/gbm_flt_pos.xml')),
          timeoutMs: 15_000,
        });
        assert.equal(receipt.role, 'nak');
        assert.match(receipt.result ?? '', /^Event rejected: /);
        assert.equal(t.store.countEvents(), 0);
      } finally {
        await receiver.stop();
        t.close();
      }
    },
  );

  it('refuses to start on a port already in use', async () => {
    const t = openTempStore();
    const opts = {
      ingestor: testIngestor(t.store),
      localIvo: LOCAL_IVO,
      logger: createMemoryLogger(),
      clock: systemClock,
    };
    const first = createReceiver({ ...opts, port: 0 });
    const { port } = await first.start();
    const second = createReceiver({ ...opts, port });
    try {
      await assert.rejects(second.start(), { code: 'EADDRINUSE' });
    } finally {
      await first.stop();
      await second.stop();
      t.close();
    }
  });
});

/**
 * GCN Kafka ingestion against the real broker: GCN topics fed with real sample payloads, the
 * shared ingest path with SQLite, rebalancing, rewind by time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createGcnConsumer, type GcnIngest, type GcnMessageRecord } from '../../src/gcn/gcn-consumer.ts';
import { DEFAULT_GCN_TOPIC_PATTERNS } from '../../src/gcn/gcn-topics.ts';
import { createMemoryLogger, silentLogger } from '../../src/logger.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTopics, skipUnlessKafka, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { normaliseLikeTheApp, openIngest, variantOf, waitFor } from './gcn-helpers.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const skip = skipUnlessKafka() || skipUnlessShared();

const FEED: Array<{ topic: string; sample: string }> = [
  { topic: 'gcn.classic.voevent.FERMI_GBM_FLT_POS', sample: 'voevent/grb/GRB180116A_Fermi_GBM_Flt_Pos.xml' },
  { topic: 'gcn.classic.voevent.FERMI_GBM_FLT_POS', sample: 'voevent/grb/gbm_flt_pos.xml' },
  { topic: 'gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK', sample: 'voevent/grb/BAT_GRB_Pos_655721-214.xml' },
  { topic: 'gcn.notices.svom.voevent.eclairs', sample: 'voevent/grb/eclairs_296.xml' },
  { topic: 'gcn.notices.svom.voevent.eclairs', sample: 'voevent/grb/eclairs_297.xml' },
  { topic: 'gcn.notices.svom.voevent.grm', sample: 'voevent/grb/grm_284.xml' },
  { topic: 'gcn.notices.svom.voevent.mxt', sample: 'voevent/grb/mxt_42.xml' },
  { topic: 'gcn.notices.einstein_probe.wxt.alert', sample: 'gcn-json/einstein-probe/alert_247.json' },
  { topic: 'gcn.notices.svom.eclairs.wakeup', sample: 'gcn-json/gwcelery/kafka_alert_svom_wakeup.json' },
  { topic: 'igwn.gwalert', sample: 'gcn-json/igwn/MS181101ab-preliminary.json' },
];

describe('GCN Kafka ingestion', { skip }, () => {
  test('takes real GCN payloads from the GCN topic names through the shared ingest path into the store, once each', async () => {
    const kafka = testKafka();
    const topics = [...new Set(FEED.map((f) => f.topic)), 'gcn.heartbeat'];
    // The real GCN names are what the default patterns consume...
    for (const topic of topics)
      assert.ok(
        DEFAULT_GCN_TOPIC_PATTERNS.some((p) => p.test(topic)),
        `${topic} is consumed by default`,
      );
    // ...but the broker is shared by the whole run, and other files (test/e2e) publish on
    // gcn.classic.voevent.* names of their own: subscribe to exactly these topics.
    const exactTopics = topics.map((t) => t.replace(/\./g, '\\.'));
    await createTopics(
      kafka,
      topics.map((topic) => ({ topic })),
    );
    const producer = kafka.producer();
    await producer.connect();
    for (const item of FEED)
      await producer.send({
        topic: item.topic,
        messages: [{ value: readFileSync(samplePath(item.sample)) }],
      });
    // The same bytes on a second topic: de-duplicated by SHA-256 like any other input.
    const repeated = readFileSync(samplePath(FEED[0]?.sample ?? ''));
    await producer.send({
      topic: 'gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK',
      messages: [{ value: repeated }],
    });
    await producer.send({
      topic: 'gcn.heartbeat',
      messages: [{ value: JSON.stringify({ alert_datetime: new Date().toISOString() }) }],
    });

    const ingest = openIngest();
    const seen: Array<{ topic: string; bytes: Buffer }> = [];
    const records: GcnMessageRecord[] = [];
    const wrapped: GcnIngest = (bytes, options) => {
      seen.push({ topic: options.peer, bytes });
      return ingest.ingestor.ingest(bytes, options);
    };
    const consumer = createGcnConsumer({
      kafka,
      groupId: uniqueName('gcn-samples'),
      topics: exactTopics,
      ingest: wrapped,
      clock: systemClock,
      logger: silentLogger,
      onProcessed: (record) => {
        records.push(record);
      },
    });
    try {
      await consumer.start();
      await waitFor(
        () => records.filter((r) => r.outcome.outcome !== 'heartbeat').length === FEED.length + 1,
        30_000,
        'every notice message',
      );
      // A heartbeat sent after the group joined (the heartbeat topic starts at its end).
      await producer.send({
        topic: 'gcn.heartbeat',
        messages: [{ value: JSON.stringify({ alert_datetime: new Date().toISOString() }) }],
      });
      await waitFor(() => consumer.health().heartbeat?.status === 'ok', 15_000, 'a heartbeat');
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }

    try {
      // Every message reached ingest with its exact bytes and its topic as the peer. Delivery is
      // at least once: a rebalance on a slow machine may hand an uncommitted message over again,
      // so count distinct (topic, payload) pairs; the store below proves each is kept once.
      const distinctDeliveries = new Set(seen.map((s) => `${s.topic}\u0000${sha256(s.bytes)}`));
      assert.equal(distinctDeliveries.size, FEED.length + 1);
      assert.ok(seen.length >= FEED.length + 1);
      for (const item of FEED) {
        const bytes = readFileSync(samplePath(item.sample));
        assert.ok(
          seen.some((s) => s.topic === item.topic && s.bytes.equals(bytes)),
          `${item.sample} on ${item.topic}`,
        );
      }
      // VOEvents and JSON notices: stored once, with the same Notice the other inputs produce.
      for (const item of FEED) {
        const bytes = readFileSync(samplePath(item.sample));
        const event = ingest.store.getEventBySha256(sha256(bytes));
        assert.ok(event, `${item.sample} stored`);
        assert.equal(event.input, 'gcn-kafka');
        assert.ok(event.bytes.equals(bytes));
        const expected = normaliseLikeTheApp(bytes);
        const stored = ingest.store.noticesByIvorn(expected.ivorn).map((n) => n.notice);
        assert.deepEqual(stored, [expected]);
      }
      const distinct = new Set(FEED.map((f) => f.sample)).size;
      const outcomes = records.map((r) => r.outcome.outcome);
      // The repeated payload is a duplicate, and so is any redelivery.
      assert.equal(outcomes.filter((o) => o === 'duplicate').length, seen.length - distinct);
      assert.ok(seen.length - distinct >= 1, 'the repeated payload is a duplicate');
      assert.equal(ingest.notices.length, distinct, 'no Notice goes downstream twice');
      assert.equal(outcomes.filter((o) => o === 'accepted').length, distinct);
      const health = consumer.health();
      assert.equal(health.messages.received, seen.length);
      assert.equal(health.heartbeat?.count !== undefined && health.heartbeat.count >= 1, true);
      assert.deepEqual(health.topics, [...topics].sort());

      // Offsets are committed: the group's position is after every message.
      const admin = kafka.admin();
      await admin.connect();
      const committed = await admin.fetchOffsets({
        groupId: health.groupId,
        topics: [...new Set(FEED.map((f) => f.topic))],
      });
      await admin.disconnect();
      for (const t of committed) {
        const expectedCount =
          FEED.filter((f) => f.topic === t.topic).length +
          (t.topic === 'gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK' ? 1 : 0);
        assert.equal(t.partitions[0]?.offset, String(expectedCount), t.topic);
      }
    } finally {
      ingest.close();
    }
  });

  test('shares the partitions between two consumers of one group and hands them over when one leaves, losing nothing', async () => {
    const kafka = testKafka();
    const topic = uniqueName('test.gcn.classic.voevent.REBALANCE');
    const groupId = uniqueName('gcn-rebalance');
    await createTopics(kafka, [{ topic, numPartitions: 4 }]);
    const sample = readFileSync(samplePath('voevent/grb/GRB180116A_Fermi_GBM_Flt_Pos.xml'));
    const producer = kafka.producer();
    await producer.connect();
    const ingest = openIngest();
    const handledBy: Record<'a' | 'b', GcnMessageRecord[]> = { a: [], b: [] };
    const make = (name: 'a' | 'b') =>
      createGcnConsumer({
        kafka,
        groupId,
        topics: [new RegExp(`^${topic.replace(/\./g, '\\.')}$`)],
        ingest: (bytes, options) => ingest.ingestor.ingest(bytes, options),
        clock: systemClock,
        logger: silentLogger,
        sessionTimeoutMs: 10_000,
        onProcessed: (record) => {
          handledBy[name].push(record);
        },
      });
    const a = make('a');
    const b = make('b');
    let sent = 0;
    const send = async (count: number): Promise<void> => {
      const messages = Array.from({ length: count }, (_, i) => ({
        key: `k${sent + i}`,
        value: variantOf(sample, sent + i),
      }));
      sent += count;
      await producer.send({ topic, messages });
    };
    const accepted = (): number => ingest.notices.length;
    try {
      await a.start();
      await send(20);
      await waitFor(() => accepted() === 20, 30_000, 'consumer a alone');
      await b.start();
      await send(40);
      await waitFor(() => accepted() === 60, 30_000, 'both consumers');
      assert.ok(handledBy.b.length > 0, 'after the rebalance the second consumer owns partitions');
      const aBefore = handledBy.a.length;
      assert.ok(aBefore > 20, 'the first consumer keeps some partitions');
      await a.stop();
      await send(20);
      await waitFor(() => accepted() === 80, 30_000, 'consumer b alone after a left');
      assert.equal(handledBy.a.length, aBefore, 'a stopped consuming');
      const partitionsOfB = new Set(handledBy.b.slice(-20).map((r) => r.partition));
      assert.ok(partitionsOfB.size > 1, 'b took over the partitions a had');
    } finally {
      await a.stop();
      await b.stop();
      await producer.disconnect();
    }
    try {
      assert.equal(ingest.store.countEvents(), 80);
      assert.equal(
        new Set(ingest.notices.map((n) => n.ivorn)).size,
        80,
        'every message became exactly one Notice',
      );
    } finally {
      ingest.close();
    }
  });

  test('a new group rewinds by time: to the last message seen (plus a margin), never past the maximum', async () => {
    const kafka = testKafka();
    const topic = uniqueName('test.gcn.classic.voevent.REWIND');
    await createTopics(kafka, [{ topic }]);
    const sample = readFileSync(samplePath('voevent/grb/gbm_flt_pos.xml'));
    const nowMs = Date.now();
    const agesMin = [180, 120, 10, 1];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: agesMin.map((age, i) => ({
        value: variantOf(sample, i),
        timestamp: String(nowMs - age * 60_000),
      })),
    });
    await producer.disconnect();

    const consumeWith = async (extra: { lastSeenMs?: number; maxRewindMs: number }): Promise<number[]> => {
      const ingest = openIngest();
      const logger = createMemoryLogger();
      const offsets: number[] = [];
      const consumer = createGcnConsumer({
        kafka,
        groupId: uniqueName('gcn-rewind'),
        topics: [topic.replace(/\./g, '\\.')],
        ingest: (bytes, options) => ingest.ingestor.ingest(bytes, options),
        clock: systemClock,
        logger,
        maxRewindMs: extra.maxRewindMs,
        ...(extra.lastSeenMs === undefined ? {} : { lastSeenMs: () => extra.lastSeenMs }),
        onProcessed: (record) => {
          offsets.push(Number(record.offset));
        },
      });
      try {
        await consumer.start();
        await waitFor(() => offsets.includes(3), 20_000, 'the newest message');
        // Nothing older arrives later: the committed start position is the rewind point.
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        await consumer.stop();
        ingest.close();
      }
      assert.ok(
        logger.records.some((r) => r.msg === 'GCN partitions without committed offsets positioned by time'),
      );
      return offsets;
    };
    // Last seen 30 min ago: the 10-min and 1-min messages only.
    assert.deepEqual(
      await consumeWith({ lastSeenMs: nowMs - 30 * 60_000, maxRewindMs: 24 * 3_600_000 }),
      [2, 3],
    );
    // Unknown last message, 150-min maximum: everything but the 180-min-old message.
    assert.deepEqual(await consumeWith({ maxRewindMs: 150 * 60_000 }), [1, 2, 3]);
  });
});

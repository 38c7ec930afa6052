/**
 * The project's real Kafka broker works with kafkajs 2.2.4 for everything coincide needs:
 * admin, produce, consume, offsets for times, committed consumer-group offsets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from './kafka-env.ts';

describe('the test Kafka broker', { skip: skipUnlessKafka() }, () => {
  test('answers describeCluster with one broker that is also the controller', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.brokers.length, 1);
      assert.equal(cluster.controller, cluster.brokers[0]?.nodeId);
      assert.equal(`${cluster.brokers[0]?.host}:${cluster.brokers[0]?.port}`, testBrokers()[0]);
    } finally {
      await admin.disconnect();
    }
  });

  test('gives back every produced message with its key, value and headers, across partitions', async () => {
    const kafka = testKafka();
    const topic = uniqueName('roundtrip');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 7}`,
      value: Buffer.from([i, 0, 255, 10, i]),
      headers: { n: String(i) },
    }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('roundtrip-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: Buffer; n: string; partition: number }> = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            received.push({
              key: message.key?.toString() ?? '',
              value: message.value ?? Buffer.alloc(0),
              n: String(message.headers?.n),
              partition,
            });
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    received.sort((a, b) => Number(a.n) - Number(b.n));
    assert.deepEqual(
      received.map((r) => ({ key: r.key, value: r.value, headers: { n: r.n } })),
      sent,
    );
    // One key always lands on one partition.
    for (const key of new Set(sent.map((m) => m.key))) {
      assert.equal(new Set(received.filter((r) => r.key === key).map((r) => r.partition)).size, 1);
    }
  });

  test('finds the first offset at or after a timestamp (offsets for times)', async () => {
    const kafka = testKafka();
    const topic = uniqueName('times');
    await createTopics(kafka, [{ topic }]);
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now() - 3_600_000;
    await producer.send({
      topic,
      messages: [0, 1, 2, 3].map((i) => ({ value: `m${i}`, timestamp: String(t0 + i * 60_000) })),
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const at = async (ms: number): Promise<string | undefined> =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, ms))[0]?.offset;
      assert.equal(await at(t0 - 1), '0');
      assert.equal(await at(t0 + 60_000), '1');
      assert.equal(await at(t0 + 60_001), '2');
      // Past the last message: the end offset (Kafka answers -1, kafkajs maps it to the high watermark).
      assert.equal(await at(t0 + 600_000), '4');
    } finally {
      await admin.disconnect();
    }
  });

  test("keeps a consumer group's committed offsets after the consumer leaves", async () => {
    const kafka = testKafka();
    const topic = uniqueName('commits');
    const groupId = uniqueName('commits-group');
    await createTopics(kafka, [{ topic }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd'].map((value) => ({ value })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message, partition }) => {
            // Commit the offset of the NEXT message to read, as Kafka defines it.
            await consumer.commitOffsets([
              { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
            ]);
            if (message.value?.toString() === 'c') resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.ok(offsets);
      assert.equal(offsets.partitions[0]?.offset, '3');
    } finally {
      await admin.disconnect();
    }
  });
});

/**
 * Coincidences on the real broker: fink_mm_coincidences plus the Fink-named tier topics.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { silentLogger } from '../../src/logger.ts';
import {
  createKafkaCoincidenceSink,
  decodeCoincidenceMessage,
  decodeFinkMmMessage,
  finkTierTopic,
} from '../../src/sinks/kafka-coincidences.ts';
import { FINK_MM_TIER_SCHEMA, finkMmRecord } from '../../src/sinks/fink-mm-record.ts';
import { HEADER_TRIGGER_ID, schemaKeyText } from '../../src/sinks/kafka-framing.ts';
import { createSinkProducer } from '../../src/sinks/kafka-notices.ts';
import { runFinkPeer } from '../helpers/fink-alert.ts';
import { skipUnlessVenvModules } from '../helpers/python.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { MM_COINCIDENCE, OPTICAL_COINCIDENCE } from './avro/coincidence-fixtures.ts';
import { makeTriple } from '../http/records.ts';

async function readAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('coinc-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: KafkaMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push(message);
          if (received.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

const gw: Coincidence = {
  ...OPTICAL_COINCIDENCE,
  id: 'c-gw',
  tier: 'bronze',
  trigger: { ...OPTICAL_COINCIDENCE.trigger, triggerId: 'LVK:S230518h', messenger: 'gw', observatory: 'LVK' },
};

describe('Fink tier topics', () => {
  test('are named fink_<grb|gw|nu>_<tier> for tiered optical candidates and absent otherwise', () => {
    assert.equal(finkTierTopic(OPTICAL_COINCIDENCE), 'fink_grb_gold');
    assert.equal(finkTierTopic(gw), 'fink_gw_bronze');
    assert.equal(finkTierTopic({ ...gw, trigger: { ...gw.trigger, messenger: 'xray' } }), 'fink_grb_bronze');
    assert.equal(
      finkTierTopic({ ...gw, trigger: { ...gw.trigger, messenger: 'neutrino' } }),
      'fink_nu_bronze',
    );
    assert.equal(finkTierTopic({ ...gw, tier: null }), null);
    assert.equal(finkTierTopic(MM_COINCIDENCE), null);
    // Triples go to the coincidence topic only (the tier topics carry fink-mm's pair layout).
    assert.equal(finkTierTopic(makeTriple()), null);
    assert.equal(finkTierTopic(gw, 'test_'), 'test_gw_bronze');
  });
});

describe('coincidences on Kafka', { skip: skipUnlessKafka() }, () => {
  test('go to the coincidence topic keyed by triggerId, and tiered optical ones to their tier topic too', async () => {
    const prefix = uniqueName('t').replace('-', '') + '_';
    const topic = `${prefix}fink_mm_coincidences`;
    const kafka = testKafka();
    const tierFor = (c: Coincidence): string | null => finkTierTopic(c, `${prefix}fink_`);
    await createTopics(kafka, [
      { topic },
      { topic: `${prefix}fink_grb_gold` },
      { topic: `${prefix}fink_gw_bronze` },
    ]);
    const producer = createSinkProducer(kafka);
    await producer.connect();
    const sink = createKafkaCoincidenceSink({ producer, topic, tierTopicFor: tierFor, logger: silentLogger });
    assert.deepEqual(await sink.publish(OPTICAL_COINCIDENCE), [topic, `${prefix}fink_grb_gold`]);
    assert.deepEqual(await sink.publish(MM_COINCIDENCE), [topic]);
    assert.deepEqual(await sink.publish(gw), [topic, `${prefix}fink_gw_bronze`]);
    const triple = makeTriple();
    assert.deepEqual(await sink.publish(triple), [topic]);
    await producer.disconnect();

    const all = await readAll(topic, 4);
    assert.deepStrictEqual(
      all.map((m) => decodeCoincidenceMessage(m)),
      [OPTICAL_COINCIDENCE, MM_COINCIDENCE, gw, triple],
    );
    assert.deepEqual(
      all.map((m) => m.key?.toString()),
      ['Fermi:537755817', 'Fermi:537755817', 'LVK:S230518h', 'LVK:S250101a'],
    );
    assert.deepEqual(
      all.map((m) => m.headers?.['coincide-coincidence-id']?.toString()),
      ['c-0123456789abcdef', 'c-mm', 'c-gw', triple.id],
    );
    assert.equal(all[3]?.headers?.['coincide-schema']?.toString(), 'coincide.v3.Coincidence/3');
    // Tier topics: fink-mm's layout, the schema as the key (as Fink publishes), the trigger in a header.
    const [gold] = await readAll(`${prefix}fink_grb_gold`, 1);
    assert.ok(gold);
    assert.deepStrictEqual(decodeFinkMmMessage(gold), finkMmRecord(OPTICAL_COINCIDENCE));
    assert.equal(gold.key?.toString(), schemaKeyText(FINK_MM_TIER_SCHEMA));
    assert.equal(gold.headers?.[HEADER_TRIGGER_ID]?.toString(), 'Fermi:537755817');
    const [bronze] = await readAll(`${prefix}fink_gw_bronze`, 1);
    assert.ok(bronze);
    assert.equal(decodeFinkMmMessage(bronze).triggerId, 'S230518h');
    assert.equal(decodeFinkMmMessage(bronze).observatory, 'LVK');
  });

  test('keyed by schema, each trigger keeps the partition a producer keyed by its trigger id picks', async () => {
    const prefix = uniqueName('k').replace('-', '') + '_';
    const schemaKeyed = `${prefix}schema_keyed`;
    const triggerKeyed = `${prefix}trigger_keyed`;
    const kafka = testKafka();
    await createTopics(kafka, [
      { topic: schemaKeyed, numPartitions: 5 },
      { topic: triggerKeyed, numPartitions: 5 },
    ]);
    const producer = createSinkProducer(kafka);
    await producer.connect();
    const coincidences = ['Fermi:1', 'Swift:2', 'LVK:S3', 'INTEGRAL:4', 'IceCube:5', 'Fermi:6'].map(
      (triggerId, i) => ({
        ...OPTICAL_COINCIDENCE,
        id: `c-${String(i)}`,
        trigger: { ...OPTICAL_COINCIDENCE.trigger, triggerId },
      }),
    );
    const bySchema = createKafkaCoincidenceSink({
      producer,
      topic: schemaKeyed,
      keyMode: 'schema',
      tierTopics: false,
      logger: silentLogger,
    });
    const byTrigger = createKafkaCoincidenceSink({
      producer,
      topic: triggerKeyed,
      tierTopics: false,
      logger: silentLogger,
    });
    for (const c of coincidences) {
      await bySchema.publish(c);
      await byTrigger.publish(c);
    }
    await producer.disconnect();
    const partitionOf = async (topic: string): Promise<Map<string, number>> => {
      const consumer = testKafka().consumer({ groupId: uniqueName('partitions') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen = new Map<string, number>();
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              seen.set(decodeCoincidenceMessage(message).trigger.triggerId, partition);
              if (seen.size === coincidences.length) resolve();
              await Promise.resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return seen;
    };
    const schemaPartitions = await partitionOf(schemaKeyed);
    assert.deepEqual(schemaPartitions, await partitionOf(triggerKeyed));
    assert.ok(new Set(schemaPartitions.values()).size > 1, 'the triggers spread over partitions');
    // An independent implementation: librdkafka's partitioner=murmur2 (Java-compatible), keyed by trigger id.
    if (!skipUnlessVenvModules(['confluent_kafka'])) {
      const librdkafkaTopic = `${prefix}librdkafka_keyed`;
      await createTopics(kafka, [{ topic: librdkafkaTopic, numPartitions: 5 }]);
      const [byLibrdkafka] = runFinkPeer([
        'partitions',
        testBrokers().join(','),
        librdkafkaTopic,
        ...schemaPartitions.keys(),
      ]);
      assert.deepEqual(new Map(Object.entries(byLibrdkafka ?? {})), schemaPartitions);
    }
  });
});

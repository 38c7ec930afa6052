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
  finkTierTopic,
} from '../../src/sinks/kafka-coincidences.ts';
import { createSinkProducer } from '../../src/sinks/kafka-notices.ts';
import { createTopics, skipUnlessKafka, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { MM_COINCIDENCE, OPTICAL_COINCIDENCE } from './avro/coincidence-fixtures.ts';

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
    await producer.disconnect();

    const all = await readAll(topic, 3);
    assert.deepStrictEqual(
      all.map((m) => decodeCoincidenceMessage(m)),
      [OPTICAL_COINCIDENCE, MM_COINCIDENCE, gw],
    );
    assert.deepEqual(
      all.map((m) => m.key?.toString()),
      ['Fermi:537755817', 'Fermi:537755817', 'LVK:S230518h'],
    );
    assert.deepEqual(
      all.map((m) => m.headers?.['coincide-coincidence-id']?.toString()),
      ['c-0123456789abcdef', 'c-mm', 'c-gw'],
    );
    const [gold] = await readAll(`${prefix}fink_grb_gold`, 1);
    assert.ok(gold);
    assert.deepStrictEqual(decodeCoincidenceMessage(gold), OPTICAL_COINCIDENCE);
    const [bronze] = await readAll(`${prefix}fink_gw_bronze`, 1);
    assert.ok(bronze);
    assert.deepStrictEqual(decodeCoincidenceMessage(bronze), gw);
  });
});

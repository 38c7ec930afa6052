/**
 * The Fink stream on the real broker: notices published Avro (or JSON) keyed by triggerId, and
 * rebuilt exactly by a consumer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { silentLogger } from '../../src/logger.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { NOTICE_SCHEMA } from '../../src/sinks/avro/notice-avro.ts';
import {
  createKafkaNoticeSink,
  createSinkProducer,
  decodeNoticeMessage,
  DEFAULT_NOTICE_TOPIC,
} from '../../src/sinks/kafka-notices.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTopics, skipUnlessKafka, testKafka, uniqueName } from '../kafka/kafka-env.ts';

const SAMPLES = [
  'voevent/grb/GBM_Flt_Pos_2023-09-11T07:53:09.73_716111594_48-489.xml',
  'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml',
  'voevent/grb/GBM_Fin_Pos2023-09-11T07:53:09.73_716111594_0-588.xml',
  'voevent/grb/BAT_GRB_Pos_655721-214.xml',
  'voevent/grb/eclairs_296.xml',
  'gcn-json/igwn/MS181101ab-preliminary.json',
  'gcn-json/igwn/MS181101ab-retraction.json',
  'gcn-json/einstein-probe/alert_247.json',
];

async function readAll(
  topic: string,
  count: number,
): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const consumer = testKafka().consumer({ groupId: uniqueName('fink-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Array<{ partition: number; message: KafkaMessage }> = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          received.push({ partition, message });
          if (received.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

describe('the Fink stream of notices on Kafka', { skip: skipUnlessKafka() || skipUnlessShared() }, () => {
  test('publishes every notice keyed by triggerId with the schema fingerprint, and a consumer rebuilds each exactly, in order per trigger', async () => {
    const notices: Notice[] = SAMPLES.map((s) => parseNoticeDocument(readFileSync(samplePath(s))));
    const topic = uniqueName(DEFAULT_NOTICE_TOPIC);
    const kafka = testKafka();
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const producer = createSinkProducer(kafka);
    await producer.connect();
    const sink = createKafkaNoticeSink({ producer, topic, logger: silentLogger });
    for (const notice of notices) await sink.publish(notice);
    await producer.disconnect();

    const received = await readAll(topic, notices.length);
    const decoded = received.map((r) => decodeNoticeMessage(r.message));
    for (const [i, r] of received.entries()) {
      assert.equal(r.message.key?.toString(), decoded[i]?.triggerId);
      assert.equal(r.message.headers?.['coincide-schema-fingerprint']?.toString(), NOTICE_SCHEMA.fingerprint);
      assert.equal(r.message.headers?.['content-type']?.toString(), 'application/avro');
    }
    const byIvorn = (list: Notice[]): Notice[] => [...list].sort((a, b) => a.ivorn.localeCompare(b.ivorn));
    assert.deepStrictEqual(byIvorn(decoded), byIvorn(notices));
    // The three GBM versions of trigger 716111594 share one partition and keep their order.
    const gbm = received.filter((r) => r.message.key?.toString() === notices[0]?.triggerId);
    assert.equal(gbm.length, 3);
    assert.equal(new Set(gbm.map((r) => r.partition)).size, 1);
    assert.deepEqual(
      gbm.map((r) => decodeNoticeMessage(r.message).ivorn),
      notices.slice(0, 3).map((n) => n.ivorn),
    );
  });

  test('publishes JSON when asked, readable by the same decoder', async () => {
    const notice = parseNoticeDocument(readFileSync(samplePath(SAMPLES[3] ?? '')));
    const topic = uniqueName('fink_mm_notices_json');
    const kafka = testKafka();
    await createTopics(kafka, [{ topic }]);
    const producer = createSinkProducer(kafka);
    await producer.connect();
    await createKafkaNoticeSink({ producer, topic, format: 'json', logger: silentLogger }).publish(notice);
    await producer.disconnect();
    const [r] = await readAll(topic, 1);
    assert.ok(r);
    assert.equal(r.message.headers?.['content-type']?.toString(), 'application/json');
    assert.deepStrictEqual(JSON.parse(r.message.value?.toString() ?? ''), JSON.parse(JSON.stringify(notice)));
    assert.deepStrictEqual(decodeNoticeMessage(r.message), JSON.parse(JSON.stringify(notice)));
  });

  test('fails with KAFKA_FAILED, retriable, when the producer is not connected', async () => {
    const producer = testKafka().producer();
    const notice = parseNoticeDocument(readFileSync(samplePath(SAMPLES[3] ?? '')));
    await assert.rejects(createKafkaNoticeSink({ producer, logger: silentLogger }).publish(notice), {
      code: 'KAFKA_FAILED',
      retriable: true,
    });
  });
});

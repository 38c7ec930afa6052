/**
 * End to end over Kafka, with the real service process and the test broker
 * (COINCIDE_TEST_KAFKA_BROKERS): a GRB VOEvent on a GCN-named topic and a Rubin/LSST alert on an
 * optical topic become a coincidence on the WebSocket stream and on the Kafka outputs (the
 * notice stream and the coincidence topic, Avro), decoded back to the same records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { decodeCoincidenceMessage } from '../../src/sinks/kafka-coincidences.ts';
import { decodeNoticeMessage } from '../../src/sinks/kafka-notices.ts';
import type { Coincidence } from '../../src/join/coincidence.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { readAlertFile } from '../../src/optical/file-source.ts';
import { createStreamClient, type StreamMessage } from '../../src/sinks/websocket-client.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { startServe, until } from './serve-process.ts';

const LSST_ALERT = 'lsst-avro/v10_0/fakeAlert.avro';
const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';
const skip = skipUnlessShared() || skipUnlessKafka();

const dir = mkdtempSync(join(tmpdir(), 'coincide-e2e-kafka-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('coincide serve end to end over Kafka', { skip, timeout: 300_000 }, () => {
  it('joins a GRB notice from a GCN topic with an optical alert from a Kafka topic, out to WebSocket and Kafka', async () => {
    const [alert] = await readAlertFile(samplePath(LSST_ALERT), new OpticalAlertDecoder());
    assert.ok(alert);
    const t0Mjd = alert.firstDetectionMjd - 0.5;
    const iso = new Date(mjdToUnixMs(t0Mjd)).toISOString().slice(0, 22);
    const grb = readFileSync(samplePath(GBM_GND), 'utf8')
      .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, `GBM_Gnd_Pos_${iso}_990000101_58-491`)
      .replace(/name="TrigID" value="716111594"/, 'name="TrigID" value="990000101"')
      .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
      .replace(/<C1>[^<]+<\/C1>/, `<C1>${(alert.raDeg + 0.5).toFixed(4)}</C1>`)
      .replace(/<C2>[^<]+<\/C2>/, `<C2>${alert.decDeg.toFixed(4)}</C2>`);

    const gcnTopic = `gcn.classic.voevent.${uniqueName('E2E').replace(/-/g, '_')}`;
    const opticalTopic = uniqueName('e2e-lsst');
    const noticeOutTopic = uniqueName('e2e-notices-out');
    const coincidenceOutTopic = uniqueName('e2e-coincidences-out');
    const kafka = testKafka();
    await createTopics(kafka, [
      { topic: gcnTopic },
      { topic: opticalTopic },
      { topic: noticeOutTopic },
      { topic: coincidenceOutTopic },
    ]);
    const fromKafka: { notices: Notice[]; coincidences: Coincidence[] } = { notices: [], coincidences: [] };
    const outConsumer = kafka.consumer({ groupId: uniqueName('e2e-out') });
    await outConsumer.connect();
    await outConsumer.subscribe({ topics: [noticeOutTopic, coincidenceOutTopic], fromBeginning: true });
    await outConsumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === noticeOutTopic) fromKafka.notices.push(decodeNoticeMessage(message));
        else fromKafka.coincidences.push(decodeCoincidenceMessage(message));
        await Promise.resolve();
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: gcnTopic, messages: [{ value: Buffer.from(grb) }] });
    await producer.send({ topic: opticalTopic, messages: [{ value: readFileSync(samplePath(LSST_ALERT)) }] });
    await producer.disconnect();

    const dbPath = join(dir, 'kafka.db');
    const token = createTestToken(dbPath);
    const adminAuth = {
      headers: { Authorization: `Bearer ${createTestToken(dbPath, 'admin', { scopes: ['admin'] })}` },
    };
    const brokers = testBrokers().join(',');
    const serve = await startServe({
      dbPath,
      args: [
        '--gcn-brokers',
        brokers,
        '--gcn-topic',
        `^${gcnTopic.replace(/\./g, '\\.')}$`,
        '--gcn-group',
        uniqueName('e2e-gcn'),
        '--optical-kafka-brokers',
        brokers,
        '--optical-kafka-topic',
        opticalTopic,
        '--optical-kafka-group',
        uniqueName('e2e-optical'),
        '--optical-kafka-from-beginning',
        'true',
        '--kafka-out-brokers',
        brokers,
        '--kafka-out-notice-topic',
        noticeOutTopic,
        '--kafka-out-coincidence-topic',
        coincidenceOutTopic,
      ],
      timeoutMs: 120_000,
    });
    const messages: StreamMessage[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${serve.ports.http ?? 0}/v1/stream`,
      token,
      since: 0,
      onMessage: (m) => {
        if (m.type !== 'heartbeat') messages.push(m);
      },
    });
    try {
      const notice = await until('the notice from GCN Kafka', () =>
        messages.find((m) => m.type === 'notice'),
      );
      assert.equal((notice.data as { triggerId: string }).triggerId, 'Fermi:990000101');
      const coincidence = await until('the coincidence', () =>
        messages.find((m) => m.type === 'coincidence'),
      );
      const data = coincidence.data as { counterpart: { alertId: string } };
      assert.equal(data.counterpart.alertId, alert.alertId);
      const health = (await (
        await fetch(`http://127.0.0.1:${serve.ports.http ?? 0}/healthz`, adminAuth)
      ).json()) as {
        inputs: Record<string, unknown>;
      };
      assert.ok('gcn-kafka' in health.inputs);
      assert.ok('optical' in health.inputs);

      const kafkaCoincidence = await until('the coincidence on Kafka', () => fromKafka.coincidences[0]);
      assert.deepEqual(kafkaCoincidence, coincidence.data);
      const kafkaNotice = await until('the notice on Kafka', () => fromKafka.notices[0]);
      assert.deepEqual(kafkaNotice, notice.data);
    } finally {
      await outConsumer.disconnect();
      await client.close();
      assert.equal(await serve.stop('SIGTERM'), 0);
    }
  });
});

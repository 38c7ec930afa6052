/**
 * serve's optical Kafka input (src/app/optical-kafka-input.ts) on the real test broker, with each
 * client: Confluent-framed Rubin/LSST messages are decoded with the writer schema of the
 * registry named by optical.kafka.schemaRegistryUrl (a registry stand-in on 127.0.0.1), asked
 * once; without that option the same messages are skipped as AVRO_UNKNOWN_SCHEMA, as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOpticalKafkaInput } from '../../src/app/optical-kafka-input.ts';
import { systemClock } from '../../src/clock.ts';
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { loadRdkafka } from '../../src/optical/rdkafka-source.ts';
import { LocalSchemaRegistry } from '../../src/optical/schema-registry.ts';
import { encodeConfluentMessage } from '../../src/optical/wire-format.ts';
import { buildLsstRecords, LSST_SCHEMA_ID } from '../../scripts/optical/packets.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { startRegistry } from '../optical/registry-server.ts';

const skip = skipUnlessShared() || skipUnlessKafka();

function rdkafkaSkip(): false | string {
  const loaded = loadRdkafka();
  if (!('error' in loaded)) return false;
  if (process.env.CI) throw new Error(`node-rdkafka is required in CI: ${loaded.error}`);
  return `skipped: node-rdkafka is not installed (${loaded.error})`;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const client of ['kafkajs', 'librdkafka'] as const) {
  describe(
    `serve's optical Kafka input with a schema registry (${client})`,
    { skip: skip || (client === 'librdkafka' && rdkafkaSkip()), timeout: 180_000 },
    () => {
      it('decodes Confluent-framed messages with the schemas of optical.kafka.schemaRegistryUrl', async () => {
        const { writerType, records } = buildLsstRecords({ count: 3, seed: 11 });
        const messages = records.map((r) => encodeConfluentMessage(LSST_SCHEMA_ID, writerType.toBuffer(r)));
        const kafka = testKafka();
        const topic = uniqueName('optical-registry');
        await createTopics(kafka, [{ topic }]);
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic, messages: messages.map((value) => ({ value })) });
        await producer.disconnect();
        const expected = await Promise.all(
          messages.map((m) =>
            new OpticalAlertDecoder({
              registry: new LocalSchemaRegistry([[LSST_SCHEMA_ID, writerType.schema()]]),
            }).decodeConfluent(m),
          ),
        );
        const registry = await startRegistry(new Map([[LSST_SCHEMA_ID, writerType.schema()]]));
        const config = (schemaRegistryUrl: string): Config['optical']['kafka'] => ({
          brokers: testBrokers(),
          topics: [topic],
          groupId: uniqueName('optical-g'),
          fromBeginning: true,
          format: 'auto',
          client,
          schemaRegistryUrl,
          // A small prefetch queue (librdkafka: 16 MiB instead of 256) still reads everything.
          prefetchMiB: 16,
        });
        const deps = { logger: silentLogger, clock: systemClock, cluster: false };
        try {
          const received: string[] = [];
          const errors: string[] = [];
          const input = createOpticalKafkaInput(config(registry.url), deps, {
            onAlert: (alert) => void received.push(alert.alertId),
            onDecodeError: (error) => errors.push(error.code),
          });
          assert.equal(input.client, client);
          await input.start();
          try {
            await waitFor(() => received.length === messages.length, 60_000, 'the decoded alerts');
          } finally {
            await input.stop();
          }
          assert.deepEqual(
            received,
            expected.map((a) => a.alertId),
          );
          assert.deepEqual(errors, []);
          assert.deepEqual(registry.requests, [`/schemas/ids/${String(LSST_SCHEMA_ID)}`]);

          // The same messages without a registry: skipped, each reported as before this option.
          const unknown: string[] = [];
          const without = createOpticalKafkaInput(config(''), deps, {
            onAlert: () => assert.fail('no alert decodes without the schema'),
            onDecodeError: (error) => unknown.push(error.code),
          });
          await without.start();
          try {
            await waitFor(() => unknown.length === messages.length, 60_000, 'the decode errors');
          } finally {
            await without.stop();
          }
          assert.deepEqual(unknown, ['AVRO_UNKNOWN_SCHEMA', 'AVRO_UNKNOWN_SCHEMA', 'AVRO_UNKNOWN_SCHEMA']);
          assert.equal(registry.requests.length, 1);
        } finally {
          registry.server.close();
        }
      });
    },
  );
}

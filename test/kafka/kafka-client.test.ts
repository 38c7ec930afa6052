import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createKafkaClient } from '../../src/kafka/kafka-client.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import {
  createTopics,
  skipUnlessKafka,
  skipUnlessKafkaSasl,
  testBrokers,
  testSaslBrokers,
  uniqueName,
} from './kafka-env.ts';
import { startTokenServer, type TokenServer } from './oidc-server.ts';

describe('createKafkaClient', () => {
  test('refuses a broker address that is not host:port with CONFIG_INVALID', () => {
    assert.throws(
      () =>
        createKafkaClient({ brokers: ['localhost'] }, { logger: createMemoryLogger(), clock: systemClock }),
      {
        code: 'CONFIG_INVALID',
      },
    );
    assert.throws(
      () => createKafkaClient({ brokers: [] }, { logger: createMemoryLogger(), clock: systemClock }),
      {
        code: 'CONFIG_INVALID',
      },
    );
  });

  test('sends kafkajs logs through our logger as JSON records', { skip: skipUnlessKafka() }, async () => {
    const logger = createMemoryLogger();
    const { kafka } = createKafkaClient(
      { brokers: testBrokers(), clientId: 'log-test' },
      { logger, clock: systemClock },
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.disconnect();
    assert.ok(
      logger.records.some(
        (r) => r.component === 'kafkajs' && typeof r.msg === 'string' && r.msg.startsWith('kafkajs: '),
      ),
    );
  });
});

describe(
  'SASL/OAUTHBEARER with OIDC client credentials against the real broker',
  { skip: skipUnlessKafkaSasl() },
  () => {
    let server: TokenServer;
    before(async () => {
      server = await startTokenServer({ 'gcn-like-client': 'the-secret' });
    });
    after(async () => {
      await server.close();
    });

    test('authenticates with a token from the endpoint, then produces and reads back a message', async () => {
      const { kafka, tokens } = createKafkaClient(
        {
          brokers: testSaslBrokers(),
          auth: {
            type: 'oidc',
            tokenUrl: server.url,
            clientId: 'gcn-like-client',
            clientSecret: 'the-secret',
          },
        },
        { logger: createMemoryLogger(), clock: systemClock },
      );
      const topic = uniqueName('sasl');
      await createTopics(kafka, [{ topic }]);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'over oauthbearer' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: uniqueName('sasl-group') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const value = await new Promise<string>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              resolve(message.value?.toString() ?? '');
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      assert.equal(value, 'over oauthbearer');
      assert.ok(tokens);
      assert.equal(tokens.requestCount, 1, 'one token serves every connection until it is due for renewal');
    });

    test('fails to connect with KAFKA_AUTH when the client secret is wrong', async () => {
      const logger = createMemoryLogger();
      const { kafka } = createKafkaClient(
        {
          brokers: testSaslBrokers(),
          auth: { type: 'oidc', tokenUrl: server.url, clientId: 'gcn-like-client', clientSecret: 'nope' },
        },
        { logger, clock: systemClock },
      );
      const admin = kafka.admin({ retry: { retries: 0 } });
      await assert.rejects(admin.connect());
      await admin.disconnect();
      assert.ok(
        logger.records.some(
          (r) => r.msg === 'Kafka OIDC token request failed' && String(r.error).startsWith('KAFKA_AUTH'),
        ),
      );
    });

    test('is refused by the broker without any token (plaintext client on the SASL listener)', async () => {
      const { kafka } = createKafkaClient(
        { brokers: testSaslBrokers(), connectionTimeoutMs: 2000, requestTimeoutMs: 2000 },
        { logger: createMemoryLogger(), clock: systemClock },
      );
      const admin = kafka.admin({ retry: { retries: 0 } });
      await assert.rejects(async () => {
        await admin.connect();
        await admin.describeCluster();
      });
      await admin.disconnect();
    });
  },
);

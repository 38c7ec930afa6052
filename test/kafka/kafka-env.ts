/**
 * The real test broker, as started by scripts/run-tests.ts (scripts/kafka/test-broker.ts).
 *
 * Tests that need Kafka pass `skipUnlessKafka()` as their `skip` option: outside CI with no
 * broker they are skipped with a message that says how to get one; in CI a missing broker fails.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

const HOW_TO = 'run the tests with `npx tsx scripts/run-tests.ts` (without --no-kafka) to start the broker';

/** The `skip` option for a Kafka test: false when COINCIDE_TEST_KAFKA_BROKERS is set. */
export function skipUnlessKafka(): false | string {
  if (process.env.COINCIDE_TEST_KAFKA_BROKERS) return false;
  if (process.env.CI) throw new Error(`COINCIDE_TEST_KAFKA_BROKERS is required in CI; ${HOW_TO}`);
  return `skipped: no test Kafka broker (COINCIDE_TEST_KAFKA_BROKERS is unset); ${HOW_TO}`;
}

/** The same, for the SASL/OAUTHBEARER listener of the test broker. */
export function skipUnlessKafkaSasl(): false | string {
  if (process.env.COINCIDE_TEST_KAFKA_SASL_BROKERS) return false;
  if (process.env.CI) throw new Error(`COINCIDE_TEST_KAFKA_SASL_BROKERS is required in CI; ${HOW_TO}`);
  return `skipped: no test Kafka SASL listener (COINCIDE_TEST_KAFKA_SASL_BROKERS is unset); ${HOW_TO}`;
}

export function testBrokers(): string[] {
  return (process.env.COINCIDE_TEST_KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
}

export function testSaslBrokers(): string[] {
  return (process.env.COINCIDE_TEST_KAFKA_SASL_BROKERS ?? '').split(',').filter((b) => b !== '');
}

/** A topic or group name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** A plain kafkajs client on the test broker; quiet (kafkajs logs retried requests as errors), tests assert outcomes. */
export function testKafka(clientId = 'coincide-test'): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/**
 * Creates topics and waits (at most 30 s) until every partition has a leader. kafkajs's own
 * waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a loaded KRaft broker answers for
 * a moment after creating a topic, so this polls the metadata itself.
 */
export async function createTopics(
  kafka: Kafka,
  topics: Array<{
    topic: string;
    numPartitions?: number;
    /** Topic configuration, e.g. [{ name: 'retention.ms', value: '86400000' }]. */
    configEntries?: Array<{ name: string; value: string }>;
  }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions ?? 1,
        ...(t.configEntries ? { configEntries: t.configEntries } : {}),
      })),
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
        const ready = metadata.topics.every(
          (t) =>
            t.partitions.length === (topics.find((x) => x.topic === t.name)?.numPartitions ?? 1) &&
            t.partitions.every((p) => p.leader >= 0),
        );
        if (ready) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline)
        throw new Error(`topics ${topics.map((t) => t.topic).join(', ')} have no leaders after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

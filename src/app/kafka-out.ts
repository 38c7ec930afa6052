/**
 * The Kafka outputs of `coincide serve`: one idempotent producer (partitioning by the trigger id,
 * sinks/kafka-partitioner.ts), the notice sink, the coincidence sink with its Fink tier topics,
 * and the outbox relay that feeds them at least once, in order, resumed after a restart.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Coincidence } from '../join/coincidence.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { createKafkaCoincidenceSink } from '../sinks/kafka-coincidences.ts';
import type { KeyMode } from '../sinks/kafka-framing.ts';
import { createKafkaNoticeSink, createSinkProducer } from '../sinks/kafka-notices.ts';
import type { Outbox } from '../sinks/outbox.ts';
import { createOutboxRelay, type OutboxRelay } from '../sinks/outbox-relay.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { contentDigest, HEADER_CONTENT_SHA256 } from '../sinks/content-digest.ts';

export interface KafkaOutputs {
  relay: OutboxRelay;
  /** Stops the relay (after the publish in flight) and disconnects the producer. */
  stop(): Promise<void>;
}

export interface KafkaOutputOptions {
  config: Config['kafkaOut'];
  db: SqliteDatabase;
  outbox: Outbox;
  logger: Logger;
  clock: Clock;
  /** Called after each message the brokers acknowledged. */
  onSent?: () => void;
  /**
   * Cluster mode (src/app/cluster.ts): coincidences keyed and partitioned by their id, and extra
   * headers on each notice (its source's trust verdict).
   */
  cluster?: { noticeHeaders: (notice: Notice) => Record<string, string> };
}

const byId = (coincidence: Coincidence): string => coincidence.id;

export async function startKafkaOutputs(options: KafkaOutputOptions): Promise<KafkaOutputs> {
  const { config, logger, clock } = options;
  const { kafka } = createKafkaClient(
    { brokers: [...config.brokers], clientId: 'coincide-out' },
    { logger, clock },
  );
  const producer = createSinkProducer(kafka);
  await producer.connect();
  const format = config.format === 'json' ? 'json' : 'avro';
  const keyMode: KeyMode = config.keyMode === 'schema' ? 'schema' : 'trigger-id';
  const sinkLogger = logger.child({ service: 'kafka-out' });
  const notices = createKafkaNoticeSink({
    producer,
    topic: config.noticeTopic,
    format,
    keyMode,
    logger: sinkLogger,
  });
  const coincidences = createKafkaCoincidenceSink({
    producer,
    topic: config.coincidenceTopic,
    format,
    keyMode,
    tierTopics: config.tierTopics,
    logger: sinkLogger,
    ...(options.cluster ? { keyOf: byId, partitionKeyOf: byId } : {}),
  });
  const relay = createOutboxRelay({
    db: options.db,
    outbox: options.outbox,
    name: 'kafka',
    clock,
    logger: sinkLogger,
    publish: async (record) => {
      const data: unknown = JSON.parse(record.json);
      // The digest of the exact JSON the stream sends: a repeat with the same id and digest is a
      // duplicate (another instance's copy, or a re-send after a crash).
      const headers = { [HEADER_CONTENT_SHA256]: contentDigest(record.json) };
      if (record.type === 'notice') {
        const notice = data as Notice;
        await notices.publish(notice, { ...headers, ...options.cluster?.noticeHeaders(notice) });
      } else await coincidences.publish(data as Coincidence, headers);
      options.onSent?.();
    },
  });
  relay.notify();
  logger.info('producing', {
    service: 'kafka-out',
    topics: [config.noticeTopic, config.coincidenceTopic],
    keyMode,
  });
  return {
    relay,
    async stop() {
      await relay.stop();
      await producer.disconnect();
    },
  };
}

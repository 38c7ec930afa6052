/**
 * The Fink stream: every normalised Notice on a Kafka topic (default `fink_mm_notices`), Avro-encoded
 * with the project's versioned schema (src/sinks/avro/notice-v2.avsc) and its fingerprint in a
 * header; JSON as an option. Keyed by `triggerId` (key mode 'trigger-id', the default), or, in
 * key mode 'schema', by the schema's JSON text as Fink publishes (fink-client reads it as is),
 * with the trigger id in a header and the partition from it (kafka-framing.ts): either way every
 * version of one trigger lands on one partition, in order. Consumers rebuild the Notice exactly
 * with `decodeNoticeMessage`.
 *
 * Give it the producer of createSinkProducer: idempotent (a retried send never duplicates a
 * message) and partitioning by the partition-key header.
 */
import type { ICustomPartitioner, IHeaders, Kafka, Producer } from 'kafkajs';
import { CoincideError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { NOTICE_SCHEMA, NOTICE_SCHEMAS } from './avro/notice-avro.ts';
import { decodeValue, encodeValue, type WireFormat } from './avro/versioned-schema.ts';
import { frameMessage, type KeyMode } from './kafka-framing.ts';
import { createPartitionKeyPartitioner } from './kafka-partitioner.ts';

export const DEFAULT_NOTICE_TOPIC = 'fink_mm_notices';

export interface KafkaNoticeSinkOptions {
  producer: Producer;
  topic?: string;
  /** 'avro' (default) or 'json'. */
  format?: WireFormat;
  /** 'trigger-id' (default) or 'schema' (Fink's framing; Avro only). */
  keyMode?: KeyMode;
  logger: Logger;
}

export interface KafkaNoticeSink {
  readonly topic: string;
  /** Resolves once the broker acknowledged the message (acks from all in-sync replicas). */
  publish(notice: Notice, headers?: Record<string, string>): Promise<void>;
}

/**
 * A producer for sinks: idempotent (no duplicates from retries), one request in flight, and
 * partitioning by a message's partition key (kafka-partitioner.ts; `partitioner` replaces the
 * murmur2 hash, e.g. to key by coincidence id).
 */
export function createSinkProducer(kafka: Kafka, partitioner?: ICustomPartitioner): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: createPartitionKeyPartitioner(partitioner),
  });
}

export function createKafkaNoticeSink(options: KafkaNoticeSinkOptions): KafkaNoticeSink {
  const topic = options.topic ?? DEFAULT_NOTICE_TOPIC;
  const format = options.format ?? 'avro';
  const keyMode = options.keyMode ?? 'trigger-id';
  return {
    topic,
    async publish(notice, headers = {}) {
      const encoded = encodeValue(NOTICE_SCHEMA, notice, format);
      const message = frameMessage(NOTICE_SCHEMA, encoded, { keyMode, triggerId: notice.triggerId, headers });
      try {
        await options.producer.send({ topic, acks: -1, messages: [message] });
      } catch (error) {
        options.logger.error('Kafka notice publish failed', {
          topic,
          ivorn: notice.ivorn,
          error: describeError(error),
        });
        throw new CoincideError('KAFKA_FAILED', `could not publish notice ${notice.ivorn} to ${topic}`, {
          cause: error,
          retriable: true,
        });
      }
    },
  };
}

/** Rebuilds the Notice from a fink_mm_notices message (Avro of any known version, or JSON). */
export function decodeNoticeMessage(message: { value: Buffer | null; headers?: IHeaders }): Notice {
  if (!message.value) throw new CoincideError('INPUT_EMPTY', 'the message has no value');
  return decodeValue(NOTICE_SCHEMAS, message.value, message.headers);
}

/**
 * The Fink stream: every normalised Notice on a Kafka topic (default `fink_mm_notices`), keyed
 * by `triggerId` (so every version of one trigger lands on one partition, in order), Avro-encoded
 * with the project's versioned schema (src/sinks/avro/notice-v1.avsc) and its fingerprint in a
 * header; JSON as an option. Consumers rebuild the Notice exactly with `decodeNoticeMessage`.
 *
 * Give it an idempotent producer (`kafka.producer({ idempotent: true })`, see
 * createSinkProducer) so a retried send never duplicates a message.
 */
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { CoincideError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { NOTICE_SCHEMA_V1, NOTICE_SCHEMAS } from './avro/notice-avro.ts';
import { decodeValue, encodeValue, type WireFormat } from './avro/versioned-schema.ts';

export const DEFAULT_NOTICE_TOPIC = 'fink_mm_notices';

export interface KafkaNoticeSinkOptions {
  producer: Producer;
  topic?: string;
  /** 'avro' (default) or 'json'. */
  format?: WireFormat;
  logger: Logger;
}

export interface KafkaNoticeSink {
  readonly topic: string;
  /** Resolves once the broker acknowledged the message (acks from all in-sync replicas). */
  publish(notice: Notice, headers?: Record<string, string>): Promise<void>;
}

/** A producer for sinks: idempotent (no duplicates from retries), one request in flight. */
export function createSinkProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
}

export function createKafkaNoticeSink(options: KafkaNoticeSinkOptions): KafkaNoticeSink {
  const topic = options.topic ?? DEFAULT_NOTICE_TOPIC;
  const format = options.format ?? 'avro';
  return {
    topic,
    async publish(notice, headers = {}) {
      const encoded = encodeValue(NOTICE_SCHEMA_V1, notice, format);
      try {
        await options.producer.send({
          topic,
          acks: -1,
          messages: [
            { key: notice.triggerId, value: encoded.value, headers: { ...headers, ...encoded.headers } },
          ],
        });
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

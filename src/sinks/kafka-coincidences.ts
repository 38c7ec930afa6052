/**
 * Coincidences on Kafka, for Fink and anyone else:
 * - every coincidence (candidates and withdrawals) on `fink_mm_coincidences`, Avro
 *   (src/sinks/avro/coincidence-v3.avsc, fingerprint in a header) or JSON, keyed by the
 *   trigger's triggerId (key mode 'trigger-id', the default) or by the schema as Fink does
 *   (key mode 'schema', kafka-framing.ts);
 * - optical candidates with a tier also on the tier topic named as Fink's
 *   (../shared/reference/anchors.md §1.5): `fink_<family>_<tier>`, family `grb` for gamma-ray
 *   and X-ray triggers (Fermi, Swift, INTEGRAL, SVOM, Einstein Probe), `gw` for
 *   gravitational-wave triggers, `nu` for neutrinos (coincide's addition: Fink distributes no
 *   neutrino matches). A withdrawal goes to the tier topic of the tier it carries, so tier
 *   subscribers learn of it too. mm-mm pairs and untiered candidates have no tier topic.
 *   In Avro, tier topics carry fink-mm's record layout (fink-mm-record.ts) framed as Fink
 *   frames it (key = the schema's JSON text), so fink-client reads them unchanged; in JSON they
 *   carry the coincidence, keyed by triggerId, as before.
 * Every message of one trigger goes to one partition of each topic (the partition key, by
 * default the trigger id: `partitionKeyOf`). Unlike Fink, messages carry no raw notice or sky
 * map (defect 7 in anchors.md §1.9) and candid stays exact (defect 6).
 */
import type { IHeaders, Producer } from 'kafkajs';
import { CoincideError, describeError } from '../errors.ts';
import type { Coincidence } from '../join/coincidence.ts';
import type { Messenger } from '../notices/notice.ts';
import type { Logger } from '../logger.ts';
import { COINCIDENCE_SCHEMA, COINCIDENCE_SCHEMAS } from './avro/coincidence-avro.ts';
import { decodeValue, encodeValue, type WireFormat } from './avro/versioned-schema.ts';
import { FINK_MM_TIER_SCHEMA, finkMmRecord, type FinkMmRecord } from './fink-mm-record.ts';
import { frameMessage, type KeyMode, type OutputMessage } from './kafka-framing.ts';

export const DEFAULT_COINCIDENCE_TOPIC = 'fink_mm_coincidences';

const TIER_FAMILY: Partial<Record<Messenger, string>> = {
  gamma: 'grb',
  xray: 'grb',
  gw: 'gw',
  neutrino: 'nu',
};

/** The Fink-style tier topic of a coincidence, or null when it has none. */
export function finkTierTopic(coincidence: Coincidence, prefix = 'fink_'): string | null {
  if (coincidence.pairType !== 'mm-optical' || coincidence.tier === null) return null;
  const family = TIER_FAMILY[coincidence.trigger.messenger];
  return family === undefined ? null : `${prefix}${family}_${coincidence.tier}`;
}

export interface KafkaCoincidenceSinkOptions {
  producer: Producer;
  topic?: string;
  format?: WireFormat;
  /** Publish to tier topics too (default true). */
  tierTopics?: boolean;
  /** Which tier topic a coincidence goes to (default finkTierTopic). */
  tierTopicFor?: (coincidence: Coincidence) => string | null;
  /** Key mode of the coincidence topic: 'trigger-id' (default) or 'schema'. Tier topics are always 'schema' in Avro. */
  keyMode?: KeyMode;
  /** What a message is partitioned by in 'schema' mode (default: the trigger id). */
  partitionKeyOf?: (coincidence: Coincidence) => string;
  /**
   * The message key in 'trigger-id' mode (default: the trigger id). Cluster mode keys by the
   * coincidence id, so every copy of one id lands on one partition, in order (docs/scaling.md).
   */
  keyOf?: (coincidence: Coincidence) => string;
  logger: Logger;
}

export interface KafkaCoincidenceSink {
  readonly topic: string;
  /** Resolves once the broker acknowledged every copy; returns the topics written. */
  publish(coincidence: Coincidence, headers?: Record<string, string>): Promise<string[]>;
}

export function createKafkaCoincidenceSink(options: KafkaCoincidenceSinkOptions): KafkaCoincidenceSink {
  const topic = options.topic ?? DEFAULT_COINCIDENCE_TOPIC;
  const format = options.format ?? 'avro';
  const tierTopicFor = options.tierTopicFor ?? ((c: Coincidence) => finkTierTopic(c));
  const keyMode = options.keyMode ?? 'trigger-id';
  return {
    topic,
    async publish(coincidence, extraHeaders = {}) {
      const triggerId = coincidence.trigger.triggerId;
      const key = options.keyOf?.(coincidence);
      const frame = {
        triggerId,
        ...(key === undefined ? {} : { key }),
        partitionKey: options.partitionKeyOf?.(coincidence) ?? triggerId,
        headers: { ...extraHeaders, 'coincide-coincidence-id': coincidence.id },
      };
      const encoded = encodeValue(COINCIDENCE_SCHEMA, coincidence, format);
      const topicMessages: Array<{ topic: string; messages: OutputMessage[] }> = [
        { topic, messages: [frameMessage(COINCIDENCE_SCHEMA, encoded, { ...frame, keyMode })] },
      ];
      const tierTopic = options.tierTopics === false ? null : tierTopicFor(coincidence);
      if (tierTopic !== null) {
        const tierMessage =
          format === 'json'
            ? topicMessages[0]?.messages[0]
            : frameMessage(
                FINK_MM_TIER_SCHEMA,
                encodeValue(FINK_MM_TIER_SCHEMA, finkMmRecord(coincidence), 'avro'),
                { ...frame, keyMode: 'schema' },
              );
        if (tierMessage) topicMessages.push({ topic: tierTopic, messages: [tierMessage] });
      }
      const topics = topicMessages.map((t) => t.topic);
      try {
        await options.producer.sendBatch({ acks: -1, topicMessages });
      } catch (error) {
        options.logger.error('Kafka coincidence publish failed', {
          topics,
          id: coincidence.id,
          error: describeError(error),
        });
        throw new CoincideError('KAFKA_FAILED', `could not publish coincidence ${coincidence.id}`, {
          cause: error,
          retriable: true,
        });
      }
      return topics;
    },
  };
}

/** Reads a tier-topic message (Avro, fink-mm layout) back to its flat record. */
export function decodeFinkMmMessage(message: { value: Buffer | null; headers?: IHeaders }): FinkMmRecord {
  if (!message.value) throw new CoincideError('INPUT_EMPTY', 'the message has no value');
  return decodeValue([FINK_MM_TIER_SCHEMA], message.value, message.headers);
}

/** Rebuilds the Coincidence from a message of the coincidence topic (or a JSON tier-topic message). */
export function decodeCoincidenceMessage(message: { value: Buffer | null; headers?: IHeaders }): Coincidence {
  if (!message.value) throw new CoincideError('INPUT_EMPTY', 'the message has no value');
  return decodeValue(COINCIDENCE_SCHEMAS, message.value, message.headers);
}

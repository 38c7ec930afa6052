/**
 * Coincidences on Kafka, for Fink and anyone else:
 * - every coincidence (candidates and withdrawals) on `fink_mm_coincidences`, keyed by the
 *   trigger's triggerId, Avro (src/sinks/avro/coincidence-v1.avsc, fingerprint in a header)
 *   or JSON;
 * - optical candidates with a tier also on the tier topic named as Fink's
 *   (../shared/reference/anchors.md §1.5): `fink_<family>_<tier>`, family `grb` for gamma-ray
 *   and X-ray triggers (Fermi, Swift, INTEGRAL, SVOM, Einstein Probe), `gw` for
 *   gravitational-wave triggers, `nu` for neutrinos (coincide's addition: Fink distributes no
 *   neutrino matches). A withdrawal goes to the tier topic of the tier it carries, so tier
 *   subscribers learn of it too. mm-mm pairs and untiered candidates have no tier topic.
 * Unlike Fink, messages carry no raw notice or sky map (defect 7 in anchors.md §1.9) and ids
 * stay exact decimal strings (defect 6).
 */
import type { IHeaders, Producer } from 'kafkajs';
import { CoincideError, describeError } from '../errors.ts';
import type { Coincidence } from '../join/coincidence.ts';
import type { Messenger } from '../notices/notice.ts';
import type { Logger } from '../logger.ts';
import { COINCIDENCE_SCHEMA_V1, COINCIDENCE_SCHEMAS } from './avro/coincidence-avro.ts';
import { decodeValue, encodeValue, type WireFormat } from './avro/versioned-schema.ts';

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
  return {
    topic,
    async publish(coincidence, headers = {}) {
      const encoded = encodeValue(COINCIDENCE_SCHEMA_V1, coincidence, format);
      const message = {
        key: coincidence.trigger.triggerId,
        value: encoded.value,
        headers: { ...headers, ...encoded.headers, 'coincide-coincidence-id': coincidence.id },
      };
      const tierTopic = options.tierTopics === false ? null : tierTopicFor(coincidence);
      const topics = tierTopic === null ? [topic] : [topic, tierTopic];
      try {
        await options.producer.sendBatch({
          acks: -1,
          topicMessages: topics.map((t) => ({ topic: t, messages: [message] })),
        });
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

/** Rebuilds the Coincidence from a message of any of these topics. */
export function decodeCoincidenceMessage(message: { value: Buffer | null; headers?: IHeaders }): Coincidence {
  if (!message.value) throw new CoincideError('INPUT_EMPTY', 'the message has no value');
  return decodeValue(COINCIDENCE_SCHEMAS, message.value, message.headers);
}

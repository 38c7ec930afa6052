/**
 * The optical Kafka input of `serve`: which client consumes (optical.kafka.client) and its source.
 *
 * librdkafka (node-rdkafka against Debian's librdkafka, rdkafka-source.ts) fetches on its own
 * threads and consumed 2-3x kafkajs's rate with the same decoding (issue 14, bench/optical.ts);
 * it is the choice of 'auto' wherever node-rdkafka (an optional native dependency) is installed.
 * Cluster mode stays on kafkajs: its partition ownership follows a kafkajs consumer's assignments
 * and seeks it to rebuild a partition (cluster/partition-ownership.ts).
 * With optical.kafka.schemaRegistryUrl, Confluent-framed (Rubin/LSST) messages are decoded with
 * the writer schemas of that registry (fetched once per id, from its host only).
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { CoincideError } from '../errors.ts';
import { createKafkaClient } from '../kafka/kafka-client.ts';
import type { Logger } from '../logger.ts';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { OpticalKafkaSource, type OpticalKafkaSourceOptions } from '../optical/kafka-source.ts';
import { loadRdkafka, RdkafkaOpticalSource } from '../optical/rdkafka-source.ts';
import { HttpSchemaRegistry } from '../optical/schema-registry.ts';
import { checkSchemaRegistryUrl } from '../optical/schema-registry-url.ts';

export interface OpticalKafkaInput {
  /** The client in use. */
  readonly client: 'librdkafka' | 'kafkajs';
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What both sources are given by the app (kafkajs-only options apart). */
type SourceOptions = Pick<
  OpticalKafkaSourceOptions,
  'onAlert' | 'onDecodeError' | 'eventTime' | 'attachConsumer' | 'beforeBatch'
>;

export function createOpticalKafkaInput(
  config: Config['optical']['kafka'],
  deps: { logger: Logger; clock: Clock; cluster: boolean },
  options: SourceOptions,
): OpticalKafkaInput {
  const logger = deps.logger.child({ service: 'optical-kafka' });
  const common = {
    groupId: config.groupId,
    topics: config.topics,
    fromBeginning: config.fromBeginning,
    format: config.format === 'fink' ? ('fink' as const) : ('auto' as const),
    decoder: new OpticalAlertDecoder(
      config.schemaRegistryUrl === ''
        ? {}
        : {
            registry: new HttpSchemaRegistry({
              url: checkSchemaRegistryUrl(config.schemaRegistryUrl).href,
            }),
          },
    ),
    logger,
  };
  const loaded = config.client === 'kafkajs' ? undefined : loadRdkafka();
  if (config.client === 'librdkafka' && deps.cluster)
    throw new CoincideError('CONFIG_INVALID', 'optical.kafka.client librdkafka: cluster mode needs kafkajs');
  if (config.client === 'librdkafka' && loaded && 'error' in loaded)
    throw new CoincideError('CONFIG_INVALID', `optical.kafka.client librdkafka: ${loaded.error}`);
  if (loaded && !('error' in loaded) && !deps.cluster) {
    // attachConsumer and beforeBatch are cluster mode's, which stays on kafkajs.
    const { onAlert, onDecodeError, eventTime } = options;
    return Object.assign(
      new RdkafkaOpticalSource({
        brokers: config.brokers,
        clientId: 'coincide-optical',
        prefetchQueueKbytes: config.prefetchMiB * 1024,
        ...common,
        onAlert,
        ...(onDecodeError ? { onDecodeError } : {}),
        ...(eventTime ? { eventTime } : {}),
      }),
      { client: 'librdkafka' as const },
    );
  }
  if (config.client === 'auto')
    logger.info('optical Kafka through kafkajs', {
      reason: deps.cluster ? 'cluster mode' : loaded && 'error' in loaded ? loaded.error : 'configured',
    });
  const { kafka } = createKafkaClient(
    { brokers: [...config.brokers], clientId: 'coincide-optical' },
    { logger: deps.logger, clock: deps.clock },
  );
  return Object.assign(new OpticalKafkaSource({ kafka, ...common, ...options }), {
    client: 'kafkajs' as const,
  });
}

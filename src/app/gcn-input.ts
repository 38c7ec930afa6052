/**
 * The GCN Kafka input of `serve`: NASA GCN's brokers (gcn.domain, with OIDC client credentials
 * over TLS) or brokers of the configuration's own (gcn.brokers, e.g. a local mirror or the test
 * broker), consumed by gcn/gcn-consumer.ts into the shared ingest path. Split from src/app.ts.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { createGcnConsumer, type GcnConsumer, type GcnIngest } from '../gcn/gcn-consumer.ts';
import { createKafkaClient, gcnKafkaEndpoints } from '../kafka/kafka-client.ts';
import type { Logger } from '../logger.ts';

/** True when the configuration asks for a GCN Kafka input. */
export const wantsGcnInput = (config: Config['gcn']): boolean =>
  config.domain !== '' || config.brokers.length > 0;

export function createGcnInput(
  config: Config['gcn'],
  deps: { logger: Logger; clock: Clock; ingest: GcnIngest; lastSeenMs: () => number | undefined },
): GcnConsumer {
  const endpoints = config.domain === '' ? undefined : gcnKafkaEndpoints(config.domain);
  const { kafka } = createKafkaClient(
    endpoints
      ? {
          brokers: endpoints.brokers,
          ssl: true,
          clientId: 'coincide-gcn',
          auth: {
            type: 'oidc',
            tokenUrl: endpoints.tokenUrl,
            clientId: config.clientId,
            clientSecret: config.clientSecret,
          },
        }
      : { brokers: [...config.brokers], clientId: 'coincide-gcn' },
    { logger: deps.logger, clock: deps.clock },
  );
  return createGcnConsumer({
    kafka,
    groupId: config.groupId,
    ...(config.topics.length > 0 ? { topics: config.topics } : {}),
    ingest: deps.ingest,
    clock: deps.clock,
    logger: deps.logger,
    lastSeenMs: deps.lastSeenMs,
  });
}

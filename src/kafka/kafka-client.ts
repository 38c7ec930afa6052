/**
 * The one place Kafka clients are made: brokers, TLS, authentication and logging.
 *
 * Authentication:
 * - `none`: plaintext, for a local broker (scripts/kafka/broker.ts) or a private network.
 * - `oidc`: SASL/OAUTHBEARER with OAuth client credentials, how GCN Kafka authenticates
 *   (`security.protocol=sasl_ssl`, `sasl.mechanisms=OAUTHBEARER`, `sasl.oauthbearer.method=oidc`).
 * - `plain` / `scram-sha-256` / `scram-sha-512`: username and password (Fink's own brokers).
 */
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { CoincideError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { kafkaLogCreator } from './log-creator.ts';
import { createOidcTokenProvider, type OidcClientCredentials, type OidcTokenProvider } from './oidc-token.ts';

export type KafkaAuth =
  | { type: 'none' }
  | ({ type: 'oidc' } & OidcClientCredentials)
  | { type: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };

export interface KafkaClientOptions {
  /** host:port of one or more bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  /** TLS to the brokers (GCN: true). */
  ssl?: boolean;
  auth?: KafkaAuth;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface KafkaClientDeps {
  logger: Logger;
  clock: Clock;
  /** For the OIDC token endpoint (tests, proxies). */
  fetch?: typeof fetch;
}

export interface KafkaClient {
  kafka: Kafka;
  /** The OIDC token provider, when auth is 'oidc' (its requestCount feeds health). */
  tokens?: OidcTokenProvider;
}

/** GCN Kafka's public endpoints (`domain` 'gcn.nasa.gov', or 'test.gcn.nasa.gov' for testing). */
export function gcnKafkaEndpoints(domain = 'gcn.nasa.gov'): {
  brokers: string[];
  tokenUrl: string;
  ssl: true;
} {
  return { brokers: [`kafka.${domain}:9092`], tokenUrl: `https://auth.${domain}/oauth2/token`, ssl: true };
}

function checkOptions(options: KafkaClientOptions): void {
  if (options.brokers.length === 0) throw new CoincideError('CONFIG_INVALID', 'Kafka: no brokers configured');
  for (const broker of options.brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
      throw new CoincideError('CONFIG_INVALID', `Kafka: broker "${broker}" is not host:port`);
    }
  }
  const auth = options.auth;
  if (auth?.type === 'oidc') {
    if (!/^https?:\/\//.test(auth.tokenUrl))
      throw new CoincideError('CONFIG_INVALID', 'Kafka: OIDC tokenUrl must be an http(s) URL');
    if (auth.clientId === '' || auth.clientSecret === '') {
      throw new CoincideError('CONFIG_INVALID', 'Kafka: OIDC client id and secret are required');
    }
  }
}

export function createKafkaClient(options: KafkaClientOptions, deps: KafkaClientDeps): KafkaClient {
  checkOptions(options);
  const auth = options.auth ?? { type: 'none' };
  let sasl: SASLOptions | undefined;
  let tokens: OidcTokenProvider | undefined;
  if (auth.type === 'oidc') {
    const provider = createOidcTokenProvider({
      ...auth,
      clock: deps.clock,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    tokens = provider;
    sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        try {
          return { value: (await provider.token()).accessToken };
        } catch (error) {
          deps.logger.error('Kafka OIDC token request failed', { error: describeError(error) });
          throw error;
        }
      },
    };
  } else if (auth.type !== 'none') {
    sasl = { mechanism: auth.type, username: auth.username, password: auth.password };
  }
  const kafka = new Kafka({
    clientId: options.clientId ?? 'coincide',
    brokers: options.brokers,
    ssl: options.ssl ?? false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(deps.logger.child({ component: 'kafkajs' })),
  });
  return { kafka, ...(tokens ? { tokens } : {}) };
}

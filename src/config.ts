/**
 * The one validated, frozen configuration of `coincide serve`.
 *
 * Sources, lowest precedence first: embedded defaults, a JSON file (--config FILE or
 * COINCIDE_CONFIG), the environment (COINCIDE_*), command-line flags. The options, their
 * names in each source and their defaults are listed once in config/options.ts. Only this
 * module and src/cli/ read argv and the environment; every other module receives its part of
 * this object.
 */
import { readFileSync, statSync } from 'node:fs';
import { CoincideError } from './errors.ts';
import { describeJsonError } from './text/json-error.ts';
import type { LogLevel } from './logger.ts';
import { OPTION_SPECS, type OptionSpec } from './config/options.ts';
import { joinOptionsFromConfig, type ScoresConfig } from './join/score-config.ts';
import { parseOptionValue, type HostPort, type ValueSource } from './config/parse-value.ts';
import { webhooksFromConfig } from './webhooks/subscription.ts';
import { parseMetricsListen } from './http/metrics-listener.ts';
import { checkSchemaRegistryUrl } from './optical/schema-registry-url.ts';

export type { HostPort } from './config/parse-value.ts';

export interface Config {
  db: { path: string };
  localIvo: string;
  listenHost: string;
  vtp: {
    receivePort: number;
    receiveWhitelist: readonly string[];
    maxEventBytes: number;
    peerConcurrency: number;
    peerRatePerSec: number;
    broadcastPort: number;
    subscriberWhitelist: readonly string[];
    remotes: readonly HostPort[];
    sendTo: readonly HostPort[];
  };
  http: { port: number };
  /** The token-free /metrics listener (src/http/metrics-listener.ts); listen '' = off. */
  metrics: { listen: string; allowNonLoopback: boolean };
  trust: { trustedSources: readonly string[]; authorityRules: readonly string[] };
  stream: { heartbeatMs: number; maxBufferedBytes: number };
  outbox: { retentionDays: number };
  archive: { retentionDays: number };
  optical: {
    paths: readonly string[];
    pollMs: number;
    kafka: {
      brokers: readonly string[];
      topics: readonly string[];
      groupId: string;
      fromBeginning: boolean;
      /** 'auto' or 'fink'. */
      format: string;
      /** 'auto', 'librdkafka' or 'kafkajs'. */
      client: string;
      /** Confluent Schema Registry for Confluent-framed messages; '' = none. */
      schemaRegistryUrl: string;
      /** librdkafka client: the most alert bytes fetched ahead of the decoder, MiB (1-2047). */
      prefetchMiB: number;
    };
  };
  kafkaOut: {
    brokers: readonly string[];
    format: string;
    noticeTopic: string;
    coincidenceTopic: string;
    tierTopics: boolean;
    /** 'trigger-id' or 'schema'. */
    keyMode: string;
  };
  gcn: {
    domain: string;
    clientId: string;
    clientSecret: string;
    brokers: readonly string[];
    topics: readonly string[];
    groupId: string;
  };
  scores: ScoresConfig;
  skymap: {
    cacheDir: string;
    timeoutMs: number;
    maxBytes: number;
    allowedHosts: readonly string[];
    allowHttp: boolean;
    allowPrivateAddresses: boolean;
    joinWaitMs: number;
  };
  jsonl: { path: string };
  /** Cluster mode (src/app/cluster.ts, docs/scaling.md). */
  cluster: { enabled: boolean; instanceId: string; skymapTopic: string };
  webhooks: {
    urls: readonly string[];
    /** Raw specs, validated by loadConfig (src/webhooks/subscription.ts webhooksFromConfig). */
    subscriptions: readonly unknown[];
    allowHttpHosts: readonly string[];
    publicBaseUrl: string;
    timeoutMs: number;
    maxAgeSec: number;
    retryInitialMs: number;
    retryMaxMs: number;
    reloadMs: number;
  };
  log: { level: LogLevel };
}

export interface LoadConfigOptions {
  /** Parsed command-line flags, keyed by flag name (e.g. 'http-port'); undefined = not given. */
  flags?: Record<string, unknown>;
  /** The environment (process.env in the CLI). */
  env?: Record<string, string | undefined>;
  /** JSON configuration file; when absent, flags.config then env.COINCIDE_CONFIG are used. */
  configFile?: string;
}

export const CONFIG_FILE_ENV = 'COINCIDE_CONFIG';

function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = object;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (next === undefined || next === null || typeof next !== 'object') current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1] ?? path] = value;
}

/** Every leaf path of a parsed JSON file, to refuse unknown keys (typos must not pass silently). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    leafPaths(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CoincideError('CONFIG_INVALID', `cannot read configuration file ${path}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `${path} is not valid JSON at ${describeJsonError(cause, text)}`,
      {
        cause,
      },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CoincideError('CONFIG_INVALID', `${path} must hold a JSON object`);
  }
  const known = new Set(OPTION_SPECS.map((spec) => spec.path));
  for (const leaf of leafPaths(parsed)) {
    if (!known.has(leaf)) {
      throw new CoincideError(
        'CONFIG_INVALID',
        `${path}: unknown option "${leaf}" (known: ${[...known].join(', ')})`,
      );
    }
  }
  return parsed as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** Builds the configuration from every source, validates it and freezes it. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const flags = options.flags ?? {};
  const env = options.env ?? {};
  const flagFile = flags.config;
  const configFile =
    options.configFile ?? (typeof flagFile === 'string' ? flagFile : undefined) ?? env[CONFIG_FILE_ENV];
  const file = configFile !== undefined && configFile !== '' ? readConfigFile(configFile) : {};

  const result: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const candidates: Array<[ValueSource, unknown]> = [
      ['flag', spec.flag === undefined ? undefined : flags[spec.flag]],
      ['environment', env[spec.env] === '' ? undefined : env[spec.env]],
      ['file', getPath(file, spec.path)],
    ];
    const chosen = candidates.find(([, value]) => isGiven(value));
    const value = chosen ? parseOptionValue(spec, chosen[1], chosen[0]) : structuredClone(spec.default);
    setPath(result, spec.path, value);
  }
  const config = result as unknown as Config;
  checkCombinations(config);
  if (configFile !== undefined && configFile !== '') checkSecretsArePrivate(configFile, file);
  return deepFreeze(config);
}

/** The largest librdkafka prefetch queue, MiB (queued.max.messages.kbytes at most 2,097,151 KiB). */
export const MAX_PREFETCH_MIB = 2047;

/** Rules that involve several options. */
function checkCombinations(config: Config): void {
  const bad = (message: string): never => {
    throw new CoincideError('CONFIG_INVALID', message);
  };
  if (config.gcn.domain !== '' && (config.gcn.clientId === '' || config.gcn.clientSecret === '')) {
    bad(
      'gcn.domain needs gcn.clientId and gcn.clientSecret (COINCIDE_GCN_CLIENT_ID, COINCIDE_GCN_CLIENT_SECRET)',
    );
  }
  if (config.gcn.domain !== '' && config.gcn.brokers.length > 0) {
    bad('give either gcn.domain (GCN itself) or gcn.brokers (a plaintext broker), not both');
  }
  if (config.kafkaOut.format !== 'avro' && config.kafkaOut.format !== 'json') {
    bad(`kafkaOut.format must be avro or json (got "${config.kafkaOut.format}")`);
  }
  if (config.kafkaOut.keyMode !== 'trigger-id' && config.kafkaOut.keyMode !== 'schema') {
    bad(`kafkaOut.keyMode must be trigger-id or schema (got "${config.kafkaOut.keyMode}")`);
  }
  if (config.cluster.enabled && config.kafkaOut.brokers.length === 0) {
    bad('cluster.enabled needs kafkaOut.brokers (the notice bus and the merged output topics live there)');
  }
  if (config.optical.kafka.prefetchMiB > MAX_PREFETCH_MIB) {
    // librdkafka refuses queued.max.messages.kbytes above 2097151 (KiB).
    bad(
      `optical.kafka.prefetchMiB must be at most ${MAX_PREFETCH_MIB} (got ${config.optical.kafka.prefetchMiB})`,
    );
  }
  if (config.optical.kafka.format !== 'auto' && config.optical.kafka.format !== 'fink') {
    bad(`optical.kafka.format must be auto or fink (got "${config.optical.kafka.format}")`);
  }
  if (!['auto', 'librdkafka', 'kafkajs'].includes(config.optical.kafka.client)) {
    bad(`optical.kafka.client must be auto, librdkafka or kafkajs (got "${config.optical.kafka.client}")`);
  }
  if (config.optical.kafka.schemaRegistryUrl !== '') {
    try {
      checkSchemaRegistryUrl(config.optical.kafka.schemaRegistryUrl);
    } catch (error) {
      bad(`${(error as Error).message} (optical.kafka.schemaRegistryUrl)`);
    }
  }
  if (config.optical.kafka.brokers.length > 0 && config.optical.kafka.topics.length === 0) {
    bad('optical.kafka.brokers needs at least one optical.kafka.topics entry');
  }
  if (
    config.webhooks.publicBaseUrl !== '' &&
    !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(config.webhooks.publicBaseUrl)
  ) {
    bad(`webhooks.publicBaseUrl must be an http(s) URL (got "${config.webhooks.publicBaseUrl}")`);
  }
  if (config.metrics.listen !== '')
    parseMetricsListen(config.metrics.listen, config.metrics.allowNonLoopback);
  // Windows, rates, trials factors and thresholds: a bad one stops the start with one line.
  joinOptionsFromConfig(config.scores);
  // Every webhook subscription is checked here (URL policy, format, filters, ids), so a bad one
  // stops the start with one line instead of failing later.
  webhooksFromConfig(config.webhooks);
  for (const pattern of config.gcn.topics) {
    try {
      new RegExp(pattern);
    } catch {
      bad(`gcn.topics: "${pattern}" is not a regular expression`);
    }
  }
}

/**
 * A configuration file that holds a webhook secret must be readable by its owner only (chmod
 * 600), like the database that stores the secrets.
 */
function checkSecretsArePrivate(path: string, file: Record<string, unknown>): void {
  const subscriptions = getPath(file, 'webhooks.subscriptions');
  const hasSecret =
    Array.isArray(subscriptions) &&
    subscriptions.some((s) => s !== null && typeof s === 'object' && 'secret' in s);
  if (!hasSecret || process.platform === 'win32') return;
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `${path} holds secrets but others may read it; chmod 600 ${path}`,
    );
  }
}

/** The option table, for documentation (README) and `coincide serve --help`. */
export function describeOptions(): readonly OptionSpec[] {
  return OPTION_SPECS;
}

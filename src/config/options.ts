/**
 * The table of every configuration option: its path in the JSON file, its environment
 * variable, its command-line flag, its type, its default and what it does.
 *
 * One table drives the file reader, the environment reader, the CLI flags and the README's
 * configuration reference, so the four can never disagree. Precedence (lowest first):
 * defaults < file (--config FILE or COINCIDE_CONFIG) < environment (COINCIDE_*) < flags.
 */
import { DEFAULT_SKYMAP_HOSTS } from '../sky/url-policy.ts';
import { DEFAULT_TRUSTED_SOURCES } from '../trust/trust-policy.ts';
import { LOOPBACK_ONLY } from '../vtp/whitelist.ts';

export type OptionKind =
  | 'string'
  | 'port'
  | 'positive-int'
  | 'non-negative-number'
  | 'boolean'
  | 'ivo'
  | 'host-port-list'
  | 'string-list'
  | 'json-list'
  | 'log-level';

export interface OptionSpec {
  /** Dotted path in the JSON configuration file and in the Config object. */
  path: string;
  /** Environment variable. */
  env: string;
  /** Command-line flag (without --), when the option has one. */
  flag?: string;
  kind: OptionKind;
  default: unknown;
  description: string;
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  {
    path: 'db.path',
    env: 'COINCIDE_DB',
    flag: 'db',
    kind: 'string',
    default: './coincide.db',
    description: 'SQLite database file (events, notices, outbox, tokens).',
  },
  {
    path: 'localIvo',
    env: 'COINCIDE_LOCAL_IVO',
    flag: 'local-ivo',
    kind: 'ivo',
    default: 'ivo://coincide.local/broker',
    description: 'IVOA identifier of this broker: Origin of its Transport messages, prefix of its VOEvents.',
  },
  {
    path: 'listenHost',
    env: 'COINCIDE_LISTEN_HOST',
    flag: 'listen-host',
    kind: 'string',
    default: '0.0.0.0',
    description: 'Address every listener binds to (127.0.0.1 for local only, :: for IPv4 and IPv6).',
  },
  {
    path: 'vtp.receivePort',
    env: 'COINCIDE_RECEIVE_PORT',
    flag: 'receive-port',
    kind: 'port',
    default: 8098,
    description: 'VTP receiver port (authors submit VOEvents here); 0 = any free port.',
  },
  {
    path: 'vtp.receiveWhitelist',
    env: 'COINCIDE_RECEIVE_WHITELIST',
    flag: 'receive-whitelist',
    kind: 'string-list',
    default: [...LOOPBACK_ONLY],
    description:
      'CIDR networks allowed to submit to the receiver (IPv4 and IPv6); loopback only by default, as gwcelery runs Comet.',
  },
  {
    path: 'vtp.maxEventBytes',
    env: 'COINCIDE_MAX_EVENT_BYTES',
    flag: 'max-event-bytes',
    kind: 'positive-int',
    default: 100000,
    description:
      "Largest VTP submission accepted, bytes (Comet: 100,000); a larger frame closes the connection. Events over what the broadcaster relays (99,999) are nak'ed.",
  },
  {
    path: 'vtp.peerConcurrency',
    env: 'COINCIDE_PEER_CONCURRENCY',
    flag: 'peer-concurrency',
    kind: 'positive-int',
    default: 16,
    description: 'Submissions of one author address processed at once by the receiver; more wait their turn.',
  },
  {
    path: 'vtp.peerRatePerSec',
    env: 'COINCIDE_PEER_RATE',
    flag: 'peer-rate',
    kind: 'positive-int',
    default: 500,
    description:
      'Submissions of one author address started per second, on average (burst of as many); more wait.',
  },
  {
    path: 'trust.trustedSources',
    env: 'COINCIDE_TRUSTED_SOURCES',
    flag: 'trusted-source',
    kind: 'string-list',
    default: [...DEFAULT_TRUSTED_SOURCES],
    description:
      'Sources whose notices may make coincidences: author CIDRs, upstream:HOST:PORT, gcn:TOPIC, replay:FILE ("*" at the end: any). Others are stored and published, never joined.',
  },
  {
    path: 'trust.authorityRules',
    env: 'COINCIDE_TRUST_AUTHORITIES',
    flag: 'trust-authority',
    kind: 'string-list',
    default: [],
    description:
      "AUTHORITY@SOURCE rules (e.g. gwnet@gcn:*): an ivorn authority named here is accepted only from its rules' sources, and nak'ed from any other.",
  },
  {
    path: 'vtp.broadcastPort',
    env: 'COINCIDE_BROADCAST_PORT',
    flag: 'broadcast-port',
    kind: 'port',
    default: 8099,
    description: 'VTP broadcaster port (subscribers connect here); 0 = any free port.',
  },
  {
    path: 'vtp.subscriberWhitelist',
    env: 'COINCIDE_SUBSCRIBER_WHITELIST',
    flag: 'subscriber-whitelist',
    kind: 'string-list',
    // Loopback only by default: the broadcaster relays every event received, private ones too.
    default: ['127.0.0.0/8', '::1/128'],
    description:
      'CIDR networks allowed to subscribe to the broadcaster (IPv4 and IPv6); others are closed at once with zero bytes, as Comet does.',
  },
  {
    path: 'vtp.remotes',
    env: 'COINCIDE_REMOTES',
    flag: 'remote',
    kind: 'host-port-list',
    default: [],
    description:
      'Remote VTP brokers to subscribe to, host:port (repeatable flag; comma-separated in the environment).',
  },
  {
    path: 'vtp.sendTo',
    env: 'COINCIDE_SEND_TO',
    flag: 'send-to',
    kind: 'host-port-list',
    default: [],
    description:
      'Remote VTP receivers (e.g. an SVOM or GRANDMA node) that get every outgoing coincidence VOEvent.',
  },
  {
    path: 'http.port',
    env: 'COINCIDE_HTTP_PORT',
    flag: 'http-port',
    kind: 'port',
    default: 8080,
    description:
      'HTTP port: REST API, /healthz, /metrics and the WebSocket stream at /v1/stream; 0 = any free port.',
  },
  {
    path: 'metrics.listen',
    env: 'COINCIDE_METRICS_LISTEN',
    flag: 'metrics-listen',
    kind: 'string',
    default: '',
    description:
      'Also serve /metrics without a token on HOST:PORT of its own (e.g. 127.0.0.1:9464, [::1]:9464); loopback only unless metrics.allowNonLoopback. Empty = off (the API /metrics needs a metrics-scoped token).',
  },
  {
    path: 'metrics.allowNonLoopback',
    env: 'COINCIDE_METRICS_ALLOW_NON_LOOPBACK',
    flag: 'metrics-allow-non-loopback',
    kind: 'boolean',
    default: false,
    description:
      'Let metrics.listen bind to a non-loopback address (the page is open to anyone who reaches it: a private network only).',
  },
  {
    path: 'stream.heartbeatMs',
    env: 'COINCIDE_HEARTBEAT_MS',
    flag: 'heartbeat-ms',
    kind: 'positive-int',
    default: 30_000,
    description: 'Interval of WebSocket heartbeat messages, milliseconds.',
  },
  {
    path: 'stream.maxBufferedBytes',
    env: 'COINCIDE_MAX_BUFFERED_BYTES',
    flag: 'max-buffered-bytes',
    kind: 'positive-int',
    default: 8 * 1024 * 1024,
    description: 'A WebSocket client with more than this many bytes unsent is closed (code 4008).',
  },
  {
    path: 'outbox.retentionDays',
    env: 'COINCIDE_OUTBOX_RETENTION_DAYS',
    flag: 'outbox-retention-days',
    kind: 'non-negative-number',
    default: 30,
    description: 'How long messages stay resumable in the outbox, days (0 = forever).',
  },
  {
    path: 'archive.retentionDays',
    env: 'COINCIDE_ARCHIVE_RETENTION_DAYS',
    flag: 'archive-retention-days',
    kind: 'non-negative-number',
    default: 0,
    description:
      'How long stored events and notices (the searchable archive) are kept, days after receipt (0 = forever).',
  },
  {
    path: 'optical.paths',
    env: 'COINCIDE_OPTICAL_PATHS',
    flag: 'optical-path',
    kind: 'string-list',
    default: [],
    description:
      'Avro alert files or folders (ZTF, Rubin/LSST): read at start-up, folders then polled for new files (repeatable).',
  },
  {
    path: 'optical.pollMs',
    env: 'COINCIDE_OPTICAL_POLL_MS',
    flag: 'optical-poll-ms',
    kind: 'non-negative-number',
    default: 1000,
    description:
      'How often optical folders are polled for new files, milliseconds (0 = read once at start-up).',
  },
  {
    path: 'optical.kafka.brokers',
    env: 'COINCIDE_OPTICAL_KAFKA_BROKERS',
    flag: 'optical-kafka-brokers',
    kind: 'string-list',
    default: [],
    description: 'Kafka brokers (host:port) of an optical alert stream (ZTF, Rubin/LSST, Fink); empty = off.',
  },
  {
    path: 'optical.kafka.topics',
    env: 'COINCIDE_OPTICAL_KAFKA_TOPICS',
    flag: 'optical-kafka-topic',
    kind: 'string-list',
    default: [],
    description: 'Optical alert topics to consume (repeatable).',
  },
  {
    path: 'optical.kafka.groupId',
    env: 'COINCIDE_OPTICAL_KAFKA_GROUP',
    flag: 'optical-kafka-group',
    kind: 'string',
    default: 'coincide-optical',
    description:
      'Consumer group of the optical stream: instances sharing it share the partitions (scale-out).',
  },
  {
    path: 'optical.kafka.fromBeginning',
    env: 'COINCIDE_OPTICAL_KAFKA_FROM_BEGINNING',
    flag: 'optical-kafka-from-beginning',
    kind: 'boolean',
    default: false,
    description: 'With no committed offset, start at the earliest alert instead of the latest.',
  },
  {
    path: 'optical.kafka.format',
    env: 'COINCIDE_OPTICAL_KAFKA_FORMAT',
    flag: 'optical-kafka-format',
    kind: 'string',
    default: 'auto',
    description:
      "Framing of optical Kafka messages: auto (ZTF Avro containers, Confluent-framed Rubin/LSST) or fink (Fink's topics: the writer schema is the message key, the value schemaless Avro; Fink's added values are kept).",
  },
  {
    path: 'optical.kafka.client',
    env: 'COINCIDE_OPTICAL_KAFKA_CLIENT',
    flag: 'optical-kafka-client',
    kind: 'string',
    default: 'auto',
    description:
      'Kafka client of the optical stream: librdkafka (node-rdkafka, fetching on its own threads: the faster, issue 14), kafkajs, or auto (librdkafka when node-rdkafka is installed and cluster mode is off, else kafkajs).',
  },
  {
    path: 'optical.kafka.schemaRegistryUrl',
    env: 'COINCIDE_OPTICAL_KAFKA_SCHEMA_REGISTRY_URL',
    flag: 'optical-kafka-schema-registry-url',
    kind: 'string',
    default: '',
    description:
      'Confluent Schema Registry of Confluent-framed optical messages (Rubin/LSST): writer schemas are fetched by id from this host only (https, or http to this machine; redirects not followed). Empty: none, and such messages are skipped as AVRO_UNKNOWN_SCHEMA.',
  },
  {
    path: 'optical.kafka.prefetchMiB',
    env: 'COINCIDE_OPTICAL_KAFKA_PREFETCH_MIB',
    flag: 'optical-kafka-prefetch-mib',
    kind: 'positive-int',
    default: 256,
    description:
      "With the librdkafka client: the most alert bytes fetched ahead of the decoder, MiB (librdkafka's queued.max.messages.kbytes, at most 2047). The process holds up to this much more during a backlog; below ~256 MiB, fetching pauses about 1 s each time the queue fills (librdkafka 2.0), so a backlog is read more slowly.",
  },
  {
    path: 'gcn.domain',
    env: 'COINCIDE_GCN_DOMAIN',
    flag: 'gcn-domain',
    kind: 'string',
    default: '',
    description:
      'GCN Kafka domain (gcn.nasa.gov, or test.gcn.nasa.gov); with a client id and secret, consumes GCN.',
  },
  {
    path: 'gcn.clientId',
    env: 'COINCIDE_GCN_CLIENT_ID',
    flag: 'gcn-client-id',
    kind: 'string',
    default: '',
    description: 'GCN Kafka OIDC client id (from gcn.nasa.gov/quickstart).',
  },
  {
    path: 'gcn.clientSecret',
    env: 'COINCIDE_GCN_CLIENT_SECRET',
    kind: 'string',
    default: '',
    description: 'GCN Kafka OIDC client secret (environment or file only, never a flag).',
  },
  {
    path: 'gcn.brokers',
    env: 'COINCIDE_GCN_BROKERS',
    flag: 'gcn-brokers',
    kind: 'string-list',
    default: [],
    description:
      'Plaintext Kafka brokers carrying GCN-like topics (a local mirror or test broker) instead of GCN itself.',
  },
  {
    path: 'gcn.topics',
    env: 'COINCIDE_GCN_TOPICS',
    flag: 'gcn-topic',
    kind: 'string-list',
    default: [],
    description:
      'Topic patterns (regular expressions) to consume; default `gcn.classic.voevent.*`, `gcn.notices.*`, `igwn.gwalert`, `gcn.heartbeat`.',
  },
  {
    path: 'gcn.groupId',
    env: 'COINCIDE_GCN_GROUP',
    flag: 'gcn-group',
    kind: 'string',
    default: 'coincide',
    description:
      'Persistent consumer group for GCN topics (every instance should have its own: notices are small).',
  },
  {
    path: 'kafkaOut.brokers',
    env: 'COINCIDE_KAFKA_OUT_BROKERS',
    flag: 'kafka-out-brokers',
    kind: 'string-list',
    default: [],
    description:
      'Kafka brokers (host:port) that get every notice and coincidence (Fink-style topics); empty = off.',
  },
  {
    path: 'kafkaOut.format',
    env: 'COINCIDE_KAFKA_OUT_FORMAT',
    flag: 'kafka-out-format',
    kind: 'string',
    default: 'avro',
    description: 'Encoding of Kafka outputs: avro (versioned schema, fingerprint header) or json.',
  },
  {
    path: 'kafkaOut.noticeTopic',
    env: 'COINCIDE_KAFKA_OUT_NOTICE_TOPIC',
    flag: 'kafka-out-notice-topic',
    kind: 'string',
    default: 'fink_mm_notices',
    description: 'Topic of the normalised notice stream, keyed by triggerId.',
  },
  {
    path: 'kafkaOut.coincidenceTopic',
    env: 'COINCIDE_KAFKA_OUT_COINCIDENCE_TOPIC',
    flag: 'kafka-out-coincidence-topic',
    kind: 'string',
    default: 'fink_mm_coincidences',
    description: 'Topic of every coincidence and withdrawal, keyed by triggerId.',
  },
  {
    path: 'kafkaOut.keyMode',
    env: 'COINCIDE_KAFKA_OUT_KEY',
    flag: 'kafka-out-key',
    kind: 'string',
    default: 'trigger-id',
    description:
      "Key of the Avro notice and coincidence topics: trigger-id, or schema (the schema's JSON text, as Fink publishes, so fink-client reads them; the trigger id moves to the coincide-trigger-id header and still picks the partition). Tier topics are always keyed by schema in Avro.",
  },
  {
    path: 'kafkaOut.tierTopics',
    env: 'COINCIDE_KAFKA_OUT_TIER_TOPICS',
    flag: 'kafka-out-tier-topics',
    kind: 'boolean',
    default: true,
    description:
      'Also publish tiered optical coincidences on Fink-named topics (fink_grb_gold, fink_gw_bronze, …).',
  },
  {
    path: 'cluster.enabled',
    env: 'COINCIDE_CLUSTER',
    flag: 'cluster',
    kind: 'boolean',
    default: false,
    description:
      'Cluster mode (docs/scaling.md): notices go through kafkaOut.noticeTopic (every instance joins all of them), the optical buffer follows partition ownership, and WebSocket/REST serve the merged output topics. Needs kafkaOut.brokers.',
  },
  {
    path: 'cluster.instanceId',
    env: 'COINCIDE_CLUSTER_INSTANCE_ID',
    flag: 'cluster-instance-id',
    kind: 'string',
    default: '',
    description:
      "This instance's name in the cluster (its notice and stream consumer groups are named after it); empty = a random id kept in the database.",
  },
  {
    path: 'cluster.skymapTopic',
    env: 'COINCIDE_CLUSTER_SKYMAP_TOPIC',
    flag: 'cluster-skymap-topic',
    kind: 'string',
    default: 'fink_mm_skymaps',
    description:
      'Cluster mode: the topic that carries the sky maps of notices (the bytes, in chunks) from the instance that ingested them to every instance.',
  },
  {
    path: 'skymap.cacheDir',
    env: 'COINCIDE_SKYMAP_CACHE_DIR',
    flag: 'skymap-cache-dir',
    kind: 'string',
    default: '',
    description:
      'Disk cache of downloaded sky maps (LVK notices by URL); empty = coincide-skymaps next to the database.',
  },
  {
    path: 'skymap.timeoutMs',
    env: 'COINCIDE_SKYMAP_TIMEOUT_MS',
    flag: 'skymap-timeout-ms',
    kind: 'positive-int',
    default: 30000,
    description: 'Time limit of one sky map download, milliseconds.',
  },
  {
    path: 'skymap.maxBytes',
    env: 'COINCIDE_SKYMAP_MAX_BYTES',
    flag: 'skymap-max-bytes',
    kind: 'positive-int',
    default: 268435456,
    description: 'Largest sky map file accepted, bytes (default 256 MiB).',
  },
  {
    path: 'skymap.allowedHosts',
    env: 'COINCIDE_SKYMAP_ALLOWED_HOSTS',
    flag: 'skymap-allowed-host',
    kind: 'string-list',
    default: [...DEFAULT_SKYMAP_HOSTS],
    description:
      'Hosts sky maps may be downloaded from (exact, or *.domain); a URL naming any other host is refused without a connection.',
  },
  {
    path: 'skymap.allowHttp',
    env: 'COINCIDE_SKYMAP_ALLOW_HTTP',
    flag: 'skymap-allow-http',
    kind: 'boolean',
    default: false,
    description: 'Also download sky maps over plain http (local mirrors, tests); https only otherwise.',
  },
  {
    path: 'skymap.allowPrivateAddresses',
    env: 'COINCIDE_SKYMAP_ALLOW_PRIVATE_ADDRESSES',
    flag: 'skymap-allow-private-addresses',
    kind: 'boolean',
    default: false,
    description:
      'Also connect to loopback, link-local and private addresses (checked after DNS resolution) for sky maps; refused otherwise.',
  },
  {
    path: 'skymap.joinWaitMs',
    env: 'COINCIDE_SKYMAP_JOIN_WAIT_MS',
    flag: 'skymap-join-wait-ms',
    kind: 'positive-int',
    default: 10000,
    description:
      "Longest wait of a join for its notice's sky map, milliseconds: then it joins on the notice's own region, and again when the map arrives.",
  },
  {
    path: 'webhooks.urls',
    env: 'COINCIDE_WEBHOOK_URLS',
    flag: 'webhook-url',
    kind: 'string-list',
    default: [],
    description:
      'Webhook endpoints that get every message as {type,seq,data} JSON (repeatable; see webhooks.subscriptions for filters, formats, secrets).',
  },
  {
    path: 'webhooks.subscriptions',
    env: 'COINCIDE_WEBHOOKS',
    kind: 'json-list',
    default: [],
    description:
      "Webhook subscriptions, a JSON list of {url, id?, format? (json|slack|text), filters? (as the stream's), secret?} (file or environment, never a flag).",
  },
  {
    path: 'webhooks.allowHttpHosts',
    env: 'COINCIDE_WEBHOOK_ALLOW_HTTP_HOSTS',
    flag: 'webhook-allow-http-host',
    kind: 'string-list',
    default: [],
    description: 'Hosts webhooks may reach over plain http (e.g. 127.0.0.1); https only otherwise.',
  },
  {
    path: 'webhooks.publicBaseUrl',
    env: 'COINCIDE_PUBLIC_BASE_URL',
    flag: 'public-base-url',
    kind: 'string',
    default: '',
    description:
      "Public base URL of this service's console (e.g. https://coincide.example.org), for the trigger-page and sky-map links of slack and text webhooks; empty = no links.",
  },
  {
    path: 'webhooks.timeoutMs',
    env: 'COINCIDE_WEBHOOK_TIMEOUT_MS',
    flag: 'webhook-timeout-ms',
    kind: 'positive-int',
    default: 10_000,
    description: 'Time limit of one webhook POST (connect to response), milliseconds.',
  },
  {
    path: 'webhooks.maxAgeSec',
    env: 'COINCIDE_WEBHOOK_MAX_AGE_SEC',
    flag: 'webhook-max-age-sec',
    kind: 'non-negative-number',
    default: 86_400,
    description:
      'A webhook delivery still failing this long after its message was published is marked dead, seconds.',
  },
  {
    path: 'webhooks.retryInitialMs',
    env: 'COINCIDE_WEBHOOK_RETRY_INITIAL_MS',
    flag: 'webhook-retry-initial-ms',
    kind: 'positive-int',
    default: 1000,
    description: 'First webhook retry delay, milliseconds (doubles per attempt, with full jitter).',
  },
  {
    path: 'webhooks.retryMaxMs',
    env: 'COINCIDE_WEBHOOK_RETRY_MAX_MS',
    flag: 'webhook-retry-max-ms',
    kind: 'positive-int',
    default: 300_000,
    description: 'Longest webhook retry delay, milliseconds.',
  },
  {
    path: 'webhooks.reloadMs',
    env: 'COINCIDE_WEBHOOK_RELOAD_MS',
    flag: 'webhook-reload-ms',
    kind: 'positive-int',
    default: 1000,
    description:
      'How often a running service re-reads the webhook subscriptions (`coincide webhooks add/remove`), milliseconds.',
  },
  {
    path: 'scores.windows',
    env: 'COINCIDE_SCORES_WINDOWS',
    flag: 'scores-window',
    kind: 'string-list',
    default: [],
    description:
      "Window overrides <trigger>/<counterpart>=<startSec>..<endSec> (Δt = t_counterpart − t_trigger), e.g. gw-cbc/grb=-1..5 (repeatable; defaults in the README's windows table).",
  },
  {
    path: 'scores.grbRatePerYear',
    env: 'COINCIDE_SCORES_GRB_RATE_PER_YEAR',
    flag: 'scores-grb-rate-per-year',
    kind: 'non-negative-number',
    default: 325,
    description:
      'Rate of independent GRBs (Fermi 236 + Swift 65 + SVOM ~25 per 365-day year; ligo.raven, LIGO-T2400116): R of the GRB search.',
  },
  {
    path: 'scores.subGrbExtraRatePerYear',
    env: 'COINCIDE_SCORES_SUBGRB_EXTRA_RATE_PER_YEAR',
    flag: 'scores-subgrb-extra-rate-per-year',
    kind: 'non-negative-number',
    default: 65,
    description:
      'Sub-threshold GRBs added to the GRB rate for the SubGRB search (ligo.raven, LIGO-T1900297).',
  },
  {
    path: 'scores.henRatePerYear',
    env: 'COINCIDE_SCORES_HEN_RATE_PER_YEAR',
    flag: 'scores-hen-rate-per-year',
    kind: 'non-negative-number',
    default: 13.91,
    description: 'Rate of IceCube/KM3NeT neutrinos for the HEN search (ligo.raven; arXiv:2304.01174).',
  },
  {
    path: 'scores.otherRatePerYear',
    env: 'COINCIDE_SCORES_OTHER_RATE_PER_YEAR',
    flag: 'scores-other-rate-per-year',
    kind: 'non-negative-number',
    default: 100,
    description: "Rate of other counterparts (X-ray transients; this project's order-of-magnitude choice).",
  },
  {
    path: 'scores.trialsFactorCbc',
    env: 'COINCIDE_SCORES_TRIALS_FACTOR_CBC',
    flag: 'scores-trials-factor-cbc',
    kind: 'positive-int',
    default: 6,
    description: 'Trials factor T of CBC AllSky in FAR·T(T−1) (gwcelery significant_alert_trials_factor).',
  },
  {
    path: 'scores.trialsFactorBurst',
    env: 'COINCIDE_SCORES_TRIALS_FACTOR_BURST',
    flag: 'scores-trials-factor-burst',
    kind: 'positive-int',
    default: 3,
    description: 'Trials factor T of Burst AllSky (gwcelery).',
  },
  {
    path: 'scores.farThresholdCbcHz',
    env: 'COINCIDE_SCORES_FAR_THRESHOLD_CBC_HZ',
    flag: 'scores-far-threshold-cbc-hz',
    kind: 'non-negative-number',
    default: 1 / (30 * 86_400),
    description:
      'Publishing threshold of CBC pairs, Hz: 1/(30 d) (gwcelery significant_alert_far_threshold); silver below it.',
  },
  {
    path: 'scores.farThresholdBurstHz',
    env: 'COINCIDE_SCORES_FAR_THRESHOLD_BURST_HZ',
    flag: 'scores-far-threshold-burst-hz',
    kind: 'non-negative-number',
    default: 1 / 31_536_000,
    description: 'Publishing threshold of Burst pairs, Hz: 1/yr (gwcelery).',
  },
  {
    path: 'scores.snewsGwFarThresholdHz',
    env: 'COINCIDE_SCORES_SNEWS_GW_FAR_THRESHOLD_HZ',
    flag: 'scores-snews-gw-far-threshold-hz',
    kind: 'non-negative-number',
    default: 1 / 86_400,
    description: 'SNEWS pairs: FAR_GW·T below this publishes, Hz: 1/day (gwcelery snews_gw_far_threshold).',
  },
  {
    path: 'scores.goldMargin',
    env: 'COINCIDE_SCORES_GOLD_MARGIN',
    flag: 'scores-gold-margin',
    kind: 'non-negative-number',
    default: 100,
    description: 'gold = the publishing condition with this margin (FAR·T(T−1) ≤ threshold / margin).',
  },
  {
    path: 'scores.bronzeFactor',
    env: 'COINCIDE_SCORES_BRONZE_FACTOR',
    flag: 'scores-bronze-factor',
    kind: 'non-negative-number',
    default: 10,
    description: 'bronze = the publishing threshold loosened by this factor; looser pairs have no tier.',
  },
  {
    path: 'scores.targetedFermiGwFarHz',
    env: 'COINCIDE_SCORES_TARGETED_FERMI_GW_FAR_HZ',
    flag: 'scores-targeted-fermi-gw-far-hz',
    kind: 'non-negative-number',
    default: 1 / 86_400,
    description: 'Fermi targeted search: largest GW FAR admitted, Hz (ligo.raven 3.3: 1/day).',
  },
  {
    path: 'scores.targetedFermiExternalFarHz',
    env: 'COINCIDE_SCORES_TARGETED_FERMI_EXTERNAL_FAR_HZ',
    flag: 'scores-targeted-fermi-external-far-hz',
    kind: 'non-negative-number',
    default: 1e-4,
    description: 'Fermi targeted search: largest GBM FAR admitted, Hz (ligo.raven 3.3).',
  },
  {
    path: 'scores.targetedSwiftGwFarHz',
    env: 'COINCIDE_SCORES_TARGETED_SWIFT_GW_FAR_HZ',
    flag: 'scores-targeted-swift-gw-far-hz',
    kind: 'non-negative-number',
    default: 2 / 86_400,
    description: 'Swift targeted search (BAT GUANO): largest GW FAR admitted, Hz (ligo.raven 3.3: 2/day).',
  },
  {
    path: 'scores.targetedSwiftExternalFarHz',
    env: 'COINCIDE_SCORES_TARGETED_SWIFT_EXTERNAL_FAR_HZ',
    flag: 'scores-targeted-swift-external-far-hz',
    kind: 'non-negative-number',
    default: 1e-3,
    description: 'Swift targeted search: largest BAT FAR admitted, Hz (ligo.raven 3.3).',
  },
  {
    path: 'scores.opticalGoldPChance',
    env: 'COINCIDE_SCORES_OPTICAL_GOLD_PCHANCE',
    flag: 'scores-optical-gold-pchance',
    kind: 'non-negative-number',
    default: 1e-3,
    description: 'Optical gold: pChance at most this (calibrated: expected false gold per trigger −ln(1−p)).',
  },
  {
    path: 'scores.opticalSilverPChance',
    env: 'COINCIDE_SCORES_OPTICAL_SILVER_PCHANCE',
    flag: 'scores-optical-silver-pchance',
    kind: 'non-negative-number',
    default: 1e-2,
    description: 'Optical silver: pChance at most this.',
  },
  {
    path: 'scores.opticalBronzePChance',
    env: 'COINCIDE_SCORES_OPTICAL_BRONZE_PCHANCE',
    flag: 'scores-optical-bronze-pchance',
    kind: 'non-negative-number',
    default: 1e-1,
    description: 'Optical bronze: pChance at most this.',
  },
  {
    path: 'scores.tripleMaxPairFarHz',
    env: 'COINCIDE_SCORES_TRIPLE_MAX_PAIR_FAR_HZ',
    flag: 'scores-triple-max-pair-far-hz',
    kind: 'non-negative-number',
    default: 1 / 86_400,
    description:
      'Triples: F_max, the largest messenger-pair FAR that forms triples, Hz (1/day; FAR_triple = x(1 + ln(F_max/x)), src/join/triple-score.ts).',
  },
  {
    path: 'scores.tripleFarThresholdHz',
    env: 'COINCIDE_SCORES_TRIPLE_FAR_THRESHOLD_HZ',
    flag: 'scores-triple-far-threshold-hz',
    kind: 'non-negative-number',
    default: 1 / 31_536_000,
    description: 'Triples of pairs without a GW trials factor: FAR_thr of their tier rule, Hz (1/yr).',
  },
  {
    path: 'jsonl.path',
    env: 'COINCIDE_JSONL',
    flag: 'jsonl',
    kind: 'string',
    default: '',
    description: 'Append every outgoing message as one JSON line to this file ("-" = stdout, empty = off).',
  },
  {
    path: 'log.level',
    env: 'COINCIDE_LOG_LEVEL',
    flag: 'log-level',
    kind: 'log-level',
    default: 'info',
    description: 'Log level: debug, info, warn or error (JSON lines on stderr).',
  },
];

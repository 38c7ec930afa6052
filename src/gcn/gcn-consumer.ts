/**
 * GCN Kafka ingestion: consume the configured GCN topics with a persistent consumer group and
 * send every notice message through the shared ingest path (parse → validate → store →
 * normalise, de-duplicated by SHA-256 with every other input).
 *
 * Delivery: at-least-once and idempotent. A message's offset is committed only after
 * `ingest()` resolved, i.e. after the event is durably stored (or known to be a duplicate, or
 * rejected for good); a crash before the commit re-delivers the message, and the store answers
 * 'duplicate', so no Notice is produced twice. A rejected message (not a notice, malformed) is
 * logged and committed: a poison message never blocks a partition. An ingest that THROWS (the
 * store is unavailable) is not committed: kafkajs retries it.
 *
 * Start: topics are the broker's topics matching the patterns (re-listed every
 * topicRefreshMs: a topic that appears later is picked up by a restart of the consumer). Before
 * joining, partitions without a committed offset are positioned by time (rewind-plan.ts).
 * Liveness: `gcn.heartbeat` feeds a HeartbeatMonitor; `health()` reports it with counters and lag.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { CoincideError, describeError } from '../errors.ts';
import type { IngestOutcome } from '../ingest/ingest-event.ts';
import { retryKafka } from '../kafka/retry.ts';
import type { Logger } from '../logger.ts';
import {
  compileTopicPatterns,
  DEFAULT_GCN_TOPIC_PATTERNS,
  GCN_HEARTBEAT_TOPIC,
  matchesAny,
} from './gcn-topics.ts';
import { createHeartbeatMonitor, type HeartbeatHealth, type HeartbeatMonitor } from './heartbeat-monitor.ts';
import { planRewind } from './rewind-plan.ts';

/** The ingest entry point (EventIngestor['ingest'] from src/ingest/ingest-event.ts). */
export type GcnIngest = (
  bytes: Buffer,
  options: { input: 'gcn-kafka'; peer: string },
) => Promise<IngestOutcome>;

export interface GcnMessageRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The message's Kafka timestamp (Unix ms). */
  timestampMs: number;
  outcome: IngestOutcome | { outcome: 'heartbeat' } | { outcome: 'empty' };
}

export interface GcnConsumerOptions {
  kafka: Kafka;
  /** Persistent: the group's committed offsets are how a restart resumes without a gap. */
  groupId: string;
  /** Regular expressions (strings are anchored); default DEFAULT_GCN_TOPIC_PATTERNS. */
  topics?: ReadonlyArray<string | RegExp>;
  ingest: GcnIngest;
  clock: Clock;
  logger: Logger;
  /** The liveness topic (default `gcn.heartbeat`); it is consumed only if the patterns match it. */
  heartbeatTopic?: string;
  /** Heartbeat silence that is a warning (default 60 000 ms). */
  heartbeatSilenceMs?: number;
  /** How often the heartbeat state is re-evaluated (default 5 000 ms). */
  heartbeatCheckMs?: number;
  /** The furthest back a rewind by time goes (default 24 h; GCN keeps a few days). */
  maxRewindMs?: number;
  /** When the last GCN message was processed before this start (e.g. from the event store). */
  lastSeenMs?: () => number | undefined;
  /** How often the topic list is refreshed (default 300 000 ms; 0 = never). */
  topicRefreshMs?: number;
  sessionTimeoutMs?: number;
  /** Called after each message is handled and before its offset is committed. */
  onProcessed?: (record: GcnMessageRecord) => void | Promise<void>;
}

export interface GcnHealth {
  running: boolean;
  groupId: string;
  topics: string[];
  heartbeat: HeartbeatHealth | null;
  messages: { received: number; accepted: number; duplicate: number; rejected: number; empty: number };
  /** Unix ms when the last notice message (not heartbeat) was handled. */
  lastMessageMs: number | null;
  /** "topic/partition" → messages not yet consumed, from the last fetched batch. */
  lagByPartition: Record<string, number>;
  lastError: string | null;
}

export interface GcnConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): GcnHealth;
}

const DEFAULT_MAX_REWIND_MS = 24 * 3600 * 1000;
const DEFAULT_TOPIC_REFRESH_MS = 300_000;
const DEFAULT_HEARTBEAT_CHECK_MS = 5_000;
/** GCN messages reach ~4 MiB (LVK alerts with sky maps). */
const MAX_FETCH_BYTES = 16 * 1024 * 1024;

export function createGcnConsumer(options: GcnConsumerOptions): GcnConsumer {
  const { kafka, groupId, ingest, clock } = options;
  const logger = options.logger.child({ service: 'gcn', groupId });
  const patterns = compileTopicPatterns(options.topics ?? DEFAULT_GCN_TOPIC_PATTERNS);
  const maxRewindMs = options.maxRewindMs ?? DEFAULT_MAX_REWIND_MS;
  const topicRefreshMs = options.topicRefreshMs ?? DEFAULT_TOPIC_REFRESH_MS;
  const heartbeatTopic = options.heartbeatTopic ?? GCN_HEARTBEAT_TOPIC;
  const heartbeatWanted = matchesAny(heartbeatTopic, patterns);
  const monitor: HeartbeatMonitor | null = heartbeatWanted
    ? createHeartbeatMonitor({
        clock,
        logger,
        ...(options.heartbeatSilenceMs === undefined ? {} : { silenceMs: options.heartbeatSilenceMs }),
      })
    : null;

  const counters = { received: 0, accepted: 0, duplicate: 0, rejected: 0, empty: 0 };
  const lagByPartition: Record<string, number> = {};
  let topics: string[] = [];
  let consumer: Consumer | undefined;
  let running = false;
  let lastMessageMs: number | null = null;
  let lastError: string | null = null;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const listMatchingTopics = async (): Promise<string[]> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => !t.startsWith('__') && matchesAny(t, patterns)).sort();
    } finally {
      await admin.disconnect();
    }
  };

  /** Positions partitions without committed offsets (see rewind-plan.ts). */
  const rewind = (forTopics: string[]): Promise<void> =>
    retryKafka(() => rewindOnce(forTopics), {
      onRetry: (error) => {
        logger.info('GCN rewind retried', { error: describeError(error) });
      },
    });

  const rewindOnce = async (forTopics: string[]): Promise<void> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId, topics: forTopics });
      const lastSeenMs = options.lastSeenMs?.();
      const plan = planRewind({
        partitions: committed.flatMap((t) =>
          t.partitions.map((p) => ({
            topic: t.topic,
            partition: p.partition,
            committed: p.offset === '-1' ? null : p.offset,
          })),
        ),
        nowMs: clock.nowMs(),
        maxRewindMs,
        ...(lastSeenMs === undefined ? {} : { lastSeenMs }),
        latestOnlyTopics: [heartbeatTopic],
      });
      const targets: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
      for (const [topic, partitions] of plan.byTime) {
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, plan.rewindFromMs);
        targets.push({ topic, partitions: offsets.filter((o) => partitions.includes(o.partition)) });
      }
      for (const [topic, partitions] of plan.atEnd) {
        const offsets = await admin.fetchTopicOffsets(topic);
        targets.push({
          topic,
          partitions: offsets
            .filter((o) => partitions.includes(o.partition))
            .map((o) => ({ partition: o.partition, offset: o.offset })),
        });
      }
      for (const target of targets) {
        if (target.partitions.length === 0) continue;
        try {
          await admin.setOffsets({ groupId, topic: target.topic, partitions: target.partitions });
        } catch (error) {
          if ((error as { retriable?: unknown }).retriable === true) throw error;
          // Another instance of this group is running: it owns the positions; do not fight it.
          logger.warn('GCN rewind skipped: the group has running members', {
            topic: target.topic,
            error: describeError(error),
          });
          return;
        }
      }
      if (targets.length > 0) {
        logger.info('GCN partitions without committed offsets positioned by time', {
          rewindFromIso: new Date(plan.rewindFromMs).toISOString(),
          topics: targets.map((t) => t.topic),
        });
      }
      logger.info('GCN consumer resuming', { resumedPartitions: plan.resumed });
    } finally {
      await admin.disconnect();
    }
  };

  const handle = async (
    c: Consumer,
    topic: string,
    partition: number,
    message: { offset: string; timestamp: string; value: Buffer | null },
  ): Promise<void> => {
    const timestampMs = Number(message.timestamp);
    let outcome: GcnMessageRecord['outcome'];
    if (topic === heartbeatTopic) {
      monitor?.beat(message.value);
      outcome = { outcome: 'heartbeat' };
    } else {
      counters.received += 1;
      if (!message.value || message.value.length === 0) {
        counters.empty += 1;
        logger.warn('GCN message with no value skipped', { topic, partition, offset: message.offset });
        outcome = { outcome: 'empty' };
      } else {
        const result = await ingest(message.value, { input: 'gcn-kafka', peer: topic });
        counters[result.outcome] += 1;
        if (result.outcome === 'rejected') {
          logger.warn('GCN message rejected', {
            topic,
            partition,
            offset: message.offset,
            code: result.code,
            reason: result.reason,
          });
        }
        outcome = result;
      }
      lastMessageMs = clock.nowMs();
    }
    await options.onProcessed?.({ topic, partition, offset: message.offset, timestampMs, outcome });
    // Kafka's committed offset is the NEXT message to read.
    await c.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  };

  const run = async (): Promise<void> => {
    topics = await retryKafka(listMatchingTopics);
    if (topics.length === 0) {
      logger.warn('no GCN topic on the broker matches the patterns yet', { patterns: patterns.map(String) });
      return;
    }
    await rewind(topics);
    const c = kafka.consumer({
      groupId,
      maxBytes: MAX_FETCH_BYTES,
      maxBytesPerPartition: MAX_FETCH_BYTES,
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
    });
    c.on(c.events.END_BATCH_PROCESS, (event) => {
      lagByPartition[`${event.payload.topic}/${event.payload.partition}`] = Number(
        event.payload.offsetLagLow,
      );
    });
    c.on(c.events.CRASH, (event) => {
      lastError = describeError(event.payload.error);
      logger.error('GCN consumer crashed', { error: lastError, restart: event.payload.restart });
    });
    c.on(c.events.GROUP_JOIN, (event) => {
      logger.info('GCN consumer joined its group', { memberAssignment: event.payload.memberAssignment });
    });
    await c.connect();
    await c.subscribe({ topics, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await handle(c, topic, partition, message);
      },
    });
    consumer = c;
    logger.info('GCN consumer started', { topics });
  };

  /** Read through a function: stop() may change it while a restart awaits. */
  const isRunning = (): boolean => running;

  const refreshTopics = async (): Promise<void> => {
    if (!running || restarting) return;
    let latest: string[];
    try {
      latest = await listMatchingTopics();
    } catch (error) {
      logger.warn('GCN topic refresh failed', { error: describeError(error) });
      return;
    }
    const added = latest.filter((t) => !topics.includes(t));
    if (added.length === 0) return;
    logger.info('new GCN topics: restarting the consumer to subscribe', { added });
    restarting = (async () => {
      await consumer?.disconnect();
      consumer = undefined;
      if (isRunning()) await run();
    })()
      .catch((error: unknown) => {
        lastError = describeError(error);
        logger.error('GCN consumer restart failed', { error: lastError });
      })
      .finally(() => {
        restarting = undefined;
      });
    await restarting;
  };

  return {
    async start() {
      if (running) return;
      running = true;
      try {
        await run();
      } catch (error) {
        running = false;
        throw new CoincideError('KAFKA_FAILED', `GCN consumer failed to start: ${describeError(error)}`, {
          cause: error,
          retriable: true,
        });
      }
      if (monitor)
        heartbeatTimer = setInterval(
          () => monitor.check(),
          options.heartbeatCheckMs ?? DEFAULT_HEARTBEAT_CHECK_MS,
        ).unref();
      if (topicRefreshMs > 0) {
        refreshTimer = setInterval(() => {
          void refreshTopics();
        }, topicRefreshMs).unref();
      }
    },
    async stop() {
      running = false;
      clearInterval(heartbeatTimer);
      clearInterval(refreshTimer);
      await restarting;
      await consumer?.disconnect();
      consumer = undefined;
      logger.info('GCN consumer stopped', { ...counters });
    },
    health() {
      return {
        running,
        groupId,
        topics: [...topics],
        heartbeat: monitor?.health() ?? null,
        messages: { ...counters },
        lastMessageMs,
        lagByPartition: { ...lagByPartition },
        lastError,
      };
    },
  };
}

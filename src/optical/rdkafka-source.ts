/**
 * Optical alerts from Kafka through librdkafka (node-rdkafka built against Debian's librdkafka):
 * the same contract as kafka-source.ts (a consumer group, each message decoded and its alerts
 * handed to `onAlert`, at-least-once), with librdkafka's C threads fetching.
 *
 * Why (issue 14, bench/optical.ts, same run): kafkajs fetches one response at a time in the
 * JavaScript thread and reached ~1.0x the Java consumer's messages/s without decoding at all;
 * librdkafka fetches ahead on its own threads (its queue of fetched messages overlaps the
 * decoding here), and with the projected decode in this thread consumed 2-3x kafkajs's rate.
 *
 * Delivery: auto-commit is off. The loop takes up to BATCH_MESSAGES fetched messages at a time,
 * decodes them in order and awaits `onAlert` for each alert; only then is each partition's
 * next offset committed (after a crash, the messages since the last commit are delivered again;
 * downstream handling is idempotent on `alertId`). A message that does not decode is reported
 * through `onDecodeError` and skipped (committed). A retriable decode error (schema registry
 * down) pauses the partition, drops what was fetched of it, and after RETRY_DELAY_MS seeks it
 * back to that message and resumes it (retryLater).
 * Rebalance: on a revocation the processed offsets of the revoked partitions are committed
 * before they are given up, and the batch being processed stops handing on their messages (the
 * new owner starts from the commit); on an assignment librdkafka resumes each partition from
 * its committed offset. Partition ends (enable.partition.eof) feed `eventTime`.
 */
import { createRequire } from 'node:module';
import { CoincideError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { AlertMessageMeta, OpticalKafkaSourceOptions } from './kafka-source.ts';
import { OPTICAL_FETCH_DEFAULTS, RETRY_DELAY_MS } from './kafka-source.ts';
import { KafkaAlertMessages } from './kafka-alert-message.ts';

/** The kafkajs source's options (same meanings) less its kafkajs-only ones, plus the brokers. */
export type RdkafkaOpticalSourceOptions = Pick<
  OpticalKafkaSourceOptions,
  | 'groupId'
  | 'topics'
  | 'fromBeginning'
  | 'decoder'
  | 'format'
  | 'onAlert'
  | 'onDecodeError'
  | 'logger'
  | 'maxBytesPerPartition'
  | 'maxBytes'
  | 'eventTime'
> & {
  /** host:port of the bootstrap brokers (plaintext, as the optical consumer is configured). */
  brokers: readonly string[];
  clientId?: string;
  /**
   * The most librdkafka holds fetched ahead of the decoder, KiB (`queued.max.messages.kbytes`;
   * default RDKAFKA_PREFETCH_QUEUE_KBYTES).
   */
  prefetchQueueKbytes?: number;
};

/** Messages taken from librdkafka's queue per consume call. */
export const BATCH_MESSAGES = 256;
/** A consume call returns what it has after this long without a new message. */
export const CONSUME_TIMEOUT_MS = 50;

/**
 * The part of node-rdkafka's API used here, declared here: node-rdkafka is an optional dependency
 * (a native addon), and the project must typecheck where it is not installed.
 */
interface RdkafkaMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp?: number;
  key?: Buffer | string | null;
  value: Buffer | null;
}
interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}
/** node-rdkafka's LibrdKafkaError. */
interface RdkafkaError extends Error {
  code: number;
}
interface RdkafkaConsumer {
  connect(options: { timeout: number }, cb: (error: RdkafkaError | null) => void): void;
  disconnect(cb: () => void): void;
  setDefaultConsumeTimeout(timeoutMs: number): void;
  subscribe(topics: string[]): void;
  consume(count: number, cb: (error: RdkafkaError | null, messages: RdkafkaMessage[]) => void): void;
  assign(assignment: Array<{ topic: string; partition: number }>): void;
  unassign(): void;
  commit(offsets: TopicPartitionOffset[]): void;
  commitSync(offsets: TopicPartitionOffset[]): void;
  seek(target: TopicPartitionOffset, timeoutMs: number, cb: (error: RdkafkaError | null) => void): void;
  pause(partitions: Array<{ topic: string; partition: number }>): void;
  resume(partitions: Array<{ topic: string; partition: number }>): void;
  on(event: 'event.error', listener: (error: RdkafkaError) => void): void;
  on(event: 'partition.eof', listener: (eof: TopicPartitionOffset) => void): void;
  /** librdkafka's log lines (with `event_cb` and `debug` set: bench/optical-consume.ts). */
  on(event: 'event.log', listener: (log: { fac: string; message: string }) => void): void;
  removeListener(event: 'partition.eof', listener: (eof: TopicPartitionOffset) => void): void;
}
type RebalanceCallback = (
  error: RdkafkaError,
  assignment: Array<{ topic: string; partition: number }>,
) => void;
interface Module {
  KafkaConsumer: new (
    conf: Record<string, string | number | boolean | RebalanceCallback>,
    topicConf: Record<string, string>,
  ) => RdkafkaConsumer;
  CODES: { ERRORS: { ERR__ASSIGN_PARTITIONS: number; ERR__REVOKE_PARTITIONS: number } };
  librdkafkaVersion: string;
}

/** node-rdkafka, or the reason it cannot be loaded (an optional dependency: a native addon). */
export function loadRdkafka(): { module: Module } | { error: string } {
  try {
    return { module: createRequire(import.meta.url)('node-rdkafka') as Module };
  } catch (error) {
    return { error: String(error).split('\n')[0] ?? 'node-rdkafka not loadable' };
  }
}

const key = (topic: string, partition: number): string => `${topic}\u0000${String(partition)}`;

/**
 * The most librdkafka holds fetched ahead of the decoder, in KiB: 256 MiB (librdkafka's default
 * is 64 MiB).
 *
 * Why (librdkafka 2.0.2, Debian's; read in its source, node-rdkafka's deps/librdkafka):
 * before each fetch, rd_kafka_toppar_fetch_decide() (rdkafka_fetcher.c) makes a partition
 * "not fetchable" once the consumer queue holds `queued.max.messages.kbytes` (x 1000 bytes),
 * with no backoff time of its own. Its broker thread (rd_kafka_broker_consumer_serve(),
 * rdkafka_broker.c) then blocks on its ops and socket until the end of its serve slice,
 * rd_kafka_max_block_ms = 1000 ms, a constant. Nothing the application does while draining the
 * queue wakes it. So each time the fetcher gets ahead of the decoder and fills the queue,
 * fetching stops for up to 1 s, whether or not the decoder has already drained the queue.
 * `fetch.error.backoff.ms` does not apply here: it is only read on fetch errors
 * (rd_kafka_toppar_fetch_backoff). librdkafka 2.1 made this wait a setting,
 * `fetch.queue.backoff.ms` (default 1000 ms: confluentinc/librdkafka#2879); 2.0.2 has no setting
 * for it, so the queue must hold what the consumer takes in that second. 64 MiB is ~700
 * full-size LSST alerts (~90 kB). The queue fills whenever fetching outpaces the consumer, which
 * is the rule in a backlog once `onAlert` does serve's work. Measured (bench/optical.ts
 * --kafka-only --queue-ab 65536,262144,1048576 --alert-work-us 150, sizes alternated, 19:22 UTC,
 * load 8.4): LSST 1.2-1.3k alerts/s at 64 MiB, stalled 1.9 of 3.1 s; 2.9-3.8k/s at 256 MiB
 * (2.2-3.0x), not stalled; 3.4-3.5k/s at 1 GiB. Again with 16 MiB, 64 MiB and 256 MiB (19:26,
 * load 7.8-3.6), librdkafka's FETCH trace: the queue filled 14-16, 4-6 and 0 times, and fetching
 * resumed 885-922 ms and 847 ms after it filled, on average (the rest of the 1 s slice).
 *
 * The limit is a threshold checked before each fetch, nothing allocated ahead: the Fetch
 * requests (fetch.max.bytes and max.partition.fetch.bytes are set explicitly) are the same
 * whatever its value, and it is reached only when more than it is waiting on the broker. Memory:
 * up to this plus one fetch response (fetch.max.bytes) of alert bytes in librdkafka. With a
 * topic larger than the queue (6,000 alerts, --alert-work-us 150, 20:00, load 11.5-6.7): LSST
 * 1.2-1.4k/s at 64 MiB, 3.4-3.9k/s at 256 MiB (2.45-3.34x), 3.6-4.0k/s at 1 GiB; ZTF 1.52-2.43x
 * at 256 MiB; the consuming process's peak RSS 323-375, 524-638 and 659-871 MiB.
 */
export const RDKAFKA_PREFETCH_QUEUE_KBYTES = 256 * 1024;

export class RdkafkaOpticalSource {
  private consumer: RdkafkaConsumer | undefined;
  private readonly logger: Logger;
  private alertCount = 0;
  private readonly messages: KafkaAlertMessages;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Next offset to commit per partition, processed and not yet committed. */
  private readonly processed = new Map<string, { topic: string; partition: number; offset: number }>();
  /** Partitions currently assigned; a message of any other is not handed on. */
  private assigned = new Set<string>();
  private retryTimers = new Set<NodeJS.Timeout>();
  /** Partitions paused until a retry seeks them back (their messages meanwhile are not handed on). */
  private readonly blocked = new Set<string>();

  constructor(private readonly options: RdkafkaOpticalSourceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.messages = new KafkaAlertMessages({
      decoder: options.decoder,
      logger: this.logger,
      ...(options.format ? { format: options.format } : {}),
      ...(options.onDecodeError ? { onDecodeError: options.onDecodeError } : {}),
    });
  }

  get stats(): { alerts: number; decodeErrors: number } {
    return { alerts: this.alertCount, decodeErrors: this.messages.decodeErrors };
  }

  async start(): Promise<void> {
    if (this.consumer) throw new CoincideError('KAFKA_FAILED', 'the optical Kafka source is already started');
    const loaded = loadRdkafka();
    if ('error' in loaded) throw new CoincideError('KAFKA_FAILED', `librdkafka binding: ${loaded.error}`);
    const o = this.options;
    const consumer = new loaded.module.KafkaConsumer(
      {
        'client.id': o.clientId ?? 'coincide-optical',
        'group.id': o.groupId,
        'metadata.broker.list': o.brokers.join(','),
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'fetch.max.bytes': o.maxBytes ?? OPTICAL_FETCH_DEFAULTS.maxBytes,
        'max.partition.fetch.bytes': o.maxBytesPerPartition ?? OPTICAL_FETCH_DEFAULTS.maxBytesPerPartition,
        'queued.max.messages.kbytes': o.prefetchQueueKbytes ?? RDKAFKA_PREFETCH_QUEUE_KBYTES,
        rebalance_cb: (error: RdkafkaError, assignment: Array<{ topic: string; partition: number }>) => {
          this.rebalance(consumer, loaded.module, error, assignment);
        },
      },
      { 'auto.offset.reset': o.fromBeginning === true ? 'earliest' : 'latest' },
    );
    consumer.on('event.error', (error) => {
      this.logger.warn('optical librdkafka error', { error: String(error) });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        consumer.connect({ timeout: 10_000 }, (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
      consumer.setDefaultConsumeTimeout(CONSUME_TIMEOUT_MS);
      consumer.subscribe([...o.topics]);
    } catch (error) {
      await this.disconnect(consumer);
      throw new CoincideError('KAFKA_FAILED', `optical consumer could not start: ${String(error)}`, {
        cause: error,
        retriable: true,
      });
    }
    this.consumer = consumer;
    this.running = true;
    this.loop = this.consumeLoop(consumer);
    this.logger.info('optical kafka source started (librdkafka)', { groupId: o.groupId, topics: o.topics });
  }

  /** librdkafka's rebalance callback: commit what was processed of revoked partitions, then hand over. */
  private rebalance(
    consumer: RdkafkaConsumer,
    module: Module,
    error: RdkafkaError,
    assignment: Array<{ topic: string; partition: number }>,
  ): void {
    if (error.code === module.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
      consumer.assign(assignment);
      // Assigned afresh: every partition starts at its committed offset, unpaused.
      this.blocked.clear();
      this.assigned = new Set(assignment.map((a) => key(a.topic, a.partition)));
      const byTopic: Record<string, number[]> = {};
      for (const a of assignment) (byTopic[a.topic] ??= []).push(a.partition);
      this.options.eventTime?.assign(byTopic);
    } else if (error.code === module.CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
      this.assigned = new Set(); // the batch in progress stops handing on their messages
      this.commit(consumer, true);
      // eventTime keeps its partitions until the next assignment (as kafka-source.ts: a partition
      // kept across the rebalance keeps its progress).
      consumer.unassign();
    } else {
      this.logger.warn('optical rebalance error', { error: String(error) });
    }
  }

  private consumeBatch(consumer: RdkafkaConsumer): Promise<RdkafkaMessage[]> {
    return new Promise((resolve, reject) => {
      consumer.consume(BATCH_MESSAGES, (error, messages) => {
        if (error) reject(error);
        else resolve(messages);
      });
    });
  }

  private async consumeLoop(consumer: RdkafkaConsumer): Promise<void> {
    const ends: Array<{ topic: string; partition: number; offset: number }> = [];
    const onEof = (eof: { topic: string; partition: number; offset: number }): void => {
      ends.push(eof);
    };
    consumer.on('partition.eof', onEof);
    try {
      while (this.running) {
        let messages: RdkafkaMessage[];
        try {
          messages = await this.consumeBatch(consumer);
        } catch (error) {
          this.logger.warn('optical consume failed; retrying', { error: String(error) });
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
          continue;
        }
        await this.processBatch(consumer, messages);
        // Partition ends reached by what was processed (the EOF offset is the partition's end).
        for (const eof of ends.splice(0)) {
          const done = this.processed.get(key(eof.topic, eof.partition));
          if (!done || done.offset >= eof.offset) this.options.eventTime?.caughtUp(eof.topic, eof.partition);
          if (!done) this.options.eventTime?.knownAtEnd(eof.topic, eof.partition);
        }
        this.commit(consumer, !this.running);
      }
    } finally {
      consumer.removeListener('partition.eof', onEof);
    }
  }

  /** Decodes and hands on the batch's messages in order (per partition, as fetched). */
  private async processBatch(consumer: RdkafkaConsumer, messages: RdkafkaMessage[]): Promise<void> {
    const { onAlert, eventTime } = this.options;
    const started = new Set<string>();
    for (const message of messages) {
      const partitionKey = key(message.topic, message.partition);
      if (!this.running || this.blocked.has(partitionKey) || !this.assigned.has(partitionKey)) continue;
      if (eventTime && !started.has(partitionKey)) {
        started.add(partitionKey);
        eventTime.batchStarted(message.topic, message.partition);
      }
      const meta: AlertMessageMeta = {
        topic: message.topic,
        partition: message.partition,
        offset: String(message.offset),
        timestamp: String(message.timestamp ?? 0),
      };
      const decoded = this.messages.decode(message.key, message.value, meta);
      const outcome = decoded instanceof Promise ? await decoded : decoded;
      if ('retry' in outcome) {
        // e.g. the schema registry is down: this partition again from this message, later.
        this.retryLater(consumer, message.topic, message.partition, message.offset, outcome.retry);
        continue;
      }
      for (const alert of outcome.alerts) {
        eventTime?.observe(message.topic, message.partition, alert.timeMjd);
        const pending = onAlert(alert, meta);
        if (pending) await pending;
        this.alertCount += 1;
      }
      // Revoked meanwhile (while onAlert was awaited): the new owner commits from here on.
      if (this.assigned.has(partitionKey))
        this.processed.set(partitionKey, {
          topic: message.topic,
          partition: message.partition,
          offset: message.offset + 1,
        });
    }
  }

  /**
   * A retriable failure at `offset` (the schema registry down): the partition is paused and none
   * of its messages handed on (those already fetched are dropped), then after RETRY_DELAY_MS it is
   * sought back to `offset` and resumed. Nothing at or after `offset` was committed.
   */
  private retryLater(
    consumer: RdkafkaConsumer,
    topic: string,
    partition: number,
    offset: number,
    error: CoincideError,
  ): void {
    const partitionKey = key(topic, partition);
    if (!this.blocked.has(partitionKey)) {
      this.logger.warn('optical batch not processed; fetched again', {
        topic,
        partition,
        offset,
        error: error.message,
      });
      this.blocked.add(partitionKey);
      consumer.pause([{ topic, partition }]);
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      // Revoked meanwhile: the next owner starts from the committed offset (before `offset`).
      if (!this.running || !this.assigned.has(partitionKey)) return;
      consumer.seek({ topic, partition, offset }, 5000, (seekError) => {
        if (seekError) {
          this.logger.warn('optical seek failed; trying again', {
            topic,
            partition,
            error: String(seekError),
          });
          this.retryLater(consumer, topic, partition, offset, error);
          return;
        }
        this.blocked.delete(partitionKey);
        consumer.resume([{ topic, partition }]);
      });
    }, RETRY_DELAY_MS);
    this.retryTimers.add(timer);
  }

  /** Commits the processed offsets (synchronously on a revocation or at stop). */
  private commit(consumer: RdkafkaConsumer, sync: boolean): void {
    if (this.processed.size === 0) return;
    const offsets = [...this.processed.values()];
    this.processed.clear();
    try {
      if (sync) consumer.commitSync(offsets);
      else consumer.commit(offsets);
    } catch (error) {
      // After a rebalance the partition may be another member's: its messages since the last
      // commit are delivered again (at least once).
      this.logger.warn('optical offsets not committed', { error: String(error) });
    }
  }

  private disconnect(consumer: RdkafkaConsumer): Promise<void> {
    return new Promise((resolve) => {
      consumer.disconnect(() => {
        resolve();
      });
    });
  }

  /** Stops consuming, commits what was processed and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    this.running = false;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.options.eventTime?.stop();
    await this.loop;
    this.commit(consumer, true);
    await this.disconnect(consumer);
    this.logger.info('optical kafka source stopped', { groupId: this.options.groupId, ...this.stats });
  }
}

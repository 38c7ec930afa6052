/**
 * Optical alerts from Kafka: a kafkajs consumer in a consumer group (the instances of one
 * group share the partitions of the alert topics), decoding each message (a ZTF container,
 * a Confluent-framed LSST record, or with format 'fink' a Fink topic's message: schema in the
 * key, schemaless Avro value) and handing every alert to `onAlert`.
 *
 * Delivery is at least once: a message's offset is committed only after `onAlert` has resolved
 * for all its alerts (and those of the messages before it); after a crash or a rebalance, the
 * messages since the last commit are delivered again; downstream handling is idempotent on
 * `alertId`. A message that does not decode is reported through `onDecodeError` and skipped (its
 * offset is committed, so one bad message never blocks a partition).
 *
 * Throughput (issue 14, bench/optical.ts): kafkajs fetches one response per broker at a time and
 * fetches the next only when `eachBatch` has returned for every batch of the current one. With
 * `prefetchBatches` >= 1 (the default), `eachBatch` only queues the batch (prefetch-queue.ts) and
 * returns, so the next fetch runs while one loop decodes the queued batches in order, yielding to
 * the event loop every YIELD_EVERY_MESSAGES messages so that the response is read meanwhile;
 * offsets are committed by hand after each batch (autoCommit off); a rebalance or a seek makes
 * the queued batches stale (dropped, fetched again from the committed or sought offset). With
 * `prefetchBatches` 0, fetch and process take turns, offsets are resolved per message and
 * auto-committed (the design before). Per message: a synchronous decode (no promise unless a
 * schema must be fetched), `onAlert` awaited only when it returns a promise, a heartbeat every
 * HEARTBEAT_EVERY_MESSAGES. The fetch sizes are options: a larger response amortises the round
 * trip, and Kafka always returns at least one whole record batch.
 * kafkajs copies each response into one buffer; with Node's default heap settings those
 * buffers are freed only by full collections, which halves the consume rate: a process that
 * consumes alerts should run node with --initial-old-space-size=128 (bench/optical.ts).
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { CoincideError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { OpticalAlertDecoder } from './alert-decoder.ts';
import type { OpticalAlert } from './optical-alert.ts';
import type { DecodedMessage, DecodeThread } from './decode-thread.ts';
import type { PartitionEventTime } from './partition-event-time.ts';
import { KafkaAlertMessages } from './kafka-alert-message.ts';
import { PrefetchQueue } from './prefetch-queue.ts';

export type OpticalKafkaFormat = 'auto' | 'fink';

export interface AlertMessageMeta {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka message timestamp, ms since the Unix epoch (as a string, as kafkajs gives it). */
  timestamp: string;
}

export interface OpticalKafkaSourceOptions {
  /** A kafkajs client (e.g. from the shared client factory). */
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** Start at the earliest offset when the group has no committed offset (default false). */
  fromBeginning?: boolean;
  decoder: OpticalAlertDecoder;
  /**
   * 'auto' (default): each value is a ZTF Avro container or a Confluent-framed (Rubin/LSST) record.
   * 'fink': Fink's topics, the writer schema as the key and the value schemaless Avro.
   */
  format?: OpticalKafkaFormat;
  onAlert: (alert: OpticalAlert, meta: AlertMessageMeta) => Promise<void> | void;
  onDecodeError?: (error: CoincideError, meta: AlertMessageMeta) => void;
  logger?: Logger;
  /** Auto-commit of resolved offsets: interval (default 1 s) and message threshold (default 1000). */
  commitIntervalMs?: number;
  commitThreshold?: number;
  /** Largest bytes fetched per partition per request (default 10 MiB: alerts are ~100 kB). */
  maxBytesPerPartition?: number;
  /** Largest bytes of one fetch response, all partitions together (default 10 MiB). */
  maxBytes?: number;
  /** The broker answers a fetch once it has this many bytes (default 1) or after maxWaitTimeMs. */
  minBytes?: number;
  /** Longest the broker holds a fetch waiting for minBytes (default 500 ms). */
  maxWaitTimeMs?: number;
  /** Partitions handed to `eachBatch` at once (default 1: one JavaScript thread decodes). */
  partitionsConsumedConcurrently?: number;
  /**
   * Fetch responses fetched ahead of the one being decoded (default 1; prefetch-queue.ts). 0:
   * fetch and process strictly in turn, offsets resolved per message and auto-committed (the
   * design before issue 14).
   */
  prefetchBatches?: number;
  /**
   * Decodes prefetched batches on another core (decode-thread.ts), while this thread fetches;
   * messages it cannot decode (schema registry needed) are decoded here. Not with format 'fink'.
   */
  decodeThread?: DecodeThread;
  /** Called with the consumer before it runs (cluster mode follows its assignments). */
  attachConsumer?: (consumer: Consumer) => void;
  /**
   * Awaited before each batch when it returns a promise (cluster mode: a partition whose rebuild
   * is being planned); a batch made stale meanwhile (by a seek) is dropped and fetched again.
   */
  beforeBatch?: (topic: string, partition: number) => Promise<void> | undefined;
  /**
   * Each assigned partition's event-time progress, for the join's watermark hold
   * (partition-event-time.ts): kept from the assignments, the batches (their high watermarks)
   * and the alerts' times; partitions already at their end are found from the broker.
   */
  eventTime?: PartitionEventTime;
}

/** Messages between two heartbeat calls inside one batch (kafkajs throttles the requests). */
export const HEARTBEAT_EVERY_MESSAGES = 64;

/** The consumer fetch settings the source uses unless told otherwise. */
export const OPTICAL_FETCH_DEFAULTS = {
  maxBytesPerPartition: 10 * 1024 * 1024,
  // Measured (bench/optical.ts, full-size alerts): 20 or 50 MiB responses were slower than
  // 10 MiB (more garbage-collection work per response), 2 to 4 MiB about the same.
  maxBytes: 10 * 1024 * 1024,
  minBytes: 1,
  maxWaitTimeMs: 500,
  partitionsConsumedConcurrently: 1,
  prefetchBatches: 1,
} as const;

/** Messages decoded between two yields to the event loop (which reads the next fetch meanwhile). */
export const YIELD_EVERY_MESSAGES = 16;
/** Wait before fetching again a batch whose decoding failed for a retriable reason (registry down). */
export const RETRY_DELAY_MS = 1000;
/** Wait before asking the broker again where newly assigned partitions end, after a failure. */
export const END_LOOKUP_RETRY_MS = 5000;

/** kafkajs's Batch, as eachBatch hands it. */
type KafkaBatch = EachBatchPayload['batch'];

/** A prefetched batch, with the heartbeat of the eachBatch call that queued it. */
interface Prefetched {
  batch: KafkaBatch;
  heartbeat: () => Promise<void>;
  /** The decode thread's answers for its messages, in order (with `decodeThread`). */
  decoded?: Promise<DecodedMessage[]>;
}

/** What the message loop needs of a batch, in turn (eachBatch) or prefetched (the queue). */
interface BatchControl {
  /** The decode thread's answers for the batch's messages, in order. */
  decoded?: readonly DecodedMessage[];
  /** True once the batch must not be processed further (stopped, seeked, rebalanced). */
  stale(): boolean;
  heartbeat(): Promise<void>;
  /** The message at this offset is processed. */
  processed(offset: string): void;
}

/** A running consumer; `stop()` commits what is resolved and leaves the group. */
export class OpticalKafkaSource {
  private consumer: Consumer | undefined;
  private readonly logger: Logger;
  private alertCount = 0;
  private readonly messages: KafkaAlertMessages;

  constructor(private readonly options: OpticalKafkaSourceOptions) {
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

  /** Connects, joins the group, subscribes and starts consuming (resolves once running). */
  async start(): Promise<void> {
    if (this.consumer) throw new CoincideError('KAFKA_FAILED', 'the optical Kafka source is already started');
    const o = this.options;
    const consumer = o.kafka.consumer({
      groupId: o.groupId,
      maxBytesPerPartition: o.maxBytesPerPartition ?? OPTICAL_FETCH_DEFAULTS.maxBytesPerPartition,
      maxBytes: o.maxBytes ?? OPTICAL_FETCH_DEFAULTS.maxBytes,
      minBytes: o.minBytes ?? OPTICAL_FETCH_DEFAULTS.minBytes,
      maxWaitTimeInMs: o.maxWaitTimeMs ?? OPTICAL_FETCH_DEFAULTS.maxWaitTimeMs,
    });
    this.consumer = consumer;
    try {
      if (o.eventTime) this.followAssignments(consumer, o.eventTime);
      o.attachConsumer?.(consumer);
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? false,
      });
      const depth = o.prefetchBatches ?? OPTICAL_FETCH_DEFAULTS.prefetchBatches;
      const partitionsConsumedConcurrently =
        o.partitionsConsumedConcurrently ?? OPTICAL_FETCH_DEFAULTS.partitionsConsumedConcurrently;
      if (depth > 0) {
        this.startPrefetching(consumer, depth);
        await consumer.run({
          // Offsets are committed by the source after each batch is processed (commitProcessed).
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently,
          eachBatch: (payload) => this.queueBatch(payload),
        });
      } else {
        await consumer.run({
          autoCommit: true,
          autoCommitInterval: this.options.commitIntervalMs ?? 1000,
          autoCommitThreshold: this.options.commitThreshold ?? 1000,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently,
          eachBatch: (payload) => this.handleBatch(payload),
        });
      }
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw new CoincideError('KAFKA_FAILED', `optical consumer could not start: ${String(error)}`, {
        cause: error,
        retriable: true,
      });
    }
    this.logger.info('optical kafka source started', {
      groupId: this.options.groupId,
      topics: this.options.topics,
    });
  }

  private endLookupTimer: NodeJS.Timeout | undefined;

  /** Keeps `eventTime` on the consumer's assignments; finds the new partitions already at their end. */
  private followAssignments(consumer: Consumer, eventTime: PartitionEventTime): void {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      eventTime.assign(event.payload.memberAssignment);
      void this.findPartitionsAtEnd(eventTime);
    });
  }

  /**
   * Asks the broker where the assigned partitions not heard from yet stand: one whose position
   * (committed offset, else the start or the end of its log) is its end delivers no batch, and
   * must not hold the join's event time (an empty partition, or one with nothing new).
   */
  private async findPartitionsAtEnd(eventTime: PartitionEventTime): Promise<void> {
    const unknown = eventTime.unknown();
    if (unknown.length === 0 || !this.consumer) return;
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      const topics = [...new Set(unknown.map((u) => u.topic))];
      const committed = new Map<string, number>();
      for (const entry of await admin.fetchOffsets({ groupId: this.options.groupId, topics })) {
        for (const p of entry.partitions) committed.set(`${entry.topic}/${p.partition}`, Number(p.offset));
      }
      for (const topic of topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
          const end = Number(high);
          const stored = committed.get(`${topic}/${partition}`) ?? -1;
          const position = stored >= 0 ? stored : this.options.fromBeginning === true ? Number(low) : end;
          if (position >= end) eventTime.knownAtEnd(topic, partition);
        }
      }
    } catch (error) {
      // Those partitions hold the join's event time until they deliver a batch; asked again later.
      this.logger.warn('optical partition ends not known; asking again', { error: String(error) });
      clearTimeout(this.endLookupTimer);
      this.endLookupTimer = setTimeout(() => void this.findPartitionsAtEnd(eventTime), END_LOOKUP_RETRY_MS);
      this.endLookupTimer.unref();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** In turn (prefetchBatches 0): the batch is processed before kafkajs fetches again. */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const waiting = this.options.beforeBatch?.(batch.topic, batch.partition);
    if (waiting) await waiting;
    await this.processMessages(batch, {
      stale: () => !payload.isRunning() || payload.isStale(),
      heartbeat: () => payload.heartbeat(),
      processed: (offset) => {
        payload.resolveOffset(offset);
      },
    });
    await payload.heartbeat();
    await payload.commitOffsetsIfNecessary();
  }

  private queue: PrefetchQueue<Prefetched> | undefined;
  private processing: Promise<void> | undefined;
  private commits: Promise<void> = Promise.resolve();

  /**
   * Prefetching: eachBatch queues (queueBatch), one loop processes (processQueue). A rebalance
   * makes what is queued stale (kafkajs restarts each partition it assigns from its committed
   * offset), and so does a seek for its partition; the batch being processed stops at its next
   * message. The consumer's seek is wrapped for that (cluster mode seeks to rebuild a partition).
   */
  private startPrefetching(consumer: Consumer, depth: number): void {
    const queue = new PrefetchQueue<Prefetched>(depth);
    this.queue = queue;
    consumer.on(consumer.events.REBALANCING, () => {
      queue.newGeneration();
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      queue.newGeneration();
    });
    const seek = consumer.seek.bind(consumer);
    consumer.seek = (target) => {
      queue.seeked(target.topic, target.partition);
      seek(target);
    };
    this.processing = this.processQueue(consumer, queue);
  }

  private async queueBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A seek is pending for this partition: kafkajs fetches again from the seek offset.
    if (payload.isStale() || batch.isEmpty()) return;
    // kafkajs's next fetch of this partition starts after this batch; nothing is committed
    // (autoCommit off) until the batch is processed.
    payload.resolveOffset(batch.lastOffset());
    const thread = this.options.format === 'fink' ? undefined : this.options.decodeThread;
    const decoded = thread?.decode(batch.messages.map((m) => m.value));
    decoded?.catch(() => undefined); // a failed thread: decoded here instead (processQueue)
    await this.queue?.push(
      { batch, heartbeat: () => payload.heartbeat(), ...(decoded ? { decoded } : {}) },
      batch.topic,
      batch.partition,
    );
  }

  private async processQueue(consumer: Consumer, queue: PrefetchQueue<Prefetched>): Promise<void> {
    for (;;) {
      const item = await queue.next();
      if (!item) return;
      try {
        const waiting = this.options.beforeBatch?.(item.topic, item.partition);
        if (waiting) await waiting;
        let last: string | undefined;
        const decoded = await item.batch.decoded?.catch(() => undefined);
        await this.processMessages(item.batch.batch, {
          ...(decoded ? { decoded } : {}),
          stale: () => queue.isStale(item),
          heartbeat: item.batch.heartbeat,
          processed: (offset) => {
            last = offset;
          },
        });
        if (last !== undefined && !queue.isStale(item))
          this.commitProcessed(consumer, item.topic, item.partition, last);
      } catch (error) {
        // A retriable failure (a schema registry down): fetch the batch again from its first
        // unprocessed message, after a pause; the messages before it are committed.
        this.logger.warn('optical batch not processed; fetched again', { error: String(error) });
        const offset = (error as { offset?: string }).offset ?? item.batch.batch.firstOffset() ?? '0';
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        if (!queue.isStale(item)) consumer.seek({ topic: item.topic, partition: item.partition, offset });
      } finally {
        queue.done();
      }
    }
  }

  /** Commits `offset` + 1 for the partition once the commits asked for before it are done. */
  private commitProcessed(consumer: Consumer, topic: string, partition: number, offset: string): void {
    const next = (BigInt(offset) + 1n).toString();
    this.commits = this.commits
      .then(() => consumer.commitOffsets([{ topic, partition, offset: next }]))
      .catch((error: unknown) => {
        // After a rebalance the partition may be another member's: its messages since the last
        // commit are delivered again (at least once).
        this.logger.warn('optical offsets not committed', {
          topic,
          partition,
          offset: next,
          error: String(error),
        });
      });
  }

  /**
   * Decodes the batch's messages in order and hands their alerts to onAlert, until the batch is
   * stale. Yields to the event loop every YIELD_EVERY_MESSAGES messages (the next fetch response
   * is read meanwhile) and heartbeats every HEARTBEAT_EVERY_MESSAGES. A retriable decode error is
   * thrown with the offset of its message (`offset` on the error).
   */
  private async processMessages(batch: KafkaBatch, control: BatchControl): Promise<void> {
    const onAlert = this.options.onAlert;
    const eventTime = this.options.eventTime;
    eventTime?.batchStarted(batch.topic, batch.partition);
    let count = 0;
    let complete = true;
    for (const [index, message] of batch.messages.entries()) {
      if (control.stale()) {
        complete = false;
        break;
      }
      const threadAnswer = control.decoded?.[index];
      const meta: AlertMessageMeta = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        timestamp: message.timestamp,
      };
      let alerts: OpticalAlert[] = [];
      if (threadAnswer?.kind === 'alerts') {
        alerts = threadAnswer.alerts;
      } else if (threadAnswer?.kind === 'error') {
        this.messages.report(new CoincideError(threadAnswer.code, threadAnswer.message), meta);
      } else {
        const decoded = this.messages.decode(message.key, message.value, meta);
        const outcome = decoded instanceof Promise ? await decoded : decoded;
        // e.g. the registry down: this batch again from this message, later.
        if ('retry' in outcome) throw Object.assign(outcome.retry, { offset: message.offset });
        alerts = outcome.alerts;
      }
      for (const alert of alerts) {
        eventTime?.observe(batch.topic, batch.partition, alert.timeMjd);
        const pending = onAlert(alert, meta);
        if (pending) await pending;
        this.alertCount += 1;
      }
      control.processed(message.offset);
      count += 1;
      if (count % HEARTBEAT_EVERY_MESSAGES === 0) await control.heartbeat();
      else if (this.queue && count % YIELD_EVERY_MESSAGES === 0) await new Promise(setImmediate);
    }
    // The batch reached the partition's end as the broker knew it when fetching: caught up.
    if (complete && !control.stale() && BigInt(batch.lastOffset()) + 1n >= BigInt(batch.highWatermark))
      eventTime?.caughtUp(batch.topic, batch.partition);
  }

  /** Stops consuming, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    clearTimeout(this.endLookupTimer);
    this.options.eventTime?.stop();
    // The batch being processed stops at its next message; what is queued is dropped (fetched
    // again by the next member or run, from the last committed offset).
    this.queue?.newGeneration();
    this.queue?.close();
    await this.processing;
    await this.commits;
    await consumer.disconnect();
    this.logger.info('optical kafka source stopped', { groupId: this.options.groupId, ...this.stats });
  }
}

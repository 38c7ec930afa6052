/**
 * Optical alerts from Kafka: a kafkajs consumer in a consumer group (the instances of one
 * group share the partitions of the alert topics), decoding each message (a ZTF container,
 * a Confluent-framed LSST record, or with format 'fink' a Fink topic's message: schema in the
 * key, schemaless Avro value) and handing every alert to `onAlert`.
 *
 * Delivery is at least once: a message's offset is resolved only after `onAlert` has resolved
 * for all its alerts, and only resolved offsets are committed (after each batch, and by
 * kafkajs's interval/threshold auto-commit). After a crash, the messages since the last
 * commit are delivered again; downstream handling is idempotent on `alertId`.
 * A message that does not decode is reported through `onDecodeError` and skipped (its offset
 * is committed, so one bad message never blocks a partition).
 *
 * Throughput (bench/optical.ts): kafkajs fetches one response per broker at a time and hands
 * each partition's part of it to `eachBatch`; the next fetch waits until the batches are done.
 * Per message this source does a synchronous decode (no promise unless a schema must be
 * fetched), awaits `onAlert` only when it returns a promise, resolves the offset, and sends a
 * heartbeat every HEARTBEAT_EVERY_MESSAGES messages and after each batch (kafkajs itself
 * sends at most one per heartbeat interval). The fetch sizes are options: a larger response
 * amortises the round trip, and Kafka always returns at least one whole record batch.
 * kafkajs copies each response into one buffer; with Node's default heap settings those
 * buffers are freed only by full collections, which halves the consume rate: a process that
 * consumes alerts should run node with --initial-old-space-size=128 (bench/optical.ts).
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { CoincideError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { OpticalAlertDecoder } from './alert-decoder.ts';
import type { OpticalAlert } from './optical-alert.ts';

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
  /** Called with the consumer before it runs (cluster mode follows its assignments). */
  attachConsumer?: (consumer: Consumer) => void;
  /**
   * Awaited before each batch when it returns a promise (cluster mode: a partition whose rebuild
   * is being planned); a batch made stale meanwhile (by a seek) is dropped and fetched again.
   */
  beforeBatch?: (topic: string, partition: number) => Promise<void> | undefined;
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
} as const;

/** A running consumer; `stop()` commits what is resolved and leaves the group. */
export class OpticalKafkaSource {
  private consumer: Consumer | undefined;
  private readonly logger: Logger;
  private alertCount = 0;
  private decodeErrorCount = 0;

  constructor(private readonly options: OpticalKafkaSourceOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get stats(): { alerts: number; decodeErrors: number } {
    return { alerts: this.alertCount, decodeErrors: this.decodeErrorCount };
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
      o.attachConsumer?.(consumer);
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? false,
      });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: this.options.commitIntervalMs ?? 1000,
        autoCommitThreshold: this.options.commitThreshold ?? 1000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          o.partitionsConsumedConcurrently ?? OPTICAL_FETCH_DEFAULTS.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      });
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

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const waiting = this.options.beforeBatch?.(batch.topic, batch.partition);
    if (waiting) await waiting;
    const decoder = this.options.decoder;
    const onAlert = this.options.onAlert;
    const fink = this.options.format === 'fink';
    let sinceHeartbeat = 0;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const meta: AlertMessageMeta = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        timestamp: message.timestamp,
      };
      let alerts: OpticalAlert[] = [];
      if (message.value === null) {
        this.reportDecodeError(new CoincideError('INPUT_EMPTY', 'Kafka message has no value'), meta);
      } else {
        try {
          alerts = fink
            ? decoder.decodeSchemaKeyed(message.key, message.value)
            : (decoder.decodeMessageSync(message.value) ?? (await decoder.decodeMessage(message.value)));
        } catch (error) {
          if (error instanceof CoincideError && error.retriable) throw error; // e.g. registry down: retry
          this.reportDecodeError(
            error instanceof CoincideError
              ? error
              : new CoincideError('AVRO_MALFORMED', String(error), { cause: error }),
            meta,
          );
        }
      }
      for (const alert of alerts) {
        const pending = onAlert(alert, meta);
        if (pending) await pending;
        this.alertCount += 1;
      }
      payload.resolveOffset(message.offset);
      if (++sinceHeartbeat === HEARTBEAT_EVERY_MESSAGES) {
        sinceHeartbeat = 0;
        await payload.heartbeat();
      }
    }
    await payload.heartbeat();
    await payload.commitOffsetsIfNecessary();
  }

  private reportDecodeError(error: CoincideError, meta: AlertMessageMeta): void {
    this.decodeErrorCount += 1;
    this.logger.warn('undecodable optical alert message skipped', {
      ...meta,
      code: error.code,
      error: error.message,
    });
    this.options.onDecodeError?.(error, meta);
  }

  /** Stops consuming, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    await consumer.disconnect();
    this.logger.info('optical kafka source stopped', { groupId: this.options.groupId, ...this.stats });
  }
}

/**
 * The sky-map bus of cluster mode: the sky map of a notice, carried to every instance, so that
 * every instance builds the same region from the same bytes (issue 15).
 *
 * A notice on the notice bus names its map by reference only (`embedded:sha256:<hex>` for a map
 * carried inside an LVK/GCN JSON alert, or an https URL); the bytes are with the instance that
 * ingested the event (the raw event, or its download). Before that instance commits the notice
 * (and so before the notice can reach the notice topic), it publishes the outcome of loading the
 * map to this topic (default `fink_mm_skymaps`):
 *  - the map file's bytes, as they came (multi-order or flat FITS, gzipped or not: the sha256 of
 *    the bytes is the region's hash on every instance), in chunks of CHUNK_BYTES, gzip-compressed
 *    batches: a multi-MB map fits under the broker's default message.max.bytes (1 MB);
 *  - or a failure (the error's code and message): every instance then joins the notice without
 *    a region, as the ingesting instance alone would have.
 * Messages are keyed by the reference, with headers coincide-skymap-sha256, -chunk ("i/n") and
 * -error. Every instance reads the whole topic with a group of its own, from (now − lookback)
 * like the notice bus, reassembles the chunks, checks the sha256, keeps the bytes on disk
 * (<dir>/<sha256>.fits) and the latest outcome per reference in memory. A notice's join waits for
 * its reference's outcome (`outcome`): the outcome was acknowledged by the brokers before the
 * notice was committed, so it is on the topic by the time any instance reads the notice.
 *
 * data: URIs are not published: the map is inside the notice itself.
 */
import { mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompressionTypes, type Consumer, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { CoincideError, describeError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { headerText } from '../sinks/content-digest.ts';
import { sha256Hex } from '../sky/skymap-fetch.ts';
import { offsetsAtTime } from './topic-offsets.ts';

export const DEFAULT_SKYMAP_TOPIC = 'fink_mm_skymaps';
/** Bytes of map per message: well under the broker's default message.max.bytes (1,048,588). */
export const CHUNK_BYTES = 512 * 1024;
export const HEADER_SKYMAP_SHA256 = 'coincide-skymap-sha256';
export const HEADER_SKYMAP_CHUNK = 'coincide-skymap-chunk';
export const HEADER_SKYMAP_ERROR = 'coincide-skymap-error';

/** True when a sky-map reference names bytes that only the ingesting instance has. */
export function needsSkyMapBus(reference: string): boolean {
  return !reference.startsWith('data:');
}

/** What loading a reference gave: the map's bytes, or an error. */
export type SkyMapOutcome = { sha256: string; path: string } | { error: CoincideError };

export interface SkyMapBusOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** How far back the bus re-reads at start-up, ms (the notice bus's lookback). */
  lookbackMs: number;
  /** Where the maps' bytes are kept (one file per sha256). */
  dir: string;
  clock: Clock;
  logger: Logger;
}

export interface SkyMapBusHealth {
  topic: string;
  groupId: string;
  published: number;
  maps: number;
  failures: number;
  waiting: number;
}

export interface SkyMapBus {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Publishes what loading `reference` gave; resolves once the brokers acknowledged every chunk. */
  publish(reference: string, outcome: Uint8Array | CoincideError): Promise<void>;
  /** Resolves once the outcome of `reference` is known here, or after `waitMs`. */
  ready(reference: string, waitMs: number): Promise<void>;
  /**
   * The bytes of `reference` as published by the instance that ingested its notice; rejects with
   * the published error, or FETCH_FAILED when nothing arrived within `waitMs`.
   */
  bytesFor(reference: string, waitMs: number): Promise<Uint8Array>;
  health(): SkyMapBusHealth;
}

const errorCodeOf = (text: string): ErrorCode =>
  Object.hasOwn(ERROR_CODES, text) ? (text as ErrorCode) : 'FETCH_FAILED';

export function createSkyMapBus(options: SkyMapBusOptions): SkyMapBus {
  const { kafka, topic, groupId, logger, clock } = options;
  mkdirSync(options.dir, { recursive: true });
  /** The latest outcome per reference. */
  const outcomes = new Map<string, SkyMapOutcome>();
  /** Chunks being reassembled, by "reference|sha256". */
  const partial = new Map<string, { parts: Array<Buffer | undefined>; received: number }>();
  const waiters = new Map<string, Array<() => void>>();
  const counts = { published: 0, failures: 0 };
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let consumer: Consumer | undefined;

  const producerReady = (): Promise<Producer> => {
    connecting ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      await p.connect();
      producer = p;
      return p;
    })().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  const settle = (reference: string, outcome: SkyMapOutcome): void => {
    outcomes.set(reference, outcome);
    for (const wake of waiters.get(reference) ?? []) wake();
    waiters.delete(reference);
  };

  const onMessage = async (key: string, value: Buffer, headers: IHeaders | undefined): Promise<void> => {
    const error = headerText(headers, HEADER_SKYMAP_ERROR);
    if (error !== undefined) {
      settle(key, { error: new CoincideError(errorCodeOf(error), value.toString('utf8')) });
      return;
    }
    const sha256 = headerText(headers, HEADER_SKYMAP_SHA256) ?? '';
    const [index, count] = (headerText(headers, HEADER_SKYMAP_CHUNK) ?? '0/1').split('/').map(Number);
    if (!/^[0-9a-f]{64}$/.test(sha256) || !Number.isInteger(index) || !Number.isInteger(count)) {
      logger.warn('sky-map message without valid headers skipped', { topic, reference: key });
      return;
    }
    const i = index as number;
    const n = count as number;
    if (n < 1 || i < 0 || i >= n) return;
    const id = `${key}|${sha256}`;
    const entry = partial.get(id) ?? { parts: new Array<Buffer | undefined>(n).fill(undefined), received: 0 };
    partial.set(id, entry);
    if (entry.parts[i] === undefined) {
      entry.parts[i] = value;
      entry.received++;
    }
    if (entry.received < n) return;
    partial.delete(id);
    const bytes = Buffer.concat(entry.parts as Buffer[]);
    if (sha256Hex(bytes) !== sha256) {
      logger.warn('sky map on the bus does not match its sha256: skipped', { topic, reference: key });
      return;
    }
    const path = join(options.dir, `${sha256}.fits`);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    settle(key, { sha256, path });
  };

  const ready = async (reference: string, waitMs: number): Promise<void> => {
    if (outcomes.has(reference) || !consumer) return;
    await new Promise<void>((resolve) => {
      const list = waiters.get(reference) ?? [];
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        // Timed out: no longer waiting.
        const left = (waiters.get(reference) ?? []).filter((w) => w !== wake);
        if (left.length > 0) waiters.set(reference, left);
        else waiters.delete(reference);
        resolve();
      }, waitMs);
      list.push(wake);
      waiters.set(reference, list);
    });
  };

  return {
    async start() {
      const admin = kafka.admin();
      await admin.connect();
      let starts: Map<number, number>;
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
        // A topic just created may answer UNKNOWN_TOPIC_OR_PARTITION for a moment.
        for (let attempt = 1; ; attempt++) {
          try {
            starts = await offsetsAtTime(admin, topic, clock.nowMs() - options.lookbackMs);
            break;
          } catch (error) {
            if (attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      } finally {
        await admin.disconnect();
      }
      const c = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * CHUNK_BYTES });
      consumer = c;
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({
        eachMessage: async ({ message }) => {
          if (!message.value || !message.key) return;
          try {
            await onMessage(message.key.toString('utf8'), message.value, message.headers);
          } catch (error) {
            logger.error('sky map from the bus not kept', { topic, error: describeError(error) });
          }
        },
      });
      // Re-read the lookback: the notice bus re-reads its notices, whose maps are here.
      for (const [partition, offset] of starts) c.seek({ topic, partition, offset: String(offset) });
      logger.info('sky-map bus consuming', { topic, groupId });
    },
    async stop() {
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
      const p = producer;
      producer = undefined;
      connecting = undefined;
      await p?.disconnect();
      for (const list of waiters.values()) for (const wake of list) wake();
    },
    async publish(reference, outcome) {
      const p = await producerReady();
      const key = Buffer.from(reference, 'utf8');
      try {
        if (outcome instanceof CoincideError) {
          await p.send({
            topic,
            acks: -1,
            messages: [{ key, value: outcome.message, headers: { [HEADER_SKYMAP_ERROR]: outcome.code } }],
          });
          counts.published++;
          return;
        }
        const sha256 = sha256Hex(outcome);
        const n = Math.max(1, Math.ceil(outcome.length / CHUNK_BYTES));
        // One chunk per request: a request's batch is what the broker's size limit applies to.
        for (let i = 0; i < n; i++) {
          const value = Buffer.from(outcome.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
          await p.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: [
              {
                key,
                value,
                headers: { [HEADER_SKYMAP_SHA256]: sha256, [HEADER_SKYMAP_CHUNK]: `${i}/${n}` },
              },
            ],
          });
        }
        counts.published++;
      } catch (error) {
        throw new CoincideError('KAFKA_FAILED', `could not publish the sky map of ${reference} to ${topic}`, {
          cause: error,
          retriable: true,
        });
      }
    },
    ready,
    async bytesFor(reference, waitMs) {
      await ready(reference, waitMs);
      const outcome = outcomes.get(reference);
      if (!outcome) {
        counts.failures++;
        throw new CoincideError(
          'FETCH_FAILED',
          `${reference}: no sky map on ${topic} within ${waitMs} ms (the ingesting instance did not publish it)`,
        );
      }
      if ('error' in outcome) {
        counts.failures++;
        throw outcome.error;
      }
      const bytes = new Uint8Array(await readFile(outcome.path));
      if (sha256Hex(bytes) !== outcome.sha256)
        throw new CoincideError(
          'FETCH_FAILED',
          `${reference}: the kept sky map no longer matches its sha256`,
        );
      return bytes;
    },
    health: () => ({
      topic,
      groupId,
      published: counts.published,
      maps: [...outcomes.values()].filter((o) => !('error' in o)).length,
      failures: counts.failures,
      waiting: [...waiters.values()].reduce((a, l) => a + l.length, 0),
    }),
  };
}

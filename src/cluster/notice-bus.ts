/**
 * The notice bus of cluster mode: every instance consumes ALL of the notice topic
 * (`fink_mm_notices`, the Fink stream) with a consumer group of its own, and that topic is its
 * only notice input for the join. What an instance ingests itself (VTP, GCN Kafka, files) reaches
 * its join only through the topic (the outbox relay publishes it there), so every instance
 * joins every notice, in the topic's order (per trigger: one partition, in order).
 *
 * Idempotent by the event's SHA-256 (Notice.source.sha256): the same event ingested by two
 * instances is on the topic twice and joined once; an instance that ingested a notice itself
 * and reads it back joins it once.
 *
 * At start-up the bus re-reads the topic from (now − lookback) (offsets for times), so that the
 * join engine, which lives in memory, knows every notice whose windows may still be open. The
 * notices before the group's committed offset were joined and published by this instance's
 * previous run: they are joined again with publish false (a warm start). An instance with no
 * committed offset (a new one) publishes what it finds: its partitions may hold pairs no one
 * published (repeats are byte-identical and merge as duplicates).
 *
 * A notice whose source was not trusted (header coincide-trusted: 0, src/trust/) is never joined.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { headerText } from '../sinks/content-digest.ts';
import { decodeNoticeMessage } from '../sinks/kafka-notices.ts';
import { offsetsAtTime } from './topic-offsets.ts';

/** Header of a bus notice: '0' when its source was not trusted (the notice is never joined). */
export const HEADER_TRUSTED = 'coincide-trusted';

export interface NoticeBusOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** How far back the bus re-reads at start-up, ms (the join's longest keep time). */
  lookbackMs: number;
  clock: Clock;
  logger: Logger;
  /** Resolves when the notice may join (no optical partition is being rebuilt). */
  gate: () => Promise<void>;
  /** Joins one notice; resolves once its outputs are committed. */
  join: (notice: Notice, options: { publish: boolean }) => Promise<void>;
}

export interface NoticeBusHealth {
  topic: string;
  groupId: string;
  joined: number;
  duplicates: number;
  untrusted: number;
  undecodable: number;
  warm: number;
}

export interface NoticeBus {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): NoticeBusHealth;
}

export function createNoticeBus(options: NoticeBusOptions): NoticeBus {
  const { kafka, topic, groupId, logger, clock } = options;
  /** SHA-256 of every event joined, with when it was first seen (Unix ms), pruned after lookbackMs. */
  const seen = new Map<string, number>();
  const counts = { joined: 0, duplicates: 0, untrusted: 0, undecodable: 0, warm: 0 };
  /** Per partition, the group's committed offset at start-up (-1: none). */
  const committed = new Map<number, number>();
  let consumer: Consumer | undefined;

  const prune = (nowMs: number): void => {
    for (const [sha, ms] of seen) {
      if (nowMs - ms <= options.lookbackMs) break;
      seen.delete(sha);
    }
  };

  return {
    async start() {
      const admin = kafka.admin();
      await admin.connect();
      let starts: Map<number, number>;
      try {
        const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of group?.partitions ?? []) committed.set(p.partition, Number(p.offset));
        starts = await offsetsAtTime(admin, topic, clock.nowMs() - options.lookbackMs);
      } finally {
        await admin.disconnect();
      }
      const c = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      consumer = c;
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          let notice: Notice;
          try {
            notice = decodeNoticeMessage(message);
          } catch (error) {
            counts.undecodable++;
            logger.warn('undecodable notice on the bus skipped', {
              topic,
              partition,
              offset,
              error: describeError(error),
            });
            return;
          }
          const sha = notice.source.sha256;
          if (seen.has(sha)) {
            counts.duplicates++;
            return;
          }
          const nowMs = clock.nowMs();
          seen.set(sha, nowMs);
          prune(nowMs);
          if (headerText(message.headers, HEADER_TRUSTED) === '0') {
            counts.untrusted++;
            return;
          }
          const last = committed.get(partition) ?? -1;
          const publish = last < 0 || offset >= last;
          if (!publish) counts.warm++;
          await options.gate();
          await options.join(notice, { publish });
          counts.joined++;
        },
      });
      // The whole lookback is read again: a warm start of the in-memory join engine.
      for (const [partition, offset] of starts) c.seek({ topic, partition, offset: String(offset) });
      logger.info('notice bus consuming', { topic, groupId, lookbackSec: options.lookbackMs / 1000 });
    },
    async stop() {
      const c = consumer;
      consumer = undefined;
      await c?.disconnect();
    },
    health: () => ({ topic, groupId, ...counts }),
  };
}

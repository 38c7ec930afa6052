/**
 * The optical buffer follows partition ownership (cluster mode).
 *
 * The instances of one optical consumer group share the partitions of the optical topics. When
 * an instance is given a partition (at start-up, or in a rebalance after another instance died
 * or joined), its buffer lacks that partition's past alerts, and a notice joined backwards would
 * miss them. So on assignment each new partition is rebuilt: the consumer is sought to the first
 * offset at or after (now − the longest backward window) (offsets for times), and every message
 * up to the partition's end at assignment time is a *rebuild* message: buffered, and joined
 * forwards against the active notices (so that a notice that arrived while the partition had no
 * owner still finds its alerts), without the lateness cut (it is old by construction). After
 * the end, messages are live again.
 *
 * While any partition is planned or rebuilt, `gate()` holds notice joins back (the bus awaits
 * it), and a batch of a partition being planned waits for its plan (then the seek makes it
 * stale, and kafkajs fetches again from the new offset). On revocation the partition's rows
 * are dropped from the buffer (`onRevoked`).
 */
import type { Admin, Consumer } from 'kafkajs';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { endOffsets, offsetsAtTime } from './topic-offsets.ts';

/**
 * How long a rebuild keeps re-issuing its seek while its messages still come from after its
 * start, ms. A time, not a count: every batch fetched before a seek took effect costs one more
 * seek, and on a loaded machine 20 of them (the former count) came and went within one rebuild,
 * which then started from the previous owner's commit and lost the alerts before it (a notice
 * joined during the move missed them, and an object's later alert was paired instead).
 */
export const RESEEK_GIVE_UP_MS = 120_000;

/** "topic/partition". */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

type PartitionState =
  | { phase: 'planning'; sinceMs: number; planned: Promise<void> }
  | {
      phase: 'rebuilding';
      sinceMs: number;
      start: number;
      end: number;
      read: number;
      /** The seek took effect: a message at or below `start` was read. */
      sought: boolean;
      reseeks: number;
      /** When the first seek was issued again, Unix ms (the give-up clock). */
      firstReseekMs?: number;
    }
  | { phase: 'ready'; rebuildMs: number; rebuilt: number };

export interface PartitionOwnershipOptions {
  /** An admin client of the optical brokers (connected by start()). */
  admin: Admin;
  /** How far back a rebuild reads, ms (the longest backward window). */
  windowMs: number;
  clock: Clock;
  logger: Logger;
  /** Drops a revoked partition's rows from the buffer. */
  onRevoked: (key: string) => void;
}

export interface OwnershipHealth {
  status: 'ok' | 'degraded';
  owned: string[];
  rebuilding: Array<{ partition: string; phase: string; read?: number; total?: number; sinceSec: number }>;
  lastRebuilds: Array<{ partition: string; rebuildMs: number; messages: number }>;
  rebalances: number;
}

export class PartitionOwnership {
  private readonly states = new Map<string, PartitionState>();
  private waiters: Array<() => void> = [];
  private consumer: Consumer | undefined;
  private rebalances = 0;
  private readonly lastRebuilds: OwnershipHealth['lastRebuilds'] = [];

  constructor(private readonly options: PartitionOwnershipOptions) {}

  /** Follows the consumer's assignments (call before consumer.run). */
  attach(consumer: Consumer): void {
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.onAssignment(event.payload.memberAssignment);
    });
  }

  /** The new assignment (topic → partitions): revokes what is gone, plans what is new. */
  onAssignment(assignment: Record<string, number[]>): void {
    this.rebalances++;
    const next = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of partitions) next.add(partitionKey(topic, p));
    }
    for (const key of [...this.states.keys()]) {
      if (next.has(key)) continue;
      this.states.delete(key);
      this.options.onRevoked(key);
      this.options.logger.info('optical partition revoked; its rows dropped from the buffer', {
        partition: key,
      });
    }
    const fresh = new Map<string, number[]>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const p of partitions) {
        if (this.states.has(partitionKey(topic, p))) continue;
        fresh.set(topic, [...(fresh.get(topic) ?? []), p]);
      }
    }
    for (const [topic, partitions] of fresh) {
      const planned = this.plan(topic, partitions);
      for (const p of partitions) {
        this.states.set(partitionKey(topic, p), {
          phase: 'planning',
          sinceMs: this.options.clock.nowMs(),
          planned,
        });
      }
    }
    this.wake();
  }

  private async plan(topic: string, partitions: number[]): Promise<void> {
    const { admin, clock, logger } = this.options;
    const nowMs = clock.nowMs();
    let starts: Map<number, number>;
    let ends: Map<number, number>;
    try {
      [starts, ends] = await Promise.all([
        offsetsAtTime(admin, topic, nowMs - this.options.windowMs),
        endOffsets(admin, topic),
      ]);
    } catch (error) {
      // Without a plan the partition is consumed from its committed offset, unrebuilt: said loudly.
      logger.error('optical partition rebuild not planned; joining without its history', {
        topic,
        partitions,
        error: describeError(error),
      });
      for (const p of partitions) this.markReady(partitionKey(topic, p), nowMs, 0);
      return;
    }
    for (const p of partitions) {
      const key = partitionKey(topic, p);
      const state = this.states.get(key);
      if (state?.phase !== 'planning') continue;
      const end = ends.get(p) ?? 0;
      const start = Math.min(starts.get(p) ?? end, end);
      this.consumer?.seek({ topic, partition: p, offset: String(start) });
      if (start >= end) {
        this.markReady(key, state.sinceMs, 0);
        continue;
      }
      this.states.set(key, {
        phase: 'rebuilding',
        sinceMs: state.sinceMs,
        start,
        end,
        read: 0,
        sought: false,
        reseeks: 0,
      });
      logger.info('rebuilding optical partition', { partition: key, fromOffset: start, toOffset: end - 1 });
    }
    this.wake();
  }

  private markReady(key: string, sinceMs: number, rebuilt: number): void {
    const rebuildMs = this.options.clock.nowMs() - sinceMs;
    this.states.set(key, { phase: 'ready', rebuildMs, rebuilt });
    this.lastRebuilds.push({ partition: key, rebuildMs, messages: rebuilt });
    if (this.lastRebuilds.length > 32) this.lastRebuilds.shift();
    if (rebuilt > 0)
      this.options.logger.info('optical partition rebuilt', {
        partition: key,
        messages: rebuilt,
        ms: rebuildMs,
      });
    this.wake();
  }

  /** Waits while the partition's rebuild is being planned (a batch fetched before its seek). */
  beforeBatch(topic: string, partition: number): Promise<void> | undefined {
    const state = this.states.get(partitionKey(topic, partition));
    return state?.phase === 'planning' ? state.planned : undefined;
  }

  /**
   * Whether a message is part of its partition's rebuild (true) or live; counts the rebuild's
   * progress and ends it at the last offset it covers.
   */
  isRebuild(topic: string, partition: number, offset: number): boolean {
    const key = partitionKey(topic, partition);
    const state = this.states.get(key);
    if (state?.phase !== 'rebuilding') return false;
    if (offset <= state.start) state.sought = true;
    if (!state.sought && offset > state.start) {
      // A message from before the seek took effect (kafkajs starts a new assignment at the
      // group's committed offset, and a seek issued while the assignment is being set up can be
      // overtaken): it is processed as a rebuild message, and the seek is issued again, so that
      // the rebuild never ends before it has read from `start` (measured: without this, a moved
      // partition was "rebuilt" from the previous owner's commit only). Only when the start
      // stays out of reach for RESEEK_GIVE_UP_MS (its messages deleted by retention meanwhile)
      // does the rebuild go on from where it is, said loudly.
      const nowMs = this.options.clock.nowMs();
      state.firstReseekMs ??= nowMs;
      if (nowMs - state.firstReseekMs <= RESEEK_GIVE_UP_MS) {
        state.reseeks++;
        this.consumer?.seek({ topic, partition, offset: String(state.start) });
      } else {
        state.sought = true;
        this.options.logger.error(
          'optical partition rebuild could not read from its start; its history before is missing',
          {
            partition: key,
            fromOffset: state.start,
            readFrom: offset,
            reseeks: state.reseeks,
          },
        );
      }
    }
    if (offset < state.start) return false;
    state.read++;
    if (state.sought && offset >= state.end - 1) this.markReady(key, state.sinceMs, state.read);
    return offset < state.end;
  }

  /** True while some partition is planned or rebuilt. */
  busy(): boolean {
    for (const state of this.states.values()) if (state.phase !== 'ready') return true;
    return false;
  }

  /** Resolves when no partition is planned or rebuilt (what a notice join waits for). */
  gate(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
    });
  }

  private wake(): void {
    if (this.busy()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Releases every waiter (at stop). */
  close(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  health(): OwnershipHealth {
    const nowMs = this.options.clock.nowMs();
    const rebuilding: OwnershipHealth['rebuilding'] = [];
    for (const [key, state] of this.states) {
      if (state.phase === 'ready') continue;
      rebuilding.push({
        partition: key,
        phase: state.phase,
        ...(state.phase === 'rebuilding' ? { read: state.read, total: state.end - state.start } : {}),
        sinceSec: (nowMs - state.sinceMs) / 1000,
      });
    }
    return {
      status: rebuilding.length > 0 ? 'degraded' : 'ok',
      owned: [...this.states.keys()].sort(),
      rebuilding,
      lastRebuilds: [...this.lastRebuilds],
      rebalances: this.rebalances,
    };
  }
}

/**
 * Relays the outbox to an external sink (Kafka) at least once, in seq order, across crashes.
 *
 * The sink's cursor (the last seq it acknowledged) is kept in SQLite (serve_sink_cursors). A
 * drain reads the rows after the cursor, publishes them one by one, and moves the cursor after
 * each acknowledgement; `notify()` (called after every append) starts a drain when none is
 * running, in a microtask: never inside the caller, so the other sinks of the same append
 * (the WebSocket fan-out) are not held up behind the first publish, and the notifies of one
 * batch of appends start one drain. A failed publish is retried after retryMs, doubling up to maxRetryMs, without
 * skipping the row: the sink sees every message, possibly twice after a crash (consumers
 * de-duplicate by coincidence id / notice sha256), never out of order.
 */
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { Outbox, OutboxRecord } from './outbox.ts';

export const RELAY_BATCH = 200;
export const RELAY_RETRY_MS = 500;
export const RELAY_MAX_RETRY_MS = 30_000;

export interface OutboxRelayOptions {
  db: SqliteDatabase;
  outbox: Outbox;
  /** The sink's name, the key of its cursor. */
  name: string;
  publish: (record: OutboxRecord) => Promise<void>;
  logger: Logger;
  clock: Clock;
  /** Where a sink with no cursor starts (default: the current end, i.e. only new messages). */
  startAtSeq?: number;
  retryMs?: number;
  maxRetryMs?: number;
}

export interface OutboxRelay {
  /** Starts a drain if none is running, after the caller's synchronous work (call after each append). */
  notify(): void;
  /** The last seq the sink acknowledged. */
  cursor(): number;
  /** Stops after the publish in flight; resolves when idle. */
  stop(): Promise<void>;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, outbox, name, logger } = options;
  const read = db.prepare('SELECT seq FROM serve_sink_cursors WHERE sink = ?').pluck();
  const write = db.prepare(
    'INSERT INTO serve_sink_cursors (sink, seq) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq',
  );
  let cursor = read.get(name) as number | undefined;
  if (cursor === undefined) {
    cursor = options.startAtSeq ?? outbox.lastSeq();
    write.run(name, cursor);
  }
  const retryMs = options.retryMs ?? RELAY_RETRY_MS;
  const maxRetryMs = options.maxRetryMs ?? RELAY_MAX_RETRY_MS;
  let draining: Promise<void> | undefined;
  let again = false;
  /** A drain is about to start (queued as a microtask). */
  let starting = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  /** Read through a function: `stopped` changes while a drain awaits. */
  const isStopped = (): boolean => stopped;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const drain = async (): Promise<void> => {
    let delayMs = retryMs;
    while (!stopped) {
      const rows = outbox.readAfter(cursor ?? 0, RELAY_BATCH);
      if (rows.length === 0) {
        if (!again) return;
        again = false;
        continue;
      }
      for (const row of rows) {
        if (isStopped()) return;
        for (;;) {
          try {
            await options.publish(row);
            break;
          } catch (error) {
            logger.warn('sink publish failed; retrying', {
              sink: name,
              seq: row.seq,
              error: describeError(error),
            });
            if (isStopped()) return;
            await sleep(delayMs);
            delayMs = Math.min(maxRetryMs, delayMs * 2);
          }
        }
        delayMs = retryMs;
        cursor = row.seq;
        write.run(name, cursor);
      }
    }
  };

  const start = (): void => {
    starting = false;
    if (stopped || draining) return;
    again = false;
    draining = drain().finally(() => {
      draining = undefined;
      // A notify that raced with the end of the drain starts another one.
      if (again) notify();
    });
  };

  function notify(): void {
    if (stopped) return;
    if (draining) {
      again = true;
      return;
    }
    if (starting) return;
    starting = true;
    queueMicrotask(start);
  }

  return {
    notify,
    cursor: () => cursor ?? 0,
    async stop() {
      stopped = true;
      wake?.();
      await draining;
    },
  };
}

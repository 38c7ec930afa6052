/**
 * The event writer thread (see event-writer.ts): one connection to the store's file. Every
 * write that has arrived when the thread is free goes into one transaction (one fsync), in the
 * order asked; writes that arrive during a COMMIT go into the next transaction, started as soon
 * as that COMMIT returns, without a round trip to the main thread in between. Each answer is
 * posted after its COMMIT has returned (with synchronous=FULL, after fsync).
 *
 * Normalisation after the commit (config.normaliser; issue 14): each inserted event marked
 * `normaliseAfterCommit` that was stored is handed, once its write has been answered, to the
 * normalisation thread over a port of their own (event-normalisation.ts: one message per
 * transaction, the bytes moved, not copied). The notice rows it sends back (with the pending
 * mark cleared) go into the next write's transaction, and are notified to the main thread
 * ({eventId, json} per event, worker-thread.ts NOTIFICATION_ID) in the same message as that
 * write's answer: one fsync and one wake-up of the main thread per event, also for one author
 * submitting one event at a time. When no write comes within COMPLETION_WAIT_MS, or
 * COMPLETIONS_PER_COMMIT notices are waiting, they are committed in a transaction of their own,
 * without fsync (event-writes.ts). If a transaction with notices in it fails, the writes are
 * committed again alone, so that a notice never keeps an event from its ack. This thread never
 * parses: a write never waits for a normalisation. If the normalisation thread goes away, the
 * events handed to it and not answered are notified as failed (they stay pending, resumed at
 * the next start).
 * Before, each event went main -> writer (insert) -> main -> normalisation thread (a copy) ->
 * main (a structured clone of the Notice) -> writer (notice) -> main.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describeError } from '../errors.ts';
import { failedReply, notification, type ThreadReply, type ThreadRequest } from '../worker-thread.ts';
import type { EventToNormalise, NormalisedRow } from './event-normalisation.ts';
import {
  prepareEventWrites,
  type CompleteNormalisationOp,
  type WriteOp,
  type WriteResult,
} from './event-writes.ts';
import { recordSpan, traceNowMs } from './span-trace.ts';

export interface WriterThreadConfig {
  path: string;
  /** SQLite's synchronous level as a number (2 = FULL). */
  synchronous: number;
  busyTimeoutMs: number;
  /** This connection's wal_autocheckpoint (pages); checkpoints are made by another thread. */
  autocheckpointPages: number;
  /** Ops committed so far, in [0], for the checkpoint thread (wal-checkpointer.ts). */
  written: Int32Array;
  /** A port to the normalisation thread: inserts marked `normaliseAfterCommit` go there. */
  normaliser?: MessagePort;
  /** Benchmarks: each transaction's span and count of inserts (span-trace.ts). */
  trace?: Float64Array;
}

/** One event normalised after its commit, as notified to the main thread. */
export interface NormalisedEvent {
  eventId: number;
  /** The notice's JSON (as stored in notices.json); absent when the event is not a notice. */
  json?: string;
  /** Why normalising failed (other than NOTICE_UNSUPPORTED): the event is stored without a notice. */
  warning?: string;
  /** The notice could not be committed: the event stays pending (resumed at the next start). */
  failure?: string;
}

/** Most notices waiting for a write's transaction; more are committed on their own. */
export const COMPLETIONS_PER_COMMIT = 16;
/** How long notices wait for a write's transaction before being committed on their own. */
export const COMPLETION_WAIT_MS = 10;

const config = workerData as WriterThreadConfig;
// The schema is already migrated by the main thread's openDatabase before this thread starts.
const db = new Database(config.path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${Math.floor(config.synchronous)}`);
db.pragma('foreign_keys = ON');
db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(config.autocheckpointPages))}`);
const apply = prepareEventWrites(db);
const normaliser = config.normaliser;

const port = parentPort;
if (!port) throw new Error('event-writer-thread runs in a worker thread');

let waiting: Array<ThreadRequest<readonly WriteOp[]>> = [];
/** Events handed to the normalisation thread and not answered yet. */
const handedOver = new Set<number>();
/** The normalisation thread has stopped (its port closed). */
let normaliserClosed = false;
/** Notices normalised and not yet committed, with what to notify once they are. */
let completions: CompleteNormalisationOp[] = [];
let outcomes: NormalisedEvent[] = [];
let completionTimer: ReturnType<typeof setTimeout> | undefined;

interface Completions {
  ops: CompleteNormalisationOp[];
  outcomes: NormalisedEvent[];
}

const trace = config.trace;
const commit = (ops: readonly WriteOp[]): WriteResult[] => {
  const start = trace ? traceNowMs() : 0;
  const results = apply(ops);
  if (trace) recordSpan(trace, start, traceNowMs(), ops.filter((op) => op.op === 'insert-event').length);
  Atomics.add(config.written, 0, ops.length);
  return results;
};

const takeCompletions = (): Completions => {
  const taken = { ops: completions, outcomes };
  completions = [];
  outcomes = [];
  clearTimeout(completionTimer);
  completionTimer = undefined;
  return taken;
};

/** Commits notices in a transaction of their own; what to notify of them. */
const commitCompletions = (taken: Completions): NormalisedEvent[] => {
  try {
    commit(taken.ops);
    return taken.outcomes;
  } catch (error) {
    const failure = describeError(error);
    return taken.outcomes.map(({ eventId }): NormalisedEvent => ({ eventId, failure }));
  }
};

/** The notices waiting for a write that did not come: committed and notified on their own. */
const flushCompletions = (): void => {
  completionTimer = undefined;
  if (completions.length > 0) port.postMessage([notification(commitCompletions(takeCompletions()))]);
};

/**
 * Every waiting write in one transaction, with the notices normalised so far; answered, and the
 * notices notified, in one message once it has committed.
 */
const handleWrites = (): void => {
  let toNormalise: EventToNormalise[] = [];
  const group = waiting;
  waiting = [];
  const ops = group.flatMap((r) => r.request);
  const notices = takeCompletions();
  /** What to notify of the notices, once committed with the writes. */
  let notified: NormalisedEvent[] | undefined;
  let replies: Array<ThreadReply<unknown>>;
  try {
    let results: WriteResult[] | undefined;
    if (notices.ops.length > 0) {
      try {
        results = commit([...notices.ops, ...ops]).slice(notices.ops.length);
        notified = notices.outcomes;
      } catch {
        results = undefined; // the writes again alone, below; the notices after them
      }
    }
    const answered = results ?? commit(ops);
    let at = 0;
    replies = group.map(({ id, request }) => ({
      id,
      ok: true,
      result: answered.slice(at, (at += request.length)),
    }));
    if (normaliser) {
      const stored: EventToNormalise[] = [];
      ops.forEach((op, i) => {
        const result = answered[i];
        if (op.op === 'insert-event' && op.normaliseAfterCommit === true && result?.status === 'stored') {
          const { receivedAtMs, bytes, sha256 } = op;
          stored.push({ eventId: result.eventId, receivedAtMs, bytes, sha256 });
          handedOver.add(result.eventId);
        }
      });
      toNormalise = stored;
    }
  } catch (error) {
    replies = group.map(({ id }) => failedReply(id, error));
  }
  if (notices.ops.length > 0) replies.push(notification(notified ?? commitCompletions(notices)));
  port.postMessage(replies);
  // After the answers: the acks go out first. The bytes are this thread's own (the main thread
  // moved them here), so they move on without a copy.
  if (normaliserClosed) failHandedOver();
  else if (normaliser && toNormalise.length > 0) {
    normaliser.postMessage(toNormalise, [...new Set(toNormalise.map((e) => e.bytes.buffer as ArrayBuffer))]);
  }
};

/** Notices from the normalisation thread: committed with the next write, or on their own. */
const received = (rows: readonly NormalisedRow[]): void => {
  for (const row of rows) {
    if (!handedOver.delete(row.eventId)) continue;
    completions.push({
      op: 'complete-normalisation',
      eventId: row.eventId,
      receivedAtMs: row.receivedAtMs,
      ...(row.notice ? { notice: row.notice } : {}),
    });
    outcomes.push({
      eventId: row.eventId,
      ...(row.notice ? { json: row.notice.json } : {}),
      ...(row.warning !== undefined ? { warning: row.warning } : {}),
    });
  }
  if (completions.length >= COMPLETIONS_PER_COMMIT) flushCompletions();
  run();
};

const run = (): void => {
  for (;;) {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      waiting.push(...(next.message as Array<ThreadRequest<readonly WriteOp[]>>));
    }
    if (waiting.length === 0) break;
    handleWrites();
  }
  if (completions.length > 0) completionTimer ??= setTimeout(flushCompletions, COMPLETION_WAIT_MS);
};

port.on('message', (requests: Array<ThreadRequest<readonly WriteOp[]>>) => {
  // The client's start-up probe is an empty batch, answered with an empty one.
  if (requests.length === 0) port.postMessage([]);
  waiting.push(...requests);
  run();
});

/**
 * The normalisation thread stopped: what it had not answered, and what is handed to it later,
 * is notified as failed and stays pending (resumed at the next start).
 */
const failHandedOver = (): void => {
  if (handedOver.size === 0) return;
  const failure = 'the normalisation thread stopped before normalising it';
  const failed = [...handedOver].map((eventId): NormalisedEvent => ({ eventId, failure }));
  handedOver.clear();
  port.postMessage([notification(failed)]);
};

if (normaliser) {
  normaliser.on('message', received);
  normaliser.on('close', () => {
    normaliserClosed = true;
    failHandedOver();
  });
}

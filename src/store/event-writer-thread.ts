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
 * submitting one event at a time. The normalisation thread's answers do not wake this thread
 * (one wake-up per event less): they are read (receiveMessageOnPort) before each write's
 * transaction, and every COMPLETION_WAIT_MS while events handed over are not answered, when no
 * write comes; those are then committed in a transaction of their own, without fsync
 * (event-writes.ts). If a transaction with notices in it fails, the writes are committed again
 * alone, so that a notice never keeps an event from its ack. This thread never parses: a write
 * never waits for a normalisation. If the normalisation thread goes away, the
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

/**
 * How often the answers of the normalisation thread are looked for while events are handed to it
 * and not answered, when no write comes: those found are then committed on their own.
 */
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
  if (completions.length > 0) port.postMessage([notification(commitCompletions(takeCompletions()))]);
};

/**
 * Looks for the notices the normalisation thread has sent back, every COMPLETION_WAIT_MS while
 * events are handed over and not answered: those found are committed on their own (no write
 * came meanwhile to take them).
 */
const poll = (): void => {
  completionTimer = undefined;
  drainNormaliser();
  flushCompletions();
  armPoll();
};

const armPoll = (): void => {
  if (handedOver.size > 0 || completions.length > 0) completionTimer ??= setTimeout(poll, COMPLETION_WAIT_MS);
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
  drainNormaliser();
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
    armPoll();
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
};

/**
 * Takes what the normalisation thread has sent back so far, without waiting for it. Its answers
 * are not listened to (a 'message' event would wake this thread for each of them, one more
 * wake-up per event on top of the write's own, issue 14): they are read before each write's
 * transaction, which commits them, and by `poll` when no write comes.
 */
const drainNormaliser = (): void => {
  if (!normaliser || normaliserClosed) return;
  for (let next = receiveMessageOnPort(normaliser); next; next = receiveMessageOnPort(normaliser)) {
    received(next.message as NormalisedRow[]);
  }
};

const run = (): void => {
  for (;;) {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      waiting.push(...(next.message as Array<ThreadRequest<readonly WriteOp[]>>));
    }
    if (waiting.length === 0) break;
    handleWrites();
  }
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
  // Only 'close' is listened to: the answers are read by drainNormaliser. Node 20 crashes
  // (SIGSEGV) when receiveMessageOnPort is called within a port's 'close' handler, so the last
  // answers, if any, are read just after it (afterwards the port only answers undefined).
  normaliser.on('close', () => {
    setImmediate(() => {
      drainNormaliser();
      flushCompletions();
      normaliserClosed = true;
      failHandedOver();
    });
  });
}

/**
 * The event writer thread (see event-writer.ts): one connection to the store's file. Every
 * write that has arrived when the thread is free goes into one transaction (one fsync), in the
 * order asked; writes that arrive during a COMMIT go into the next transaction, started as soon
 * as that COMMIT returns, without a round trip to the main thread in between. Each answer is
 * posted after its COMMIT has returned (with synchronous=FULL, after fsync).
 *
 * Normalisation after the commit (config.normalise; issue 14): an inserted event marked
 * `normaliseAfterCommit` is normalised here (notices/parse-notice.ts), after its write has been
 * answered, while no write is waiting: the thread already holds the bytes, so they are not
 * copied to another thread, and the notice goes straight into the store. The notices (with the
 * pending mark cleared) go into the next write's transaction, and are notified to the main
 * thread ({eventId, json} per event, worker-thread.ts NOTIFICATION_ID) in the same message as
 * that write's answer: one transaction, one fsync and one wake-up of the main thread per event,
 * also for one author submitting one event at a time. When no write comes within
 * COMPLETION_WAIT_MS, or COMPLETIONS_PER_COMMIT notices are waiting, they are committed in a
 * transaction of their own, without fsync (event-writes.ts). If a transaction with notices in
 * it fails, the writes are committed again alone, so that a notice never keeps an event from
 * its ack.
 * Before, each event went main -> writer (insert) -> main -> normalisation thread (a copy) ->
 * main (a structured clone of the Notice) -> writer (notice) -> main: five hops instead of two.
 * Writes go first: a normalisation (a few hundred µs) is never started while a write waits,
 * unless BACKLOG events are already waiting for theirs, so that under a sustained load the
 * notices keep up with the inserts (one normalisation per insert, between transactions).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describeError, isCoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { failedReply, notification, type ThreadReply, type ThreadRequest } from '../worker-thread.ts';
import {
  noticeRow,
  prepareEventWrites,
  type CompleteNormalisationOp,
  type WriteOp,
  type WriteResult,
} from './event-writes.ts';

export interface WriterThreadConfig {
  path: string;
  /** SQLite's synchronous level as a number (2 = FULL). */
  synchronous: number;
  busyTimeoutMs: number;
  /** This connection's wal_autocheckpoint (pages); checkpoints are made by another thread. */
  autocheckpointPages: number;
  /** Ops committed so far, in [0], for the checkpoint thread (wal-checkpointer.ts). */
  written: Int32Array;
  /** Normalise inserts marked `normaliseAfterCommit` here, with notices/parse-notice.ts. */
  normalise: boolean;
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

/** Events waiting for their normalisation before a waiting write waits for one of them. */
export const BACKLOG = 16;
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
const parseNotice = config.normalise
  ? (await import('../notices/parse-notice.ts')).parseNoticeDocument
  : undefined;
const normalise = parseNotice
  ? (bytes: Uint8Array, sha256: string): Notice => parseNotice(bytes, { sha256 })
  : undefined;

const port = parentPort;
if (!port) throw new Error('event-writer-thread runs in a worker thread');

interface ToNormalise {
  eventId: number;
  receivedAtMs: number;
  bytes: Uint8Array;
  sha256: string;
}

let waiting: Array<ThreadRequest<readonly WriteOp[]>> = [];
const toNormalise: ToNormalise[] = [];
/** Notices normalised and not yet committed, with what to notify once they are. */
let completions: CompleteNormalisationOp[] = [];
let outcomes: NormalisedEvent[] = [];
let completionTimer: ReturnType<typeof setTimeout> | undefined;

interface Completions {
  ops: CompleteNormalisationOp[];
  outcomes: NormalisedEvent[];
}

const commit = (ops: readonly WriteOp[]): WriteResult[] => {
  const results = apply(ops);
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
    if (normalise) {
      ops.forEach((op, i) => {
        const result = answered[i];
        if (op.op === 'insert-event' && op.normaliseAfterCommit === true && result?.status === 'stored') {
          const { receivedAtMs, bytes, sha256 } = op;
          toNormalise.push({ eventId: result.eventId, receivedAtMs, bytes, sha256 });
        }
      });
    }
  } catch (error) {
    replies = group.map(({ id }) => failedReply(id, error));
  }
  if (notices.ops.length > 0) replies.push(notification(notified ?? commitCompletions(notices)));
  port.postMessage(replies);
};

const normaliseOne = (normaliser: (bytes: Uint8Array, sha256: string) => Notice): void => {
  const event = toNormalise.shift();
  if (!event) return;
  let notice: Notice | undefined;
  let warning: string | undefined;
  try {
    notice = normaliser(event.bytes, event.sha256);
  } catch (error) {
    // NOTICE_UNSUPPORTED: a valid event that is not a notice, stored and relayed without one.
    if (!(isCoincideError(error) && error.code === 'NOTICE_UNSUPPORTED')) warning = describeError(error);
  }
  const row = notice ? noticeRow(notice) : undefined;
  completions.push({
    op: 'complete-normalisation',
    eventId: event.eventId,
    receivedAtMs: event.receivedAtMs,
    ...(row ? { notice: row } : {}),
  });
  outcomes.push({
    eventId: event.eventId,
    ...(row ? { json: row.json } : {}),
    ...(warning !== undefined ? { warning } : {}),
  });
};

const run = (): void => {
  for (;;) {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
      waiting.push(...(next.message as Array<ThreadRequest<readonly WriteOp[]>>));
    }
    if (waiting.length > 0 && toNormalise.length < BACKLOG) {
      handleWrites();
    } else if (normalise && toNormalise.length > 0) {
      normaliseOne(normalise);
      if (completions.length >= COMPLETIONS_PER_COMMIT) flushCompletions();
    } else if (waiting.length > 0) {
      handleWrites();
    } else {
      if (completions.length > 0) completionTimer ??= setTimeout(flushCompletions, COMPLETION_WAIT_MS);
      return;
    }
  }
};

port.on('message', (requests: Array<ThreadRequest<readonly WriteOp[]>>) => {
  // The client's start-up probe is an empty batch, answered with an empty one.
  if (requests.length === 0) port.postMessage([]);
  waiting.push(...requests);
  run();
});

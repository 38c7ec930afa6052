/**
 * Where the event store's transactions run.
 *
 * 'inline': in the calling thread, on the store's own connection. Simple, and right for tests,
 *   one-off tools and ':memory:' databases; but a COMMIT with synchronous=FULL waits for fsync,
 *   and better-sqlite3 is synchronous, so the whole event loop stops for that wait.
 * 'thread': in a worker thread with its own connection to the same file (WAL allows one writer
 *   and any number of readers at once). The fsync then blocks only the writer thread: the main
 *   thread keeps accepting, parsing and validating submissions while a commit is on the disk.
 *   The writer is pipelined: each batch is posted as soon as the store has it, also while a
 *   commit is in flight, and the thread puts everything that arrived during a commit into the
 *   next transaction, started as soon as that commit returns (event-writer-thread.ts). A write
 *   waits for the commit in flight and its own, never for a round trip to the main thread in
 *   between. WAL checkpoints are made by a thread of their own (wal-checkpointer.ts), so that
 *   no COMMIT an ack waits for also copies the WAL into the database file. Used by the
 *   service's ingest path (src/app.ts).
 *
 * Both run the same statements (event-writes.ts) and resolve only after the COMMIT returned.
 */
import type { MessagePort } from 'node:worker_threads';
import { CoincideError } from '../errors.ts';
import { ownCopy, startThreadClient } from '../worker-thread.ts';
import type { SqliteDatabase } from './database.ts';
import { prepareEventWrites, type WriteOp, type WriteResult } from './event-writes.ts';
import type { NormalisedEvent, WriterThreadConfig } from './event-writer-thread.ts';
import { startWalCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.ts';

export type EventWriterMode = 'inline' | 'thread';

export interface EventWriter {
  /**
   * Applies `ops` in one transaction; resolves after COMMIT, in op order. A pipelined writer may
   * commit the ops of several writes in one transaction (a failure then fails all of them).
   */
  write(ops: readonly WriteOp[]): Promise<WriteResult[]>;
  /**
   * True: `write` may be called while earlier writes are in flight (they are applied in call
   * order). False or absent: the store calls it again only once the previous write has settled.
   */
  readonly pipelined?: boolean;
  /** Resolves once writes are taken at once (the thread has started); rejects if it could not. */
  ready(): Promise<void>;
  /** Resolves once every write already asked for has settled; then stops the thread, if any. */
  close(): Promise<void>;
  /**
   * Present when the writer has the events it inserted with `normaliseAfterCommit` normalised
   * (createThreadWriter with `normaliser`): resolves once the notice of the stored event
   * `eventId` has been committed (or the event marked done without one), with its JSON; rejects
   * when the writer failed first. Ask once per such event, after its write has resolved.
   */
  normalised?: (eventId: number) => Promise<NormalisedEvent>;
}

export type { NormalisedEvent } from './event-writer-thread.ts';

export function createInlineWriter(db: SqliteDatabase): EventWriter {
  const apply = prepareEventWrites(db);
  return {
    write(ops) {
      try {
        return Promise.resolve(apply(ops));
      } catch (cause) {
        return Promise.reject(
          new CoincideError('STORE_WRITE', 'could not commit events', { cause, retriable: true }),
        );
      }
    },
    ready: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

export interface ThreadWriterOptions {
  /**
   * A port to the normalisation thread (ingest/normalisation-thread.ts `writerPort`, the other
   * end): the writer thread hands it the inserts marked `normaliseAfterCommit` after their
   * commit, and commits the notices it sends back (event-normalisation.ts,
   * event-writer-thread.ts); see EventWriter.normalised. The port moves to the writer thread.
   */
  normaliser?: MessagePort;
  /** Ops committed between two WAL checkpoints (wal-checkpointer.ts; default CHECKPOINT_EVERY_OPS). */
  checkpointEveryOps?: number;
  /** The writer's own automatic checkpoint, in WAL pages (default WRITER_AUTOCHECKPOINT_PAGES). */
  autocheckpointPages?: number;
  /**
   * Benchmarks (bench/vtp-latency.ts): the span of each transaction of the writer thread and of
   * each WAL checkpoint is recorded in these (store/span-trace.ts createSpanTrace).
   */
  trace?: { transactions: Float64Array; checkpoints: Float64Array };
}

/** A notification awaited by one caller, whichever of the two comes first. */
interface AwaitedNormalisation {
  promise: Promise<NormalisedEvent>;
  resolve: (event: NormalisedEvent) => void;
  reject: (error: unknown) => void;
  /** The caller has asked for it (normalised()). */
  taken: boolean;
}

export function createThreadWriter(db: SqliteDatabase, options: ThreadWriterOptions = {}): EventWriter {
  if (db.memory) throw new CoincideError('STORE_WRITE', 'a writer thread needs a database file');
  const normalise = options.normaliser !== undefined;
  const config: WriterThreadConfig = {
    path: db.name,
    // The thread's connection gets the same durability and lock waiting as the store's own.
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    // Checkpoints are made by a thread of their own (wal-checkpointer.ts), not by a COMMIT that
    // an ack waits for; the writer's own is only a safety net.
    autocheckpointPages: options.autocheckpointPages ?? WRITER_AUTOCHECKPOINT_PAGES,
    written: new Int32Array(new SharedArrayBuffer(4)),
    ...(options.normaliser ? { normaliser: options.normaliser } : {}),
    ...(options.trace ? { trace: options.trace.transactions } : {}),
  };
  /** Notifications of normalised events, by event id, until both arrived and asked for. */
  const awaited = new Map<number, AwaitedNormalisation>();
  /** Inserts posted with normaliseAfterCommit whose normalisation has not been notified yet. */
  let outstanding = 0;
  /** Called whenever `outstanding` may have reached 0 (close() waits for it). */
  let onSettled: () => void = () => undefined;
  let failure: CoincideError | undefined;
  const awaitedOf = (eventId: number): AwaitedNormalisation => {
    let entry = awaited.get(eventId);
    if (!entry) {
      let resolve: (event: NormalisedEvent) => void = () => undefined;
      let reject: (error: unknown) => void = () => undefined;
      const promise = new Promise<NormalisedEvent>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // reported to whoever asks; not unhandled meanwhile
      entry = { promise, resolve, reject, taken: false };
      awaited.set(eventId, entry);
    }
    return entry;
  };
  const checkpointer = startWalCheckpointer(db.name, {
    busyTimeoutMs: config.busyTimeoutMs,
    written: config.written,
    ...(options.checkpointEveryOps === undefined ? {} : { everyOps: options.checkpointEveryOps }),
    ...(options.trace ? { trace: options.trace.checkpoints } : {}),
  });
  const thread = startThreadClient<readonly WriteOp[], WriteResult[]>(
    new URL('./event-writer-thread.ts', import.meta.url),
    {
      workerData: config,
      ...(options.normaliser ? { transferList: [options.normaliser] } : {}),
      // The store posts one batch per event-loop turn already: each goes out at once.
      batchPerTurn: false,
      onNotification: (payload) => {
        for (const event of payload as NormalisedEvent[]) {
          outstanding -= 1;
          const entry = awaitedOf(event.eventId);
          entry.resolve(event);
          if (entry.taken) awaited.delete(event.eventId);
        }
        onSettled();
      },
      onFailure: (error) => {
        failure = error;
        outstanding = 0;
        for (const entry of awaited.values()) entry.reject(error);
        awaited.clear();
        onSettled();
      },
      awaitingNotifications: () => outstanding > 0,
      requestFailed: (message) =>
        new CoincideError('STORE_WRITE', `could not commit events: ${message}`, { retriable: true }),
      threadFailed: (reason, cause) =>
        new CoincideError('STORE_WRITE', `event writer: ${reason}`, { cause, retriable: true }),
    },
  );
  return {
    pipelined: true,
    write: (ops) => {
      const transfer: ArrayBuffer[] = [];
      let normalising = 0;
      const posted = ops.map((op): WriteOp => {
        if (op.op !== 'insert-event') return op;
        const bytes = ownCopy(op.bytes);
        transfer.push(bytes.buffer);
        if (normalise && op.normaliseAfterCommit === true && !op.normalised) normalising += 1;
        return { ...op, bytes, normaliseAfterCommit: normalise && op.normaliseAfterCommit === true };
      });
      outstanding += normalising;
      const written = thread.call(posted, transfer);
      if (normalising === 0) return written;
      // Inserts that were not stored (duplicates) or failed are not normalised: no notification.
      const settle = (stored: number): void => {
        outstanding -= normalising - stored;
        thread.release();
        onSettled();
      };
      return written.then(
        (results) => {
          const stored = posted.filter((op, i) => {
            return (
              op.op === 'insert-event' && op.normaliseAfterCommit === true && results[i]?.status === 'stored'
            );
          });
          settle(stored.length);
          return results;
        },
        (error: unknown) => {
          settle(0);
          throw error;
        },
      );
    },
    ...(normalise
      ? {
          normalised: (eventId: number) => {
            if (failure) return Promise.reject(failure);
            const entry = awaitedOf(eventId);
            entry.taken = true;
            return entry.promise.finally(() => awaited.delete(eventId));
          },
        }
      : {}),
    ready: () => Promise.all([thread.ready(), checkpointer.ready()]).then(() => undefined),
    async close() {
      // The normalisations still due are awaited too: their notices are committed before the
      // thread stops (left pending otherwise, for the next start).
      await new Promise<void>((resolve) => {
        onSettled = () => {
          if (outstanding <= 0) resolve();
        };
        onSettled();
      });
      await thread.close();
      await checkpointer.close();
    },
  };
}

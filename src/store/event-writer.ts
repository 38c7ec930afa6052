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
import { CoincideError } from '../errors.ts';
import { ownCopy, startThreadClient } from '../worker-thread.ts';
import type { SqliteDatabase } from './database.ts';
import { prepareEventWrites, type WriteOp, type WriteResult } from './event-writes.ts';
import type { WriterThreadConfig } from './event-writer-thread.ts';
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
}

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

export function createThreadWriter(db: SqliteDatabase): EventWriter {
  if (db.memory) throw new CoincideError('STORE_WRITE', 'a writer thread needs a database file');
  const config: WriterThreadConfig = {
    path: db.name,
    // The thread's connection gets the same durability and lock waiting as the store's own.
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
    // Checkpoints are made by a thread of their own (wal-checkpointer.ts), not by a COMMIT that
    // an ack waits for; the writer's own is only a safety net.
    autocheckpointPages: WRITER_AUTOCHECKPOINT_PAGES,
    written: new Int32Array(new SharedArrayBuffer(4)),
  };
  const checkpointer = startWalCheckpointer(db.name, {
    busyTimeoutMs: config.busyTimeoutMs,
    written: config.written,
  });
  const thread = startThreadClient<readonly WriteOp[], WriteResult[]>(
    new URL('./event-writer-thread.ts', import.meta.url),
    {
      workerData: config,
      // The store posts one batch per event-loop turn already: each goes out at once.
      batchPerTurn: false,
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
      const posted = ops.map((op): WriteOp => {
        if (op.op !== 'insert-event') return op;
        const bytes = ownCopy(op.bytes);
        transfer.push(bytes.buffer);
        return { ...op, bytes };
      });
      return thread.call(posted, transfer);
    },
    ready: () => Promise.all([thread.ready(), checkpointer.ready()]).then(() => undefined),
    async close() {
      await thread.close();
      await checkpointer.close();
    },
  };
}

/**
 * The event writer thread (see event-writer.ts): one connection to the store's file. Every
 * write that has arrived when the thread is free goes into one transaction (one fsync), in the
 * order asked; writes that arrive during a COMMIT go into the next transaction, started as soon
 * as that COMMIT returns (worker-thread.ts serveThreadRequestGroups), without a round trip to the
 * main thread in between. Each answer is posted after its COMMIT has returned (with
 * synchronous=FULL, after fsync).
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serveThreadRequestGroups } from '../worker-thread.ts';
import { prepareEventWrites, type WriteOp, type WriteResult } from './event-writes.ts';

export interface WriterThreadConfig {
  path: string;
  /** SQLite's synchronous level as a number (2 = FULL). */
  synchronous: number;
  busyTimeoutMs: number;
  /** This connection's wal_autocheckpoint (pages); checkpoints are made by another thread. */
  autocheckpointPages: number;
  /** Ops committed so far, in [0], for the checkpoint thread (wal-checkpointer.ts). */
  written: Int32Array;
}

const config = workerData as WriterThreadConfig;
// The schema is already migrated by the main thread's openDatabase before this thread starts.
const db = new Database(config.path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${Math.floor(config.synchronous)}`);
db.pragma('foreign_keys = ON');
db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(config.autocheckpointPages))}`);
const apply = prepareEventWrites(db);
serveThreadRequestGroups((writes: Array<readonly WriteOp[]>): WriteResult[][] => {
  const ops = writes.flat();
  const results = apply(ops);
  Atomics.add(config.written, 0, ops.length);
  let at = 0;
  return writes.map((ops) => results.slice(at, (at += ops.length)));
});

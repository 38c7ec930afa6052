/**
 * The event writer thread (see event-writer.ts): one connection to the store's file, and one
 * transaction per request. Requests arrive one at a time from the store's group commit; each
 * answer is posted after its COMMIT has returned (with synchronous=FULL, after fsync).
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serveThreadRequests } from '../worker-thread.ts';
import { prepareEventWrites, type WriteOp, type WriteResult } from './event-writes.ts';

export interface WriterThreadConfig {
  path: string;
  /** SQLite's synchronous level as a number (2 = FULL). */
  synchronous: number;
  busyTimeoutMs: number;
}

const config = workerData as WriterThreadConfig;
// The schema is already migrated by the main thread's openDatabase before this thread starts.
const db = new Database(config.path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${Math.floor(config.synchronous)}`);
db.pragma('foreign_keys = ON');
const apply = prepareEventWrites(db);
serveThreadRequests((ops: readonly WriteOp[]): WriteResult[] => apply(ops));

/**
 * The event writer thread (see event-writer.ts): one connection to the store's file, and one
 * transaction per request. Requests arrive one at a time from the store's group commit; each
 * reply is posted after its COMMIT has returned (with synchronous=FULL, after fsync).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { prepareEventWrites, type WriteOp, type WriteResult } from './event-writes.ts';

export interface WriterThreadConfig {
  path: string;
  /** SQLite's synchronous level as a number (2 = FULL). */
  synchronous: number;
  busyTimeoutMs: number;
}

export interface WriterRequest {
  id: number;
  ops: readonly WriteOp[];
}

export type WriterReply =
  { id: number; ok: true; results: WriteResult[] } | { id: number; ok: false; message: string };

const port = parentPort;
if (port && workerData) {
  const config = workerData as WriterThreadConfig;
  // The schema is already migrated by the main thread's openDatabase before this thread starts.
  const db = new Database(config.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${Math.floor(config.synchronous)}`);
  db.pragma('foreign_keys = ON');
  const apply = prepareEventWrites(db);
  port.on('message', (request: WriterRequest) => {
    let reply: WriterReply;
    try {
      reply = { id: request.id, ok: true, results: apply(request.ops) };
    } catch (error) {
      reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

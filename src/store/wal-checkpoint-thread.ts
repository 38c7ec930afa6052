/**
 * The WAL checkpoint thread (see wal-checkpointer.ts): its own connection to the store's file,
 * a PASSIVE checkpoint every `intervalMs`, at a lower priority than the ack path
 * (thread-priority.ts). A passive checkpoint copies committed pages from the WAL into the
 * database file without taking the write lock, so the event writer keeps committing meanwhile;
 * once everything is copied, the writer's next transaction starts the WAL from its beginning
 * again (SQLite does that itself), so the WAL file stays small and is overwritten in place.
 * On the message 'stop' it closes its connection and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DEFERRED_WORK_NICE, setThreadNice } from '../thread-priority.ts';

export interface CheckpointThreadConfig {
  path: string;
  intervalMs: number;
  busyTimeoutMs: number;
}

const config = workerData as CheckpointThreadConfig;
setThreadNice(DEFERRED_WORK_NICE);
const db = new Database(config.path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  checkpoint.get(); // a failure ends the thread: reported to its owner as an error
}, config.intervalMs);
parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
parentPort?.postMessage('ready');

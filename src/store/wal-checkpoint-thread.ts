/**
 * The WAL checkpoint thread (see wal-checkpointer.ts): its own connection to the store's file,
 * at a lower priority than the ack path (thread-priority.ts). Every `intervalMs` it looks at how
 * many ops the writer thread has committed (`written[0]`, shared memory) and makes a PASSIVE
 * checkpoint once `everyOps` more have been since its last one (about the 1,000 WAL pages of
 * SQLite's own automatic checkpoint), so that it adds no fsync of its own at a low rate. A passive checkpoint copies committed pages from the WAL into the
 * database file without taking the write lock, so the event writer keeps committing meanwhile;
 * once everything is copied, the writer's next transaction starts the WAL from its beginning
 * again (SQLite does that itself), so the WAL file stays small and is overwritten in place.
 * On the message 'stop' it closes its connection and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DEFERRED_WORK_NICE, setThreadNice } from '../thread-priority.ts';
import { recordSpan, traceNowMs } from './span-trace.ts';

export interface CheckpointThreadConfig {
  path: string;
  intervalMs: number;
  busyTimeoutMs: number;
  /** Ops committed by the writer thread so far, in [0] (it adds to it after each transaction). */
  written: Int32Array;
  everyOps: number;
  /** Benchmarks: each checkpoint's span (span-trace.ts). */
  trace?: Float64Array;
}

const config = workerData as CheckpointThreadConfig;
setThreadNice(DEFERRED_WORK_NICE);
const db = new Database(config.path);
db.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs))}`);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let checkpointedAt = 0;
const timer = setInterval(() => {
  const written = Atomics.load(config.written, 0);
  if (written - checkpointedAt < config.everyOps) return;
  const start = config.trace ? traceNowMs() : 0;
  checkpoint.get(); // a failure ends the thread: reported to its owner as an error
  if (config.trace) recordSpan(config.trace, start, traceNowMs(), written - checkpointedAt);
  checkpointedAt = written;
}, config.intervalMs);
parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
parentPort?.postMessage('ready');

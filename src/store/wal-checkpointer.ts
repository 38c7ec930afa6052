/**
 * WAL checkpoints off the commit path, for the event writer thread (event-writer.ts).
 *
 * Why: SQLite checkpoints a WAL database from the connection whose COMMIT takes the WAL past
 * `wal_autocheckpoint` pages (default 1,000, 4 MiB). Each stored event writes ~14 pages (the
 * event with its indexes, then its notice), so every ~70th submission's COMMIT also copied the
 * WAL into the database file and fsynced it, and that submission's ack waited for all of it:
 * at a steady 500 events/s that is several acks a second, which is what a p99 sees. Here a
 * thread of its own makes the PASSIVE checkpoints (every CHECKPOINT_EVERY_OPS ops the writer has
 * committed, looked at every CHECKPOINT_INTERVAL_MS), which never take the write lock, and the writer's own automatic checkpoint is raised to WRITER_AUTOCHECKPOINT_PAGES:
 * a safety net that only acts if this thread has stopped (its failure is logged by nobody
 * else, and then the WAL is still bounded).
 */
import { CoincideError } from '../errors.ts';
import { startTsWorker } from '../worker-thread.ts';
import type { CheckpointThreadConfig } from './wal-checkpoint-thread.ts';

/** How often the thread looks at what the writer has committed. */
export const CHECKPOINT_INTERVAL_MS = 200;
/** Ops committed between two checkpoints: ~7 WAL pages each, about SQLite's 1,000-page default. */
export const CHECKPOINT_EVERY_OPS = 128;
/** The writer's own automatic checkpoint threshold while this thread runs (64 MiB of WAL). */
export const WRITER_AUTOCHECKPOINT_PAGES = 16_384;

export interface WalCheckpointer {
  /** Resolves once the thread has opened its connection (rejects if it could not start). */
  ready(): Promise<void>;
  /** Stops the thread after its current checkpoint; resolves once it has closed its connection. */
  close(): Promise<void>;
}

export function startWalCheckpointer(
  path: string,
  options: {
    busyTimeoutMs: number;
    written: Int32Array;
    intervalMs?: number;
    everyOps?: number;
    /** Benchmarks: each checkpoint's span (span-trace.ts). */
    trace?: Float64Array;
  },
): WalCheckpointer {
  const config: CheckpointThreadConfig = {
    path,
    busyTimeoutMs: options.busyTimeoutMs,
    intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
    written: options.written,
    everyOps: options.everyOps ?? CHECKPOINT_EVERY_OPS,
    ...(options.trace ? { trace: options.trace } : {}),
  };
  const worker = startTsWorker(new URL('./wal-checkpoint-thread.ts', import.meta.url), {
    workerData: config,
  });
  worker.unref(); // never keeps the process alive
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      resolve();
    }),
  );
  const started = new Promise<void>((resolve, reject) => {
    worker.once('message', () => {
      resolve();
    });
    worker.once('error', (cause) => {
      reject(new CoincideError('STORE_WRITE', 'the WAL checkpoint thread failed', { cause }));
    });
    void exited.then(() => {
      reject(new CoincideError('STORE_WRITE', 'the WAL checkpoint thread exited'));
    });
  });
  started.catch(() => undefined); // reported to whoever asks ready()
  worker.on('error', () => undefined); // the writer's own automatic checkpoint takes over
  return {
    ready: () => started,
    async close() {
      worker.ref(); // an unref'd thread would not keep this process alive until it has exited
      worker.postMessage('stop');
      // The thread closes its connection and exits; a thread that does not is stopped.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

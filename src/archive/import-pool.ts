/**
 * Threads that prepare the documents of `coincide archive import` (import-prepare.ts: parse,
 * normalise, derive the index data of their regions), so that this CPU work uses every core
 * while the calling thread writes to SQLite (one writer; import.ts).
 *
 * Each run of documents goes to the thread with the fewest runs in flight; its results come back
 * as one answer (the caller writes the runs in input order). If a thread fails, its runs are prepared in the calling thread
 * instead: slower, never lost.
 */
import { availableParallelism } from 'node:os';
import { CoincideError } from '../errors.ts';
import { ownCopy, startThreadClient, type ThreadClient } from '../worker-thread.ts';
import { prepareImportDocument, type ImportDocument, type PreparedDocument } from './import-prepare.ts';

/**
 * One thread per core besides the calling thread (which prepares documents too), 1 to 3
 * (bench/archive.ts times it; `--threads N` asks for a pool).
 */
export function defaultImportThreads(): number {
  return Math.max(1, Math.min(3, availableParallelism() - 1));
}

/**
 * `coincide archive import`'s pool by default: defaultImportThreads() on a machine of 2 cores or
 * more, none on one core. Since the threads send back the notice's columns instead of the Notice,
 * the pool went 1.28× as fast as one thread on 2 cores at load 8–10 (bench/archive.ts
 * --import-only --import 3000), where it had been 0.74–1.18× at load 3–9: the calling thread
 * prepares whatever runs the threads are too busy for, so a busy machine costs the pool little.
 */
export function defaultPoolThreads(): number {
  return availableParallelism() > 1 ? defaultImportThreads() : 0;
}

export interface ImportPool {
  /** Threads in the pool. */
  readonly size: number;
  /** The prepared documents of `docs`, in order (by the thread with the fewest runs in flight). */
  prepare(docs: readonly ImportDocument[]): Promise<PreparedDocument[]>;
  /** Runs handed to the threads and not yet answered. */
  inFlight(): number;
  /** Resolves once every thread has started (rejects if one failed to). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createImportPool(options: { threads: number; levelsPct: readonly number[] }): ImportPool {
  const size = Math.max(1, Math.floor(options.threads));
  const levelsPct = [...options.levelsPct];
  const threads: Array<ThreadClient<ImportDocument[], PreparedDocument[]>> = Array.from(
    { length: size },
    () =>
      startThreadClient<ImportDocument[], PreparedDocument[]>(
        new URL('./import-worker.ts', import.meta.url),
        {
          workerData: { levelsPct },
          // One plain-JavaScript module per thread (worker-thread.ts): no tsx loader and no
          // TypeScript compiled in each thread, which cost ~0.4 s of CPU per thread at start.
          bundle: true,
          requestFailed: (message, code) => new CoincideError(code ?? 'STORE_WRITE', message),
          threadFailed: (reason, cause) =>
            new CoincideError('STORE_WRITE', `archive import thread: ${reason}`, { cause }),
        },
      ),
  );
  const prepareHere = (docs: readonly ImportDocument[]): PreparedDocument[] =>
    docs.map((doc) => prepareImportDocument(doc, levelsPct));
  /** Runs in flight per thread. */
  const busy = new Array<number>(size).fill(0);
  let total = 0;
  return {
    size,
    inFlight: () => total,
    prepare(docs) {
      let k = 0;
      for (let i = 1; i < size; i++) if ((busy[i] as number) < (busy[k] as number)) k = i;
      const thread = threads[k] as ThreadClient<ImportDocument[], PreparedDocument[]>;
      busy[k] = (busy[k] as number) + 1;
      total++;
      const done = (): void => {
        busy[k] = (busy[k] as number) - 1;
        total--;
      };
      // The bytes in buffers of their own, moved to the thread: a document cut from a tar
      // stream's chunk would otherwise copy the whole chunk. The caller keeps its own bytes.
      const copies = docs.map((doc) => ({ ...doc, bytes: ownCopy(doc.bytes) }));
      const answered = thread.call(
        copies,
        copies.map((d) => d.bytes.buffer),
      );
      answered.then(done, done);
      return answered.catch(() => prepareHere(docs));
    },
    async ready() {
      await Promise.all(threads.map((t) => t.ready()));
    },
    async close() {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

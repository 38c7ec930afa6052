/**
 * Threads that prepare the documents of `coincide archive import` (import-prepare.ts: parse,
 * normalise, derive the index data of their regions), so that this CPU work uses every core
 * while the calling thread writes to SQLite (one writer; import.ts).
 *
 * Runs of documents go to the threads round robin; results come back in input order whatever
 * thread finished first. If a thread fails, its runs are prepared in the calling thread
 * instead: slower, never lost.
 */
import { availableParallelism } from 'node:os';
import { CoincideError } from '../errors.ts';
import { ownCopy, startThreadClient, type ThreadClient } from '../worker-thread.ts';
import { prepareImportDocument, type ImportDocument, type PreparedDocument } from './import-prepare.ts';

/** A pool of one thread per core, at most 4 (bench/archive.ts times it; `--threads N` asks for one). */
export function defaultImportThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export interface ImportPool {
  /** The prepared documents of `docs`, in order. */
  prepare(docs: readonly ImportDocument[]): Promise<PreparedDocument[]>;
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
  let next = 0;
  return {
    prepare(docs) {
      const thread = threads[next++ % size] as ThreadClient<ImportDocument[], PreparedDocument[]>;
      // The bytes in buffers of their own, moved to the thread: a document cut from a tar
      // stream's chunk would otherwise copy the whole chunk. The caller keeps its own bytes.
      const copies = docs.map((doc) => ({ ...doc, bytes: ownCopy(doc.bytes) }));
      return thread
        .call(
          copies,
          copies.map((d) => d.bytes.buffer),
        )
        .catch(() => prepareHere(docs));
    },
    async ready() {
      await Promise.all(threads.map((t) => t.ready()));
    },
    async close() {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

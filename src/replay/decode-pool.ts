/**
 * A pool of threads that read and decode the replay's optical alert files, so that reading
 * and decoding use every core: each thread takes a run of files, reads each whole and decodes it
 * (decode-file.ts), and returns the alerts. The calling thread meanwhile handles the results.
 *
 * Results come back in input order whatever thread finished first (the replay's merge is
 * stable on the input order). Up to RUNS_PER_THREAD runs per thread are out at once: a thread
 * holds paths and decoded alerts, never a file's bytes past its decode, so the queue costs little
 * memory; a short queue (it was 2) left the threads idle whenever the calling thread was
 * descheduled for a few ms (three busy threads on two cores). If a thread fails, its runs are
 * decoded in the calling thread instead: slower, never lost.
 */
import { availableParallelism } from 'node:os';
import { CoincideError } from '../errors.ts';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { startThreadClient, type ThreadClient } from '../worker-thread.ts';
import { AlertFileReader, type DecodedFile } from './decode-file.ts';

export interface DecodePoolOptions {
  /** Threads (default: the cores available, at most 4). */
  threads?: number;
}

/** Files per request by default. */
const FILES_PER_RUN = 32;

/** The default pool size: every core (the calling thread waits while they decode), at most 4. */
export function defaultDecodeThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export type { DecodedFile };

/** Runs in flight per thread (see the module comment). */
const RUNS_PER_THREAD = 8;

export interface DecodePool {
  /**
   * Every file's result, in the order of `paths` (`i` its index there), delivered run by run
   * (`filesPerRun` files per request to a thread, default 32) to `onFile`; `onFile` returning
   * false stops it: no later file is read or delivered (the runs already out are waited for,
   * and dropped).
   */
  decodeFiles(
    paths: readonly string[],
    onFile: (path: string, result: DecodedFile, i: number) => unknown,
    filesPerRun?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

export function createDecodePool(options: DecodePoolOptions = {}): DecodePool {
  const size = Math.max(1, Math.floor(options.threads ?? defaultDecodeThreads()));
  const threads: Array<ThreadClient<string[], DecodedFile[]>> = Array.from({ length: size }, () =>
    startThreadClient<string[], DecodedFile[]>(new URL('./decode-worker.ts', import.meta.url), {
      bundle: true,
      requestFailed: (message, code) => new CoincideError(code ?? 'AVRO_MALFORMED', message),
      threadFailed: (reason, cause) =>
        new CoincideError('AVRO_MALFORMED', `replay decode thread: ${reason}`, { cause }),
    }),
  );
  let localReader: AlertFileReader | undefined;
  const decodeHere = (run: readonly string[]): DecodedFile[] => {
    localReader ??= new AlertFileReader(new OpticalAlertDecoder());
    const reader = localReader;
    return run.map((path) => reader.decode(path));
  };
  const maxInFlight = RUNS_PER_THREAD * size;
  return {
    async decodeFiles(paths, onFile, filesPerRun = FILES_PER_RUN) {
      const perRun = Math.max(1, Math.floor(filesPerRun));
      const runs: string[][] = [];
      for (let i = 0; i < paths.length; i += perRun) runs.push(paths.slice(i, i + perRun));
      const pending: Array<Promise<DecodedFile[]>> = [];
      let next = 0;
      const submit = (): void => {
        const run = runs[next];
        if (!run) return;
        // Round robin: runs are of similar cost, and each thread works through its queue in order.
        const thread = threads[next % size] as ThreadClient<string[], DecodedFile[]>;
        // AlertFileReader.decode never throws: a rejection is the thread's failure.
        pending.push(thread.call(run).catch(() => decodeHere(run)));
        next++;
      };
      while (next < Math.min(runs.length, maxInFlight)) submit();
      try {
        for (const [r, run] of runs.entries()) {
          const results = await (pending.shift() as Promise<DecodedFile[]>);
          submit();
          for (const [i, path] of run.entries()) {
            if ((await onFile(path, results[i] as DecodedFile, r * perRun + i)) === false) return;
          }
        }
      } finally {
        // Stopped early (or onFile threw): the runs still out are settled, not left running.
        await Promise.allSettled(pending);
      }
    },
    async close() {
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}

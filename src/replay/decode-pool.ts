/**
 * A pool of threads that read and decode the replay's optical alert files, so that reading and
 * decoding use every core: the files are cut into runs (32 files by default), each read whole and
 * decoded (decode-file.ts) by whichever thread claims it first, and the calling thread receives
 * every run's results in input order (the replay's merge is stable on the input order).
 *
 * Runs are claimed, not assigned (issue 14: replay is CPU-bound on two cores, and any core left
 * idle is lost). Each run has a slot in a SharedArrayBuffer; a thread claims the next unclaimed
 * run with a compare-and-swap, decodes it, and posts the results (packed, packed-files.ts). The
 * calling thread takes part too: when the run it needs next has not arrived, it claims and decodes
 * the next unclaimed run itself rather than wait, so it decodes exactly when it would otherwise be
 * idle (while the threads start, or when they fall behind), and the threads decode while it is
 * busy with notices, merging and joining. Threads claim only within RUNS_AHEAD runs of what the
 * calling thread has taken, so that decoded results never pile up (they hold alerts without
 * cutouts: little memory). A thread that fails (it throws, runs out of memory, or is terminated)
 * leaves its claimed runs to the calling thread, which decodes them: slower, never lost, and the
 * same results. Its failure is reported (onThreadFailure), not swallowed.
 */
import type { Worker } from 'node:worker_threads';
import { describeError } from '../errors.ts';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { AlertFileReader, type DecodedFile } from './decode-file.ts';
import { defaultDecodeThreads, startDecodeThread } from './early-threads.ts';
import {
  CALLER,
  claimRun,
  type DecodeJob,
  type DecodeMessage,
  EARLY_JOB,
  jobState,
  LIMIT,
  OWNERS,
  RUNS_AHEAD,
  type StartedJob,
  STOP,
} from './decode-job.ts';
import { type PackedFiles, unpackFiles } from './packed-files.ts';

export interface DecodePoolOptions {
  /** Threads beside the calling thread (default: defaultDecodeThreads()). */
  threads?: number;
  /**
   * Default true. False: the calling thread decodes only the runs of threads that failed, and
   * otherwise waits (a caller with work of its own; tests of the threads' side).
   */
  callerDecodes?: boolean;
  /**
   * Starts thread `id` (1…threads) on the decode thread module (default startDecodeThread): the
   * replay command hands over threads started early (early-threads.ts), a test a thread that fails.
   */
  startThread?: (id: number) => Worker;
  /**
   * A thread failed (threw, or exited while the pool was open): its id and why. Its runs are
   * decoded by the calling thread; the pool goes on with the others.
   */
  onThreadFailure?: (id: number, message: string) => void;
  /**
   * A job already posted to the threads (early-threads.ts: before the replay's modules loaded),
   * taken over by the decodeFiles call with the same paths array and run length; stopped if the
   * first call is another.
   */
  startedJob?: StartedJob;
}

export { defaultDecodeThreads, startDecodeThread };

/** Files per run by default. */
const FILES_PER_RUN = 32;

export type { DecodedFile };

export interface DecodePool {
  /**
   * Every file's result, in the order of `paths` (`i` its index there), delivered run by run
   * (`filesPerRun` files per run, default 32) to `onFile`; `onFile` returning false stops it: no
   * later file is read or delivered (runs being decoded are dropped). One call at a time.
   */
  decodeFiles(
    paths: readonly string[],
    onFile: (path: string, result: DecodedFile, i: number) => unknown,
    filesPerRun?: number,
  ): Promise<void>;
  /**
   * Runs decoded so far by the calling thread and by the threads; of the latter, those posted
   * for a started job before its decodeFiles call (startedJob).
   */
  readonly stats: { runsHere: number; runsByThreads: number; runsBeforeCall: number };
  close(): Promise<void>;
}

interface Thread {
  id: number;
  worker: Worker;
  dead: boolean;
}

export function createDecodePool(options: DecodePoolOptions = {}): DecodePool {
  const size = Math.max(0, Math.floor(options.threads ?? defaultDecodeThreads()));
  const callerDecodes = options.callerDecodes !== false || size === 0;
  const stats = { runsHere: 0, runsByThreads: 0, runsBeforeCall: 0 };
  let started = options.startedJob;
  /** Until decodeFiles runs: the started job's results are kept for it. */
  let onMessage: (message: DecodeMessage) => void = (message) => {
    if (started && message.job === EARLY_JOB) started.messages.push(message);
  };
  /** Wakes the calling thread's wait (a message arrived, or a thread died). */
  let wake: () => void = () => undefined;
  let closed = false;
  const startThread = options.startThread ?? startDecodeThread;
  const threads: Thread[] = Array.from({ length: size }, (_, i) => {
    const worker = startThread(i + 1);
    worker.unref();
    const thread: Thread = { id: i + 1, worker, dead: false };
    worker.on('message', (message: DecodeMessage) => {
      onMessage(message);
    });
    let error: unknown;
    const die = (): void => {
      if (!thread.dead && !closed)
        options.onThreadFailure?.(
          thread.id,
          error === undefined ? 'the thread exited' : `the thread failed: ${describeError(error)}`,
        );
      thread.dead = true;
      wake();
    };
    // 'error' (an uncaught exception, out of memory) is followed by 'exit'.
    worker.on('error', (cause) => {
      error = cause;
      die();
    });
    worker.on('exit', die);
    return thread;
  });
  let localReader: AlertFileReader | undefined;
  const decodeHere = (run: readonly string[]): DecodedFile[] => {
    stats.runsHere++;
    localReader ??= new AlertFileReader(new OpticalAlertDecoder());
    const reader = localReader;
    return run.map((path) => reader.decode(path));
  };
  let nextJob = 1;
  /** The running job's shared state, to stop it on close. */
  let running: Int32Array | undefined;
  const stop = (state: Int32Array): void => {
    Atomics.store(state, STOP, 1);
    Atomics.add(state, LIMIT, 1);
    Atomics.notify(state, LIMIT);
  };

  return {
    stats,
    async decodeFiles(paths, onFile, filesPerRun = FILES_PER_RUN) {
      if (closed) throw new Error('decode pool closed');
      if (running) throw new Error('decode pool: one decodeFiles at a time');
      const perRun = Math.max(1, Math.floor(filesPerRun));
      const runs = Math.ceil(paths.length / perRun);
      if (runs === 0) return;
      // The job posted early, if it is this one: its claims and results so far are kept.
      const adopted =
        started?.job.paths === paths &&
        started.job.filesPerRun === perRun &&
        started.holders.every((worker) => threads.some((t) => t.worker === worker && !t.dead))
          ? started
          : undefined;
      if (started && !adopted) stop(new Int32Array(started.job.state));
      started = undefined;
      const job = adopted ? EARLY_JOB : nextJob++;
      const state = adopted ? new Int32Array(adopted.job.state) : jobState(runs);
      running = state;
      const results = new Map<number, PackedFiles | DecodedFile[]>();
      for (const message of adopted?.messages ?? []) {
        stats.runsByThreads++;
        stats.runsBeforeCall++;
        results.set(message.run, message.packed);
      }
      /** Runs below this one are delivered. */
      let delivered = 0;
      onMessage = (message) => {
        // A run already decoded here and delivered (its thread was taken for dead meanwhile).
        if (message.job !== job || message.run < delivered) return;
        stats.runsByThreads++;
        results.set(message.run, message.packed);
        wake();
      };
      const live = threads.filter((t) => !t.dead);
      for (const t of live) {
        t.worker.ref();
        // The started job's threads have every file of it already (early-threads.ts).
        if (adopted?.holders.includes(t.worker)) continue;
        t.worker.postMessage({
          job,
          state: state.buffer,
          paths,
          filesPerRun: perRun,
          listed: true,
        } satisfies DecodeJob);
      }
      const runPaths = (r: number): string[] => paths.slice(r * perRun, (r + 1) * perRun);
      /** The next unclaimed run the calling thread may decode while it waits for run `r`. */
      let helpFrom = 0;
      try {
        for (let r = 0; r < runs; r++) {
          for (;;) {
            if (results.has(r)) break;
            const owner = Atomics.load(state, OWNERS + r);
            // Unclaimed, or claimed by a thread that died: decoded here.
            const ownerDead = owner > 0 && threads[owner - 1]?.dead === true;
            if ((owner === 0 && (callerDecodes || live.every((t) => t.dead))) || ownerDead) {
              if (Atomics.compareExchange(state, OWNERS + r, owner, CALLER) === owner)
                results.set(r, decodeHere(runPaths(r)));
              continue;
            }
            if (owner === CALLER) throw new Error(`decode pool: run ${r} claimed here and lost`);
            // With a live thread: decode a later run meanwhile, else wait for a message.
            helpFrom = Math.max(helpFrom, r + 1);
            const later = callerDecodes ? claimRun(state, runs, helpFrom, CALLER) : -1;
            if (later >= 0) {
              results.set(later, decodeHere(runPaths(later)));
              helpFrom = later + 1;
              // Lets the threads' messages in (they are delivered between event-loop turns).
              await new Promise<void>((resolve) => setImmediate(resolve));
              continue;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = () => undefined;
          }
          const got = results.get(r) as PackedFiles | DecodedFile[];
          results.delete(r);
          delivered = r + 1;
          // Threads may now claim one run further.
          Atomics.store(state, LIMIT, r + 1 + RUNS_AHEAD);
          Atomics.notify(state, LIMIT);
          const files = Array.isArray(got) ? got : unpackFiles(got);
          const start = r * perRun;
          for (const [i, result] of files.entries()) {
            if ((await onFile(paths[start + i] as string, result, start + i)) === false) return;
          }
        }
      } finally {
        // Done, stopped early, or onFile threw: the threads claim nothing more of this job.
        stop(state);
        running = undefined;
        onMessage = () => undefined;
        for (const t of live) t.worker.unref();
      }
    },
    async close() {
      closed = true;
      if (running) stop(running);
      // Neither an unref'd nor a terminating Worker keeps the event loop alive meanwhile: a
      // process with nothing else to do would exit 13 (an unsettled top-level await).
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        await Promise.all(threads.map((t) => t.worker.terminate()));
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}

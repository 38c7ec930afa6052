/**
 * The replay's decode threads, started before the replay's modules load (issue 14: a replay is a
 * short-lived process). A decode thread's start (a Node isolate, its bundle, avsc) takes
 * ~0.1–0.2 s of a core that otherwise stays idle until the main thread has loaded its modules,
 * parsed its options and listed its inputs (~0.4 s on a 50,000-file night). The entry of the
 * `replay` command's bundle (bin/cli-bundle.js) calls startEarlyDecodeThreads with the command
 * line before it loads the command; the command (cli/replay.ts) hands them to the decode pool
 * (takeEarlyDecodeThread; the pool starts any other it needs itself) and stops those not taken at
 * the end (closeEarlyDecodeThreads). Without the bundle (through tsx), none start early.
 *
 * This module runs before the command's modules load: it imports nothing heavy (worker-thread.ts
 * starts the thread from the thread bundle cache).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../worker-thread.ts';

/** Starts decode thread `id` on the bundled decode-worker.ts (see startTsWorker). */
export function startDecodeThread(id: number): Worker {
  return startTsWorker(new URL('./decode-worker.ts', import.meta.url), { workerData: { id } }, true);
}

/**
 * The default number of decode threads beside the calling thread, which decodes too: one per
 * core besides its own, at least one, at most 3.
 */
export function defaultDecodeThreads(): number {
  return Math.max(1, Math.min(3, availableParallelism() - 1));
}

/**
 * The decode threads a `replay` command line will use, when its arguments say so without its
 * parser: undefined for another command, for help, with --threads 0 or not an integer 1…64, and
 * for time slides (which decode otherwise). A command line misread here costs at most threads
 * started for nothing (stopped at the end); the command's own parser still decides everything.
 */
export function earlyThreadCount(argv: readonly string[]): number | undefined {
  if (argv.find((arg) => !arg.startsWith('-')) !== 'replay') return undefined;
  let threads: number | undefined;
  for (const [i, arg] of argv.entries()) {
    if (arg === '--help' || arg === '--version' || /^--time-?[sS]lides\b/.test(arg)) return undefined;
    if (arg === '--threads') threads = Number(argv[i + 1]);
    else if (arg.startsWith('--threads=')) threads = Number(arg.slice('--threads='.length));
  }
  if (threads === undefined) return defaultDecodeThreads();
  return Number.isInteger(threads) && threads >= 1 && threads <= 64 ? threads : undefined;
}

interface EarlyThread {
  worker: Worker;
  /** It failed or exited before it was taken: not handed over (the pool starts another). */
  ended: boolean;
}

/** This process's early threads, by id, until taken. */
const early = new Map<number, EarlyThread>();

/** Starts the decode threads of a `replay` command line now (see the top); none for any other. */
export function startEarlyDecodeThreads(argv: readonly string[]): void {
  const count = earlyThreadCount(argv) ?? 0;
  for (let id = 1; id <= count; id++) {
    if (early.has(id)) continue;
    let worker: Worker;
    try {
      worker = startDecodeThread(id);
    } catch {
      return; // the pool starts them (and reports what fails)
    }
    worker.unref();
    const thread: EarlyThread = { worker, ended: false };
    const end = (): void => {
      thread.ended = true;
    };
    // Until taken, a failure is only noted (an 'error' without a listener would end the process).
    worker.on('error', end);
    worker.on('exit', end);
    early.set(id, thread);
  }
}

/** Decode thread `id` if it was started early and is still running (once: it is then the caller's). */
export function takeEarlyDecodeThread(id: number): Worker | undefined {
  const thread = early.get(id);
  early.delete(id);
  if (!thread || thread.ended) {
    void thread?.worker.terminate();
    return undefined;
  }
  thread.worker.removeAllListeners('error');
  thread.worker.removeAllListeners('exit');
  return thread.worker;
}

/** Stops the early threads not taken (e.g. a replay with too few files for threads). */
export async function closeEarlyDecodeThreads(): Promise<void> {
  const left = [...early.values()];
  early.clear();
  await Promise.all(left.map((thread) => thread.worker.terminate()));
}

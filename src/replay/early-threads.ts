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
 * The command also lists its inputs and posts the threads their job (startEarlyReplayJob) before
 * it loads the engine's modules (~0.15 s: the notice parsers, the decoder, the join), so that the
 * threads read and decode while those load; the decode pool takes the job over, with the results
 * posted meanwhile (decode-pool.ts startedJob).
 *
 * This module runs before the command's modules load: it imports nothing heavy (worker-thread.ts
 * starts the thread from the thread bundle cache).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../worker-thread.ts';
import {
  type DecodeJob,
  type DecodeMessage,
  EARLY_JOB,
  jobState,
  LIMIT,
  MAX_STREAMED_RUNS,
  type MoreFiles,
  type StartedJob,
  STOP,
} from './decode-job.ts';
import type { OnListed } from './inputs.ts';
import {
  filesPerRun,
  isStreamed,
  planStream,
  POOL_MIN_FILES,
  type StreamPlan,
  worthThreads,
} from './stream-plan.ts';

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
/** Results of the early job posted by each early thread before it is taken (the pool's afterwards). */
const keepResults = new Map<Worker, (message: DecodeMessage) => void>();
/** The job posted early, until the threads close. */
let earlyJob: StartedJob | undefined;

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
  const keep = keepResults.get(thread.worker);
  if (keep) thread.worker.off('message', keep);
  keepResults.delete(thread.worker);
  return thread.worker;
}

/**
 * Lists `inputs` and posts the early threads their job, the alert files' runs as replay.ts would
 * cut them (stream-plan.ts); undefined when no thread was started early, the inputs cannot be
 * listed (the replay lists them again and reports why), or they are too few for threads. The
 * replay takes it over (ReplayOptions.started) if its paths are these.
 *
 * The job is posted as soon as enough alert files are listed, and each folder's files are posted
 * as it is listed (decode-job.ts MoreFiles), so that the threads decode while the rest is listed
 * (~0.1 s on a 50,000-file night, during which they waited before).
 */
export function startEarlyReplayJob(
  inputs: readonly string[],
): { plan: StreamPlan; job: StartedJob } | undefined {
  const threads = [...early.values()].filter((thread) => !thread.ended);
  if (threads.length === 0 || earlyJob) return undefined;
  /** The alert files listed so far (a prefix of plan.streamed), of which `posted` are posted. */
  const streamed: string[] = [];
  let scanned = 0;
  let posted = 0;
  let started: StartedJob | undefined;
  const post = (message: DecodeJob | MoreFiles): void => {
    for (const { worker } of threads) worker.postMessage(message);
  };
  const begin = (paths: readonly string[], listed: boolean): StartedJob => {
    const perRun = filesPerRun(paths);
    const runs = listed ? Math.ceil(paths.length / perRun) : MAX_STREAMED_RUNS;
    const job: DecodeJob = {
      job: EARLY_JOB,
      state: jobState(runs).buffer,
      paths,
      filesPerRun: perRun,
      listed,
    };
    const begun: StartedJob = { job, holders: threads.map((thread) => thread.worker), messages: [] };
    for (const { worker } of threads) {
      const keep = (message: DecodeMessage): void => {
        if (message.job === EARLY_JOB) begun.messages.push(message);
      };
      worker.on('message', keep);
      keepResults.set(worker, keep);
    }
    post(job);
    posted = paths.length;
    earlyJob = begun;
    return begun;
  };
  const onListed: OnListed = (_files, listed) => {
    for (; scanned < listed.length; scanned++) {
      const path = listed[scanned] as string;
      if (isStreamed(path)) streamed.push(path);
    }
    // Enough for threads (worthThreads): posted while the rest is listed.
    if (!started && streamed.length >= POOL_MIN_FILES) started = begin(streamed.slice(), false);
    else if (started && streamed.length > posted) {
      post({ job: EARLY_JOB, more: streamed.slice(posted), listed: false } satisfies MoreFiles);
      posted = streamed.length;
    }
  };
  let plan: StreamPlan;
  try {
    plan = planStream(inputs, onListed);
  } catch {
    if (started) stopJob(started);
    return undefined;
  }
  if (!started) {
    if (plan.streamed.length === 0 || !worthThreads(plan.streamed)) return undefined;
    return { plan, job: begin(plan.streamed, true) };
  }
  // Its state has room for MAX_STREAMED_RUNS runs: a longer night is not taken over (listed again).
  if (Math.ceil(plan.streamed.length / started.job.filesPerRun) > MAX_STREAMED_RUNS) {
    stopJob(started);
    return undefined;
  }
  post({ job: EARLY_JOB, more: plan.streamed.slice(posted), listed: true } satisfies MoreFiles);
  // The pool takes the job over for this array (decode-pool.ts compares it).
  started.job.paths = plan.streamed;
  started.job.listed = true;
  return { plan, job: started };
}

/** Threads claim nothing more of the job (a thread serving it stops after its current run). */
function stopJob(job: StartedJob): void {
  const state = new Int32Array(job.job.state);
  Atomics.store(state, STOP, 1);
  Atomics.notify(state, LIMIT);
}

/** Stops the early job and the early threads not taken (e.g. a replay with too few files for threads). */
export async function closeEarlyDecodeThreads(): Promise<void> {
  if (earlyJob) stopJob(earlyJob);
  earlyJob = undefined;
  const left = [...early.values()];
  early.clear();
  keepResults.clear();
  await Promise.all(left.map((thread) => thread.worker.terminate()));
}

/**
 * A job of the replay's decode pool (decode-pool.ts): its runs, the shared state by which threads
 * claim them, and the threads' loop. Kept apart from the pool, which starts the threads, so that
 * a thread's bundle holds only what it runs.
 */
import type { Worker } from 'node:worker_threads';
import type { PackedFiles } from './packed-files.ts';

/** Layout of a job's shared state (Int32Array): claims below LIMIT only; STOP set: claim nothing more. */
export const LIMIT = 0;
export const STOP = 1;
/** Then one slot per run: 0 unclaimed, else the claimant's id. */
export const OWNERS = 2;
/** The calling thread's id in the owner slots (threads are 1…n). */
export const CALLER = -1;

/** A job for the threads (decode-worker.ts). */
export interface DecodeJob {
  job: number;
  state: SharedArrayBuffer;
  /** The files: all of them once `listed`; until then, those listed so far (more come as MoreFiles). */
  paths: readonly string[];
  filesPerRun: number;
  /**
   * False while the files are still being listed (early-threads.ts posts each folder's as it is
   * listed, so that the threads decode while the rest is listed): until then only whole runs are
   * claimed, and the state has room for at most MAX_STREAMED_RUNS runs.
   */
  listed: boolean;
}

/** More files of a job still being listed (DecodeJob.listed false), in order; `listed`: the last. */
export interface MoreFiles {
  job: number;
  more: readonly string[];
  listed: boolean;
}

/** Runs a job posted while its files are listed can hold (its state's size: 256 KiB). */
export const MAX_STREAMED_RUNS = 65_536;

/** A thread's message: the results of a run of a job. */
export interface DecodeMessage {
  job: number;
  run: number;
  packed: PackedFiles;
}

/** Runs past the one the calling thread waits for that threads may claim (decode-pool.ts). */
export const RUNS_AHEAD = 256;

/** The id of a job posted before the pool was made (early-threads.ts); the pool's own start at 1. */
export const EARLY_JOB = 0;

/**
 * A job posted to the threads before the pool was made (early-threads.ts), which the pool adopts
 * for the decodeFiles call with the same paths (the same array) and run length.
 */
export interface StartedJob {
  job: DecodeJob;
  /**
   * The threads it was posted to. The pool takes it over only if each of them is one of its own
   * and alive: a run claimed by a thread it does not watch would be waited for forever.
   */
  holders: readonly Worker[];
  /** The job's results posted so far, in arrival order (the pool adds those it receives first). */
  messages: DecodeMessage[];
}

/** A job's shared state, with threads allowed RUNS_AHEAD runs ahead. */
export function jobState(runs: number): Int32Array<SharedArrayBuffer> {
  const state = new Int32Array(new SharedArrayBuffer(4 * (OWNERS + runs)));
  Atomics.store(state, LIMIT, RUNS_AHEAD);
  return state;
}

/** Claims the first unclaimed run from `from` within the limit for `id`; -1 if none. */
export function claimRun(owners: Int32Array, runs: number, from: number, id: number): number {
  for (let r = from; r < runs; r++) {
    if (Atomics.load(owners, OWNERS + r) !== 0) continue;
    if (r >= Atomics.load(owners, LIMIT)) return -1;
    if (Atomics.compareExchange(owners, OWNERS + r, 0, id) === 0) return r;
  }
  return -1;
}

/**
 * A thread's job with the files received so far: a DecodeJob, then the MoreFiles of the same job
 * appended (another job's are ignored). Undefined: no job (yet).
 */
export function receiveJob(
  current: DecodeJob | undefined,
  message: DecodeJob | MoreFiles,
): DecodeJob | undefined {
  // Its own copy of the files, to append to (a posted message is one already).
  if ('state' in message) return message.listed ? message : { ...message, paths: [...message.paths] };
  if (current?.job !== message.job || current.listed) return current;
  const paths = current.paths as string[];
  for (const path of message.more) paths.push(path);
  current.listed = message.listed;
  return current;
}

/**
 * The threads' loop over a job: claims runs (waiting while the limit holds them back) and posts
 * each run's results, until every run is claimed or the job stops. A job still being listed:
 * until every whole run of the files received so far is claimed (the thread serves it again when
 * more come).
 */
export function serveJob(
  job: DecodeJob,
  id: number,
  decodeRun: (paths: readonly string[]) => PackedFiles,
  post: (message: DecodeMessage) => void,
): void {
  const state = new Int32Array(job.state);
  const runs = job.listed
    ? Math.ceil(job.paths.length / job.filesPerRun)
    : Math.min(MAX_STREAMED_RUNS, Math.floor(job.paths.length / job.filesPerRun));
  let from = 0;
  while (Atomics.load(state, STOP) === 0) {
    // The first unclaimed run (every earlier one is claimed: claims only move forward).
    while (from < runs && Atomics.load(state, OWNERS + from) !== 0) from++;
    if (from >= runs) break;
    const limit = Atomics.load(state, LIMIT);
    if (from >= limit) {
      // Held back: wait for the calling thread to take results (or stop the job).
      Atomics.wait(state, LIMIT, limit);
      continue;
    }
    if (Atomics.compareExchange(state, OWNERS + from, 0, id) !== 0) continue;
    const start = from * job.filesPerRun;
    post({ job: job.job, run: from, packed: decodeRun(job.paths.slice(start, start + job.filesPerRun)) });
  }
}

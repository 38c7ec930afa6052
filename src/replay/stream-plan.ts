/**
 * What a streamed replay (replay.ts streamReplay) gives its decode threads: the inputs listed,
 * the optical alert files among them, and how many files make a run. Kept apart from replay.ts
 * (and light: no decoder, no engine) so that the replay command can list its inputs and start
 * the threads' job before it loads the engine's modules (early-threads.ts).
 */
import { statSync } from 'node:fs';
import { expandInputPaths, type OnListed } from './inputs.ts';

/** Plain files of at least this many (or this many bytes) are decoded by the thread pool. */
export const POOL_MIN_FILES = 256;
const POOL_MIN_BYTES = 16 * 2 ** 20;
/** Bytes of optical alert files per run of the decode threads. */
const STREAM_RUN_BYTES = 4 * 2 ** 20;

/** True when a run of plain files is worth starting decode threads for (their start-up costs ~0.1–1 s). */
export function worthThreads(paths: readonly string[]): boolean {
  if (paths.length >= POOL_MIN_FILES) return true;
  let bytes = 0;
  for (const path of paths) {
    try {
      bytes += statSync(path).size;
    } catch {
      // Unreadable: reported when it is read.
    }
    if (bytes >= POOL_MIN_BYTES) return true;
  }
  return false;
}

/** Files per run: about STREAM_RUN_BYTES, from the sizes of the first files. */
export function filesPerRun(paths: readonly string[]): number {
  let bytes = 0;
  let counted = 0;
  for (const path of paths.slice(0, 16)) {
    try {
      bytes += statSync(path).size;
      counted++;
    } catch {
      // Unreadable: reported when it is read.
    }
  }
  const average = counted > 0 ? bytes / counted : STREAM_RUN_BYTES;
  return Math.max(1, Math.min(32, Math.round(STREAM_RUN_BYTES / Math.max(1, average))));
}

/** An optical alert file, which the decode threads read (everything else: the main thread). */
export function isStreamed(path: string): boolean {
  // Lower case first (nearly every file): no new strings for each of a night's paths.
  return path.endsWith('.avro') || path.slice(-5).toLowerCase() === '.avro';
}

export interface StreamPlan {
  /** The replay's paths, as given. */
  inputs: readonly string[];
  /** Every file under them (expandInputPaths). */
  paths: readonly string[];
  /** The index in `paths` of each optical alert file. */
  streamedIndex: readonly number[];
  /** Those files, in input order: the decode threads' job. */
  streamed: readonly string[];
}

/** Lists `inputs` (throws NOT_FOUND as expandInputPaths does); `onListed` sees each folder's files. */
export function planStream(inputs: readonly string[], onListed?: OnListed): StreamPlan {
  const paths = expandInputPaths(inputs, onListed);
  const streamedIndex: number[] = [];
  for (const [index, path] of paths.entries()) if (isStreamed(path)) streamedIndex.push(index);
  return {
    inputs: [...inputs],
    paths,
    streamedIndex,
    streamed: streamedIndex.map((index) => paths[index] as string),
  };
}

/** True when `plan` lists exactly these inputs. */
export function planFor(plan: StreamPlan, inputs: readonly string[]): boolean {
  return plan.inputs.length === inputs.length && plan.inputs.every((path, i) => path === inputs[i]);
}

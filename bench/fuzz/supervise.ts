/**
 * Runs targets' cases in a worker thread under a watchdog, so that a case that hangs or
 * allocates without bound becomes a finding instead of a stuck or killed run:
 *  - the thread publishes the target and case it is on and when the case started (worker.ts);
 *    a case running longer than `watchdogMs` gets the thread terminated;
 *  - the thread's V8 heap is capped (resourceLimits) and the process RSS is polled: past
 *    `maxRssBytes` the thread is terminated;
 * then the case is regenerated here from (seed, case number) to print it, and the run resumes
 * at the next case in a fresh thread (at most `maxRestarts` times). Several targets share one
 * thread (the thread's start-up, loading TypeScript, is most of a short run).
 */
import { performance } from 'node:perf_hooks';
import { startTsWorker } from '../../src/worker-thread.ts';
import { BATCH, emptyFuzzStats, sampleBatch, type Finding, type FuzzStats } from './engine.ts';
import { findTarget } from './targets/index.ts';

export interface WorkerJob {
  targets: string[];
  cases: number;
  /** First case of the first target (a resumed run). */
  firstCase: number;
  seed: number;
  sharedSeeds: boolean;
  slowCaseMs?: number;
  /** 16 bytes: Int32 target position at 0, Int32 case index at 4, Float64 start time (epoch ms) at 8. */
  progress: SharedArrayBuffer;
}

export type WorkerReply =
  | { kind: 'target'; target: string; stats: FuzzStats; seedCounts: Record<string, number> }
  /** The stats so far of the target the thread is on (after each batch of cases). */
  | { kind: 'partial'; target: string; stats: FuzzStats }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

export interface SuperviseOptions {
  cases: number;
  seed: number;
  sharedSeeds: boolean;
  slowCaseMs?: number;
  /** A case running longer than this is a hang (default 10 s: a gross hang, not a slow case). */
  watchdogMs?: number;
  /** The fuzz thread's V8 old-generation cap, MB (default 512). */
  maxHeapMb?: number;
  /** Process RSS beyond which the thread is stopped (default 1.5 GB). */
  maxRssBytes?: number;
  /** Fresh threads after a hang or a blow-up, per call (default 3). */
  maxRestarts?: number;
  /** Called as each target finishes. */
  onTarget?: (name: string, stats: SupervisedStats) => void;
}

export interface SupervisedStats extends FuzzStats {
  seedCounts: Record<string, number>;
  restarts: number;
  /** Largest process RSS seen while the thread ran, bytes. */
  maxRssBytes: number;
}

function emptyStats(): SupervisedStats {
  return { ...emptyFuzzStats(), seedCounts: {}, restarts: 0, maxRssBytes: 0 };
}

function merge(into: SupervisedStats, part: FuzzStats): void {
  into.cases += part.cases;
  into.accepted += part.accepted;
  for (const [code, n] of Object.entries(part.refusals)) into.refusals[code] = (into.refusals[code] ?? 0) + n;
  into.findings.push(...part.findings);
  into.findingsDropped += part.findingsDropped;
  if (part.maxCaseMs > into.maxCaseMs) {
    into.maxCaseMs = part.maxCaseMs;
    into.maxCaseIndex = part.maxCaseIndex;
  }
  into.totalMs += part.totalMs;
  into.maxHeapBytes = Math.max(into.maxHeapBytes, part.maxHeapBytes);
  if (into.heapAfterGcStartBytes === 0) into.heapAfterGcStartBytes = part.heapAfterGcStartBytes;
  into.heapAfterGcEndBytes = part.heapAfterGcEndBytes;
}

/** The printable input of one case, regenerated in this thread. */
async function regenerate(target: string, options: SuperviseOptions, caseIndex: number): Promise<string> {
  const instance = await findTarget(target).setup({ sharedSeeds: options.sharedSeeds });
  try {
    const batch = Math.floor(caseIndex / BATCH);
    const input = sampleBatch(instance, options.seed, batch)[caseIndex - batch * BATCH];
    return input === undefined ? '(not regenerated)' : instance.show(input).slice(0, 4000);
  } finally {
    await instance.close?.();
  }
}

interface Killed {
  target: string;
  caseIndex: number;
  kind: Finding['kind'];
  message: string;
}

/** Runs one thread over `targets` (from `firstCase` of the first); returns what stopped it, if anything. */
function runThread(
  targets: string[],
  firstCase: number,
  options: SuperviseOptions,
  results: Map<string, SupervisedStats>,
): Promise<Killed | undefined> {
  const watchdogMs = options.watchdogMs ?? 10_000;
  const maxRss = options.maxRssBytes ?? 1.5 * 1024 ** 3;
  const progress = new SharedArrayBuffer(16);
  const position = new Int32Array(progress, 0, 2);
  const caseStartMs = new Float64Array(progress, 8, 1);
  position[1] = -1;
  const job: WorkerJob = {
    targets,
    cases: options.cases,
    firstCase,
    seed: options.seed,
    sharedSeeds: options.sharedSeeds,
    ...(options.slowCaseMs === undefined ? {} : { slowCaseMs: options.slowCaseMs }),
    progress,
  };
  const worker = startTsWorker(new URL('./worker.ts', import.meta.url), {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 },
  });
  const statsOf = (name: string): SupervisedStats => {
    let stats = results.get(name);
    if (!stats) results.set(name, (stats = emptyStats()));
    return stats;
  };
  /** The latest partial stats of the target in progress: merged if the thread is killed. */
  let partial: { target: string; stats: FuzzStats } | undefined;
  return new Promise<Killed | undefined>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, killed?: Killed): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void worker.terminate().then(() => {
        if (error) reject(error);
        else resolve(killed);
      });
    };
    const kill = (kind: Finding['kind'], message: string): void => {
      const target = targets[Atomics.load(position, 0)] ?? targets[0] ?? '?';
      // The cases this thread ran of the target before its last batch end count.
      if (partial?.target === target) merge(statsOf(target), partial.stats);
      partial = undefined;
      finish(undefined, { target, caseIndex: Atomics.load(position, 1), kind, message });
    };
    const timer = setInterval(() => {
      const rss = process.memoryUsage.rss();
      const current = targets[Atomics.load(position, 0)];
      if (current !== undefined) statsOf(current).maxRssBytes = Math.max(statsOf(current).maxRssBytes, rss);
      if (rss > maxRss) kill('memory', `process RSS ${(rss / 2 ** 20).toFixed(0)} MB beyond the limit`);
      const runningMs = performance.timeOrigin + performance.now() - (caseStartMs[0] ?? 0);
      if (Atomics.load(position, 1) >= 0 && runningMs > watchdogMs) {
        kill('hang', `case still running after ${runningMs.toFixed(0)} ms`);
      }
    }, 100);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'partial') partial = { target: reply.target, stats: reply.stats };
      else if (reply.kind === 'target') {
        partial = undefined;
        const stats = statsOf(reply.target);
        merge(stats, reply.stats);
        stats.seedCounts = reply.seedCounts;
        options.onTarget?.(reply.target, stats);
      } else if (reply.kind === 'done') finish(undefined);
      else finish(new Error(`fuzz thread failed: ${reply.message}`));
    });
    worker.on('error', (error) => {
      const code = (error as { code?: string }).code;
      kill(code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', `fuzz thread died: ${error.message}`);
    });
    worker.on('exit', (code) => {
      finish(new Error(`fuzz thread exited with code ${code} before reporting`));
    });
  });
}

/** Every target's cases, in one thread (restarted after a hang or blow-up); stats by target. */
export async function superviseFuzzTargets(
  targets: readonly string[],
  options: SuperviseOptions,
): Promise<Map<string, SupervisedStats>> {
  const results = new Map<string, SupervisedStats>();
  let remaining = [...targets];
  let firstCase = 0;
  let restarts = 0;
  while (remaining.length > 0) {
    const killed = await runThread(remaining, firstCase, options, results);
    if (killed === undefined) break;
    const stats = results.get(killed.target) ?? emptyStats();
    results.set(killed.target, stats);
    // The cases that thread ran of this target up to its last batch end are in the counts (its
    // last partial stats); those after it, up to the killed one, are not.
    stats.findings.push({
      caseIndex: killed.caseIndex,
      kind: killed.kind,
      message: killed.message,
      input:
        killed.caseIndex < 0 ? '(during set-up)' : await regenerate(killed.target, options, killed.caseIndex),
    });
    stats.restarts += 1;
    restarts += 1;
    remaining = remaining.slice(remaining.indexOf(killed.target));
    firstCase = killed.caseIndex + 1;
    if (killed.caseIndex < 0 || firstCase >= options.cases) {
      remaining = remaining.slice(1);
      firstCase = 0;
    }
    if (restarts > (options.maxRestarts ?? 3)) break;
  }
  return results;
}

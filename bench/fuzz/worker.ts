/**
 * The fuzz thread: runs the cases of one or more targets in turn (engine.ts) and publishes, in
 * shared memory, which target and case it is on and when that case started, so that the
 * supervisor (supervise.ts) can stop it when one case hangs. Posts { kind: 'target', ... } after
 * each target, then { kind: 'done' } (or { kind: 'failed' }).
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { runEngine } from './engine.ts';
import { findTarget } from './targets/index.ts';
import type { WorkerJob, WorkerReply } from './supervise.ts';

const job = workerData as WorkerJob;
const progress = new Int32Array(job.progress, 0, 2);
const caseStartMs = new Float64Array(job.progress, 8, 1);

function post(reply: WorkerReply): void {
  parentPort?.postMessage(reply);
}

async function main(): Promise<void> {
  for (const [position, name] of job.targets.entries()) {
    const instance = await findTarget(name).setup({ sharedSeeds: job.sharedSeeds });
    try {
      const stats = await runEngine(instance, {
        cases: job.cases,
        firstCase: position === 0 ? job.firstCase : 0,
        seed: job.seed,
        ...(job.slowCaseMs === undefined ? {} : { slowCaseMs: job.slowCaseMs }),
        onBatchEnd: (partial) => {
          post({ kind: 'partial', target: name, stats: partial });
        },
        onCaseStart: (index) => {
          caseStartMs[0] = performance.timeOrigin + performance.now();
          Atomics.store(progress, 0, position);
          Atomics.store(progress, 1, index);
        },
      });
      Atomics.store(progress, 1, -1);
      post({ kind: 'target', target: name, stats, seedCounts: instance.seedCounts });
    } finally {
      await instance.close?.();
    }
  }
  post({ kind: 'done' });
}

main().catch((error: unknown) => {
  post({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});

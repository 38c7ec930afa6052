/**
 * Starting a worker thread that runs one of this project's TypeScript modules.
 *
 * The thread's entry is given as code (eval) that registers tsx in that thread before importing
 * the module: under `npx tsx` and under bin/coincide.js (which registers tsx through its API, so
 * process.execArgv carries no loader for a Worker to inherit) alike, with no build step.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTsWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

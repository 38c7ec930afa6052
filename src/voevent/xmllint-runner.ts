/**
 * libxml2's xmllint (xmllint-wasm) in one long-lived worker thread.
 *
 * xmllint-wasm's own `validateXML()` starts a Worker and compiles the wasm module on every call
 * (measured 400-900 ms per call here), far too slow for a receiver that validates every event.
 * This runner keeps one worker (xmllint-worker.cjs) with the module compiled once; each run
 * still gets a fresh wasm instance, so runs cannot leak state into one another.
 *
 * The worker is unref'd while idle, so an idle runner never keeps the process alive; it is
 * ref'd while a run is in flight so that the reply is awaited.
 */
import { Worker } from 'node:worker_threads';
import { CoincideError } from '../errors.ts';

export interface XmllintFile {
  fileName: string;
  contents: string;
}

export interface XmllintResult {
  /** xmllint's exit status: 0 all valid, 3 or 4 some invalid, other values an internal failure. */
  exitCode: number;
  stderr: string;
}

export interface XmllintRunner {
  /** Runs xmllint once with these files (added to `preload`) and arguments. */
  run(files: readonly XmllintFile[], args: readonly string[]): Promise<XmllintResult>;
  close(): Promise<void>;
  /** Kills the current worker as a crash would (tests of the recovery only). */
  crashWorkerForTest(): Promise<void>;
}

interface WorkerReply {
  coincideXmllint: true;
  id: number;
  exitCode?: number;
  stderr?: string;
  error?: string;
}

function isWorkerReply(message: unknown): message is WorkerReply {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Partial<WorkerReply>).coincideXmllint === true
  );
}

const WORKER_URL = new URL('./xmllint-worker.cjs', import.meta.url);

/**
 * Starts the worker. `preload` (e.g. the schemas) is written into the file system of every run.
 * A worker that dies unexpectedly fails the runs in flight (SCHEMA_UNAVAILABLE, retriable) and
 * is replaced by a new one on the next run; only close() stops the runner for good.
 */
export function createXmllintRunner(preload: readonly XmllintFile[]): XmllintRunner {
  const pending = new Map<number, { resolve: (r: XmllintResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closed = false;
  let worker: Worker | undefined;

  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  const startWorker = (): Worker => {
    const started = new Worker(WORKER_URL, { workerData: { preload } });
    started.unref();
    started.on('message', (message: unknown) => {
      if (!isWorkerReply(message)) return;
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      if (pending.size === 0) started.unref();
      if (message.error !== undefined) {
        entry.reject(new CoincideError('SCHEMA_UNAVAILABLE', `xmllint failed: ${message.error}`));
      } else {
        entry.resolve({ exitCode: message.exitCode ?? -1, stderr: message.stderr ?? '' });
      }
    });
    const lost = (reason: string, cause?: unknown): void => {
      if (worker === started) worker = undefined;
      failAll(new CoincideError('SCHEMA_UNAVAILABLE', reason, { cause, retriable: !closed }));
    };
    started.on('error', (error: Error) => {
      lost(`the xmllint worker failed: ${error.message}`, error);
    });
    started.on('exit', () => {
      lost('the xmllint worker stopped');
    });
    return started;
  };

  return {
    run(files, args) {
      if (closed) {
        return Promise.reject(new CoincideError('SCHEMA_UNAVAILABLE', 'the schema validator is closed'));
      }
      const active = (worker ??= startWorker());
      const id = nextId++;
      return new Promise<XmllintResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        active.ref();
        active.postMessage({ coincideXmllint: true, id, files, args });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const active = worker;
      worker = undefined;
      await active?.terminate();
    },
    async crashWorkerForTest() {
      await worker?.terminate();
    },
  };
}

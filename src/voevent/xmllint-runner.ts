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

/** Starts the worker. `preload` (e.g. the schemas) is written into the file system of every run. */
export function createXmllintRunner(preload: readonly XmllintFile[]): XmllintRunner {
  const worker = new Worker(WORKER_URL, { workerData: { preload } });
  worker.unref();
  const pending = new Map<number, { resolve: (r: XmllintResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closed = false;

  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (message: unknown) => {
    if (!isWorkerReply(message)) return;
    const reply = message;
    const entry = pending.get(reply.id);
    if (entry === undefined) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.error !== undefined) entry.reject(new Error(`xmllint failed: ${reply.error}`));
    else entry.resolve({ exitCode: reply.exitCode ?? -1, stderr: reply.stderr ?? '' });
  });
  worker.on('error', (error: Error) => {
    failAll(
      new CoincideError('SCHEMA_UNAVAILABLE', `the xmllint worker failed: ${error.message}`, {
        cause: error,
      }),
    );
  });
  worker.on('exit', () => {
    closed = true;
    failAll(new CoincideError('SCHEMA_UNAVAILABLE', 'the xmllint worker stopped'));
  });

  return {
    run(files, args) {
      if (closed)
        return Promise.reject(new CoincideError('SCHEMA_UNAVAILABLE', 'the schema validator is closed'));
      const id = nextId++;
      return new Promise<XmllintResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ coincideXmllint: true, id, files, args });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.terminate();
    },
  };
}

/**
 * Worker threads that run one of this project's TypeScript modules and answer requests.
 *
 * Start: the thread's entry is given as code (eval) that registers tsx in that thread before
 * importing the module, under `npx tsx` and under bin/coincide.js (which registers tsx through
 * its API, so process.execArgv carries no loader for a Worker to inherit) alike, no build step.
 *
 * Protocol: the main side posts { id, request }; the thread handles requests one at a time, in
 * order, and posts { id, ok: true, result } or { id, ok: false, message, code } (code: the
 * CoincideError code of what the handler threw, if it was one). A thread that dies fails every
 * request in flight and every later one. The thread keeps the process alive only while a request
 * is in flight.
 */
import { parentPort, Worker, type WorkerOptions } from 'node:worker_threads';
import { isCoincideError, type CoincideError, type ErrorCode } from './errors.ts';

export function startTsWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

interface ThreadRequest<Request> {
  id: number;
  request: Request;
}

type ThreadReply<Result> =
  { id: number; ok: true; result: Result } | { id: number; ok: false; message: string; code?: ErrorCode };

export interface ThreadClient<Request, Result> {
  /** Resolves with the thread's answer to `request`; rejects with the error it threw. */
  call(request: Request): Promise<Result>;
  /** Waits for the requests in flight, then stops the thread; later calls fail. */
  close(): Promise<void>;
}

export interface ThreadClientOptions {
  workerData?: unknown;
  /** The error a request fails with when the handler threw (`code` when it threw a CoincideError). */
  requestFailed: (message: string, code: ErrorCode | undefined) => CoincideError;
  /** The error every request fails with once the thread has died or been closed. */
  threadFailed: (reason: string, cause?: unknown) => CoincideError;
}

export function startThreadClient<Request, Result>(
  module: URL,
  options: ThreadClientOptions,
): ThreadClient<Request, Result> {
  const worker = startTsWorker(module, { workerData: options.workerData });
  worker.unref();
  const inFlight = new Map<number, { resolve: (r: Result) => void; reject: (e: unknown) => void }>();
  const unsettled = new Set<Promise<Result>>();
  let nextId = 1;
  let failure: CoincideError | undefined;
  let closing = false;

  const failAll = (error: CoincideError): void => {
    failure ??= error;
    for (const pending of inFlight.values()) pending.reject(error);
    inFlight.clear();
    worker.unref();
  };
  worker.on('message', (reply: ThreadReply<Result>) => {
    const pending = inFlight.get(reply.id);
    if (!pending) return;
    inFlight.delete(reply.id);
    if (inFlight.size === 0) worker.unref();
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(options.requestFailed(reply.message, reply.code));
  });
  worker.on('error', (cause) => {
    failAll(options.threadFailed('the thread failed', cause));
  });
  worker.on('exit', (code) => {
    failAll(options.threadFailed(closing ? 'the thread is closed' : `the thread exited (${code})`));
  });

  return {
    call(request) {
      if (closing) return Promise.reject(options.threadFailed('the thread is closed'));
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const answered = new Promise<Result>((resolve, reject) => {
        inFlight.set(id, { resolve, reject });
        worker.ref();
        const message: ThreadRequest<Request> = { id, request };
        worker.postMessage(message);
      });
      unsettled.add(answered);
      const forget = (): void => {
        unsettled.delete(answered);
      };
      answered.then(forget, forget);
      return answered;
    },
    async close() {
      closing = true;
      await Promise.allSettled([...unsettled]);
      await worker.terminate();
    },
  };
}

/** The thread side: answers every request with `handle`, one at a time, in order. */
export function serveThreadRequests(handle: (request: never) => unknown): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadRequests runs in a worker thread');
  port.on('message', ({ id, request }: ThreadRequest<never>) => {
    let reply: ThreadReply<unknown>;
    try {
      reply = { id, ok: true, result: handle(request) };
    } catch (error) {
      reply = {
        id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        ...(isCoincideError(error) ? { code: error.code } : {}),
      };
    }
    port.postMessage(reply);
  });
}

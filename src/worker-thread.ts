/**
 * Worker threads that run one of this project's TypeScript modules and answer requests.
 *
 * Start: the thread's entry is given as code (eval) that registers tsx in that thread before
 * importing the module, under `npx tsx` and under bin/coincide.js (which registers tsx through
 * its API, so process.execArgv carries no loader for a Worker to inherit) alike, no build step.
 * With `bundle` (the replay's decode threads: several start at once, issue 14), the module and
 * everything it imports from this project are bundled instead into one plain-JavaScript ES module
 * (esbuild, in memory, once per module per process, on this thread: tens of ms; packages stay
 * imports, by absolute file URL) that each thread loads as a data: URL, compiling no TypeScript.
 * A module graph that locates files from its own location (import.meta.url, dirname, filename:
 * wrong once bundled) or that fails to bundle is started through tsx.
 *
 * Protocol: the main side posts arrays of { id, request }; the thread handles requests one at a
 * time, in order, and posts arrays of { id, ok: true, result } or { id, ok: false, message, code }
 * (code: the CoincideError code of what the handler threw, if it was one). The requests of one
 * event-loop turn go out as one message, and the answers to one message come back as one: each
 * message wakes the other thread, and on a busy machine a wake-up costs more than the copy.
 * A thread that dies fails every request in flight and every later one. The thread keeps the
 * process alive only while a request is in flight.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, type WorkerOptions } from 'node:worker_threads';
import { isCoincideError, type CoincideError, type ErrorCode } from './errors.ts';
import { readCachedBundle, writeCachedBundle } from './thread-bundle-cache.ts';

export function startTsWorker(
  module: URL,
  options: Omit<WorkerOptions, 'eval'> = {},
  bundle = false,
): Worker {
  const bundled = bundle ? bundledModule(module) : undefined;
  // A bundle is plain JavaScript: the thread needs no TypeScript loader. Under `npx tsx` (or
  // `node --import tsx`) a Worker would inherit tsx's flags from process.execArgv and register
  // tsx again in each thread (its hooks thread, and every package import through its loader).
  if (bundled) return startBundledWorker(bundled, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * A thread on a bundle, with the process's Node options but not those that load tsx. The list is
 * given to the thread only when a tsx option was taken out: a list given is checked, and Node
 * refuses V8 options in it (ERR_WORKER_INVALID_EXEC_ARGV), such as bin/coincide.js's own
 * --initial-old-space-size, which an inherited list may hold. If Node refuses the list, the thread
 * inherits the process's options as they are (tsx's loader then loads in it too: slower, the same).
 */
function startBundledWorker(bundled: URL, options: Omit<WorkerOptions, 'eval'>): Worker {
  const execArgv = withoutTsxLoader(process.execArgv);
  if (execArgv.length === process.execArgv.length || options.execArgv !== undefined)
    return new Worker(bundled, options);
  try {
    return new Worker(bundled, { execArgv, ...options });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(bundled, options);
  }
}

/** Node options without those that load tsx (`--import tsx`, `--require …/tsx/dist/preflight.cjs`, …). */
export function withoutTsxLoader(execArgv: readonly string[]): string[] {
  const isTsx = (value: string): boolean => /^tsx(?:\/|$)|[\\/]node_modules[\\/]tsx[\\/]/.test(value);
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const flag = /^(--import|--require|-r|--loader|--experimental-loader)(?:=(.*))?$/.exec(arg);
    if (flag === null) {
      out.push(arg);
      continue;
    }
    const value = flag[2] ?? execArgv[i + 1];
    const skip = flag[2] === undefined ? 2 : 1;
    if (value !== undefined && isTsx(value)) {
      i += skip - 1;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Where a module locates files from its own location (wrong in a bundle). */
const OWN_LOCATION = /import\.meta\.(?:url|dirname|filename)\b/;
const bundles = new Map<string, URL | undefined>();
/** An import of a package in esbuild's output: `from "name"`, `import "name"`, `import("name")`. */
const PACKAGE_IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)"([^"./][^"]*)"/g;

/** The module and its project imports as one ES module in a data: URL; undefined when it cannot be. */
export function bundledModule(module: URL): URL | undefined {
  if (bundles.has(module.href)) return bundles.get(module.href);
  const remember = (bundled: URL | undefined): URL | undefined => {
    bundles.set(module.href, bundled);
    return bundled;
  };
  try {
    const thisFile = fileURLToPath(import.meta.url);
    const require = createRequire(import.meta.url);
    // Built bundles are kept on disk (thread-bundle-cache.ts): esbuild is not spawned again.
    const cacheDir = fileURLToPath(
      new URL('../node_modules/.cache/coincide-thread-bundles/', import.meta.url),
    );
    const esbuildVersion = (
      JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const toUrl = (code: string): URL =>
      new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    const cached = readCachedBundle(cacheDir, module.href, esbuildVersion);
    if (cached !== undefined) return remember(toUrl(cached));
    // Required here, not imported: the bundles themselves (this file is in them) never load esbuild.
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const result = buildSync({
      entryPoints: [fileURLToPath(module)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      packages: 'external',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
    for (const path of inputs) {
      // This file's own uses of import.meta are the thread start's, which never runs in a thread.
      if (path !== thisFile && OWN_LOCATION.test(readFileSync(path, 'utf8'))) return remember(undefined);
    }
    const code = result.outputFiles[0]?.text;
    if (code === undefined) return remember(undefined);
    // Packages by absolute URL: a data: URL module has no base to resolve a bare name from.
    const packages = new Set(
      Object.values(result.metafile.outputs).flatMap((o) =>
        o.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path),
      ),
    );
    const linked = code.replace(PACKAGE_IMPORT, (whole, before: string, name: string) =>
      packages.has(name) ? `${before}"${import.meta.resolve(name)}"` : whole,
    );
    writeCachedBundle(cacheDir, module.href, esbuildVersion, inputs, linked);
    return remember(toUrl(linked));
  } catch {
    return remember(undefined); // started through tsx instead
  }
}

export interface ThreadRequest<Request> {
  id: number;
  request: Request;
}

export type ThreadReply<Result> =
  { id: number; ok: true; result: Result } | { id: number; ok: false; message: string; code?: ErrorCode };

/**
 * Request ids start at 1: a reply with id NOTIFICATION_ID answers no request. It is a message the
 * thread sends of its own accord (work it did after answering, e.g. the event writer's notices),
 * given to the client's `onNotification`, in the order posted, among the replies.
 */
export const NOTIFICATION_ID = 0;

/** A notification (see NOTIFICATION_ID), to post among replies. */
export function notification<Payload>(payload: Payload): ThreadReply<Payload> {
  return { id: NOTIFICATION_ID, ok: true, result: payload };
}

/**
 * The bytes of `view` in an ArrayBuffer of their own, to be transferred to a thread (listed in
 * `transfer`). Posting a view as it is would copy its whole underlying buffer: a frame cut from
 * a socket read, or from Node's Buffer pool, sits in a buffer of 8 to 64 kB or more, so posting a
 * 1 kB event that way copies tens of kB each time.
 */
export function ownCopy(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}

export interface ThreadClient<Request, Result> {
  /**
   * Resolves with the thread's answer to `request`; rejects with the error it threw. Buffers
   * listed in `transfer` move to the thread (unusable here afterwards).
   */
  call(request: Request, transfer?: readonly ArrayBuffer[]): Promise<Result>;
  /**
   * Resolves once the thread has loaded its module and answers (rejects if it died first).
   * Requests made before are queued, not lost; waiting for this keeps the first of them from
   * waiting for the thread's start-up (loading TypeScript, compiling schemas...).
   */
  ready(): Promise<void>;
  /** Waits for the requests in flight, then stops the thread; later calls fail. */
  close(): Promise<void>;
  /**
   * Lets the process exit once nothing is in flight and no notification is awaited
   * (`awaitingNotifications`), for a caller whose awaited notifications ended otherwise.
   */
  release(): void;
}

export interface ThreadClientOptions {
  workerData?: unknown;
  /** What `workerData` holds that moves to the thread (e.g. a MessagePort). */
  transferList?: WorkerOptions['transferList'];
  /** Start the thread on a bundle of its module (see startTsWorker); default false. */
  bundle?: boolean;
  /**
   * Default true: the requests of one turn go out together at its end. False: each request goes
   * out at once (for a caller that never has two in flight, such as the store's group commit).
   */
  batchPerTurn?: boolean;
  /** The error a request fails with when the handler threw (`code` when it threw a CoincideError). */
  requestFailed: (message: string, code: ErrorCode | undefined) => CoincideError;
  /** The error every request fails with once the thread has died or been closed. */
  threadFailed: (reason: string, cause?: unknown) => CoincideError;
  /** The thread's notifications (see NOTIFICATION_ID), in the order posted among its replies. */
  onNotification?: (payload: unknown) => void;
  /** Called once with the error every request fails with, when the thread dies or is closed. */
  onFailure?: (error: CoincideError) => void;
  /**
   * True while the caller still awaits notifications: the thread then keeps the process alive
   * after its last reply too (checked after each message from the thread).
   */
  awaitingNotifications?: () => boolean;
}

export function startThreadClient<Request, Result>(
  module: URL,
  options: ThreadClientOptions,
): ThreadClient<Request, Result> {
  const worker = startTsWorker(
    module,
    {
      workerData: options.workerData,
      ...(options.transferList ? { transferList: options.transferList } : {}),
    },
    options.bundle === true,
  );
  worker.unref();
  const inFlight = new Map<number, { resolve: (r: Result) => void; reject: (e: unknown) => void }>();
  const unsettled = new Set<Promise<Result>>();
  let nextId = 1;
  let failure: CoincideError | undefined;
  let closing = false;

  let markReady: () => void = () => undefined;
  let failReady: (error: unknown) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  started.catch(() => undefined); // reported to whoever asks ready(); not unhandled meanwhile
  // An empty batch, answered (with an empty one) once the thread's module has loaded.
  worker.postMessage([]);

  const failAll = (error: CoincideError): void => {
    if (failure === undefined) options.onFailure?.(error);
    failure ??= error;
    failReady(error);
    for (const pending of inFlight.values()) pending.reject(error);
    inFlight.clear();
    worker.unref();
  };
  worker.on('message', (replies: Array<ThreadReply<Result>>) => {
    markReady();
    for (const reply of replies) {
      if (reply.id === NOTIFICATION_ID) {
        if (reply.ok) options.onNotification?.(reply.result);
        continue;
      }
      const pending = inFlight.get(reply.id);
      if (!pending) continue;
      inFlight.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(options.requestFailed(reply.message, reply.code));
    }
    if (inFlight.size === 0 && options.awaitingNotifications?.() !== true) worker.unref();
  });
  /** Requests of this turn, posted together at its end (setImmediate). */
  let outgoing: Array<ThreadRequest<Request>> = [];
  let outgoingTransfer: ArrayBuffer[] = [];
  const post = (): void => {
    const batch = outgoing;
    const transfer = outgoingTransfer;
    outgoing = [];
    outgoingTransfer = [];
    if (failure || batch.length === 0) return;
    worker.postMessage(batch, transfer);
  };
  worker.on('error', (cause) => {
    failAll(options.threadFailed('the thread failed', cause));
  });
  worker.on('exit', (code) => {
    failAll(options.threadFailed(closing ? 'the thread is closed' : `the thread exited (${code})`));
  });

  return {
    call(request, transfer = []) {
      if (closing) return Promise.reject(options.threadFailed('the thread is closed'));
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const answered = new Promise<Result>((resolve, reject) => {
        inFlight.set(id, { resolve, reject });
        worker.ref();
        if (outgoing.length === 0 && options.batchPerTurn !== false) setImmediate(post);
        outgoing.push({ id, request });
        outgoingTransfer.push(...transfer);
        if (options.batchPerTurn === false) post();
      });
      unsettled.add(answered);
      const forget = (): void => {
        unsettled.delete(answered);
      };
      answered.then(forget, forget);
      return answered;
    },
    ready: () => started,
    release() {
      if (inFlight.size === 0 && options.awaitingNotifications?.() !== true) worker.unref();
    },
    async close() {
      closing = true;
      await Promise.allSettled([...unsettled]);
      // A thread still loading its module (tsx compiling) may take a while to stop, and neither
      // an unref'd nor a terminating Worker keeps the event loop alive meanwhile: a process with
      // nothing else left to do (a start-up that failed, e.g. a port taken) would run out of work
      // and Node would exit 13 (an unsettled top-level await) instead of the caller's exit code.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        await worker.terminate();
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
}

/** The reply of a request whose handler threw `error`. */
export function failedReply(id: number, error: unknown): ThreadReply<never> {
  return {
    id,
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    ...(isCoincideError(error) ? { code: error.code } : {}),
  };
}

/** The thread side: answers every request with `handle`, one at a time, in order. */
export function serveThreadRequests(handle: (request: never) => unknown): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadRequests runs in a worker thread');
  const answer = ({ id, request }: ThreadRequest<never>): ThreadReply<unknown> => {
    try {
      return { id, ok: true, result: handle(request) };
    } catch (error) {
      return failedReply(id, error);
    }
  };
  port.on('message', (requests: Array<ThreadRequest<never>>) => {
    port.postMessage(requests.map(answer));
  });
}

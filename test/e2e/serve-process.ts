/**
 * Runs the real `node bin/coincide.js serve` as a child process (ports 0, a given database)
 * and reads the chosen ports from its JSON log lines on stderr:
 *   {"msg":"listening","service":"http","port":N}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { openDatabase } from '../../src/store/database.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

export interface ServeProcess {
  child: ChildProcess;
  /** Port by service name (http, vtp-receiver, vtp-broadcaster). */
  ports: Record<string, number>;
  /** Every stderr line so far (JSON logs). */
  logs: string[];
  exited: Promise<number | null>;
  /** Sends a signal and waits for the exit; SIGKILL as a last resort after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export const EXPECTED_SERVICES = ['http', 'vtp-receiver', 'vtp-broadcaster'];

export async function startServe(options: {
  dbPath: string;
  args?: string[];
  env?: Record<string, string>;
  httpPort?: number;
  services?: string[];
  timeoutMs?: number;
  /** Node's own flags, before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
}): Promise<ServeProcess> {
  const args = [
    ...(options.nodeArgs ?? []),
    ...CLI_NODE_ARGS,
    'serve',
    '--db',
    options.dbPath,
    '--listen-host',
    '127.0.0.1',
    '--http-port',
    String(options.httpPort ?? 0),
    '--receive-port',
    '0',
    '--broadcast-port',
    '0',
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const ports: Record<string, number> = {};
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const wanted = options.services ?? EXPECTED_SERVICES;
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      logs.push(line);
      try {
        const record = JSON.parse(line) as { msg?: string; service?: string; port?: number };
        if (record.msg === 'listening' && record.service !== undefined && record.port !== undefined) {
          ports[record.service] = record.port;
          if (wanted.every((s) => s in ports)) resolve();
        }
      } catch {
        // not JSON: keep it in logs
      }
    });
    void exited.then((code) => {
      reject(new Error(`serve exited (${code}) before listening:\n${logs.join('\n')}`));
    });
  });
  child.stdout?.resume();
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`serve not listening after ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', stopTimeoutMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { child, ports, logs, exited, stop };
}

/** Runs `coincide <args>` to completion and returns its output. */
export function runCoincide(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `get` every 50 ms until it gives a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, get: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One line `coincide listen` printed: a stream message as JSON. */
export interface ListenLine {
  seq: number;
  type: string;
  data?: Record<string, unknown> & { ivorn?: string };
}

export interface ListenProcess {
  child: ChildProcess;
  /** Every stdout line so far, parsed. */
  lines: ListenLine[];
  /** Every stderr line so far. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Runs the real `node bin/coincide.js listen` against a serve's HTTP port, with `args` after the
 * URL and token (e.g. --since 0, --state FILE, --max-backoff-ms 500), collecting its JSON lines.
 */
export function startListen(options: { httpPort: number; token: string; args?: string[] }): ListenProcess {
  const child = spawn(
    process.execPath,
    [
      ...CLI_NODE_ARGS,
      'listen',
      '--url',
      `ws://127.0.0.1:${options.httpPort}/v1/stream`,
      '--token',
      options.token,
      ...(options.args ?? []),
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: ListenLine[] = [];
  const logs: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(JSON.parse(line) as ListenLine);
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    logs.push(line);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return {
    child,
    lines,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The outbox's last seq of a serve database (read-only). */
export function lastOutboxSeq(dbPath: string): number {
  const db = openDatabase({ path: dbPath, readonly: true });
  try {
    return Number(
      db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'serve_outbox'").pluck().get() ?? 0,
    );
  } finally {
    db.close();
  }
}

/** Waits until the listener has printed every seq up to `lastSeq` (a wait limit, not a timing assertion). */
export async function untilListened(
  listen: ListenProcess,
  lastSeq: number,
  timeoutMs = 120_000,
): Promise<void> {
  await until(
    `the listener to reach seq ${lastSeq} (at ${listen.lines.at(-1)?.seq ?? 0})`,
    () => ((listen.lines.at(-1)?.seq ?? 0) >= lastSeq ? true : undefined),
    timeoutMs,
  );
}

/**
 * Real interoperability peers from .venv (Comet 3.1.0 via twistd, comet-sendvo, pygcn), run on
 * 127.0.0.1 in a throw-away directory. Every process started here is killed by `stop()`; tests
 * call it in `finally`/`after`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { venvExecutable } from '../helpers/python.ts';
import { makeTempDir } from '../vtp/helpers.ts';

/** A port that was free a moment ago (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface PeerProcess {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startProcess(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): PeerProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  let running = true;
  void exited.then(() => (running = false));
  return {
    child,
    output: () => text,
    exited,
    async waitForOutput(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (!running) throw new Error(`${command} exited before printing ${pattern}:\n${text}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern} from ${command}:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface CometBroker extends PeerProcess {
  dir: string;
  eventDb: string;
  saveDir: string;
  removeDir(): void;
}

/** The sitecustomize.py Comet's Python loads at start (see that file). */
const COMET_STARTUP_DIR = fileURLToPath(new URL('./comet-startup', import.meta.url));

/** `twistd -n comet ARGS --eventdb DIR/eventdb` in its own temp dir; resolves when it has started. */
export async function startComet(args: string[], readyPattern: RegExp): Promise<CometBroker> {
  const tmp = makeTempDir('coincide-comet-');
  const eventDb = join(tmp.dir, 'eventdb');
  const saveDir = join(tmp.dir, 'saved');
  mkdirSync(eventDb);
  mkdirSync(saveDir);
  const proc = startProcess(
    venvExecutable('twistd'),
    ['-n', '--pidfile=', 'comet', '--eventdb', eventDb, ...args.map((a) => a.replace('{SAVE_DIR}', saveDir))],
    tmp.dir,
    // comet-startup/sitecustomize.py: the dbm back ends imported once, before Comet's threads
    // (a race in Python's first dbm.open made Comet discard events checked at the same time).
    { PYTHONPATH: [COMET_STARTUP_DIR, process.env.PYTHONPATH].filter(Boolean).join(delimiter) },
  );
  try {
    await proc.waitForOutput(readyPattern);
  } catch (error) {
    await proc.stop();
    tmp.remove();
    throw error;
  }
  return { ...proc, dir: tmp.dir, eventDb, saveDir, removeDir: tmp.remove };
}

/** comet-sendvo -h 127.0.0.1 -p PORT -f FILE; resolves with its exit code and output. */
export async function cometSendvo(
  port: number,
  file: string,
): Promise<{ code: number | null; output: string }> {
  const tmp = makeTempDir('coincide-sendvo-');
  const proc = startProcess(
    venvExecutable('comet-sendvo'),
    ['-h', '127.0.0.1', '-p', String(port), '-f', file],
    tmp.dir,
  );
  const timer = setTimeout(() => void proc.stop(), 60_000);
  const code = await proc.exited;
  clearTimeout(timer);
  tmp.remove();
  return { code, output: proc.output() };
}

/**
 * `coincide serve` as a process of its own for the benchmarks (bin/coincide.js of a checkout),
 * on loopback with every port chosen by the system: resolves once the services named in
 * `waitFor` log that they are listening (JSON log records on stderr, at level info), with their
 * ports; `stop()` sends SIGTERM and resolves when the process has exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServeProcess {
  child: ChildProcess;
  /** The port of each service that logged `listening` (http, vtp-receiver, vtp-broadcaster, …). */
  ports: Record<string, number>;
  stop: () => Promise<void>;
}

export async function startServeProcess(options: {
  /** The checkout whose bin/coincide.js runs. */
  root: string;
  dbPath: string;
  /** More command-line arguments of `serve`. */
  args?: readonly string[];
  /** Arguments of node itself (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
  waitFor?: readonly string[];
}): Promise<ServeProcess> {
  const waitFor = options.waitFor ?? ['http'];
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      join(options.root, 'bin', 'coincide.js'),
      'serve',
      '--db',
      options.dbPath,
      '--listen-host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--receive-port',
      '0',
      '--broadcast-port',
      '0',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, COINCIDE_LOG_LEVEL: 'info' } },
  );
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const ports: Record<string, number> = {};
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      try {
        const r = JSON.parse(line) as { msg?: string; service?: string; port?: number };
        if (r.msg === 'listening' && r.service && r.port) ports[r.service] = r.port;
      } catch {
        process.stderr.write(`${line}\n`);
      }
      if (waitFor.every((service) => ports[service] !== undefined)) resolve();
    });
    void exited.then(() => {
      reject(new Error(`coincide serve exited with ${child.exitCode} before listening`));
    });
  });
  child.stderr.resume();
  return {
    child,
    ports,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

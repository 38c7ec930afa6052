/**
 * SIGTERM to the pid of `npm start` or `npx coincide serve` (the npm wrapper, not the server)
 * stops the server gracefully and the wrapper exits 0. npm runs scripts through a shell; dash
 * (Debian's sh) forks the command and dies of the signal, leaving the server orphaned and npm
 * exiting 143. The project's .npmrc makes bash the script shell: bash execs a lone command, so
 * npm's forwarded SIGTERM reaches the server itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../helpers/shared.ts';

async function runAndTerminate(
  command: string,
  args: string[],
): Promise<{ code: number | null; httpPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-sigterm-'));
  try {
    const child = spawn(
      command,
      [
        ...args,
        '--db',
        join(dir, 'c.db'),
        '--http-port',
        '0',
        '--receive-port',
        '0',
        '--broadcast-port',
        '0',
        '--listen-host',
        '127.0.0.1',
      ],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CI: process.env.CI ?? '' },
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    let httpPort = 0;
    let lastReceiverLine = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${command} did not start`));
      }, 120_000);
      createInterface({ input: child.stderr }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; service?: string; port?: number };
        if (entry.msg === 'listening' && entry.service === 'http') httpPort = entry.port ?? 0;
        if (entry.msg === 'listening' && entry.service === 'vtp-receiver') lastReceiverLine = true;
        if (httpPort > 0 && lastReceiverLine) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200);
    child.kill('SIGTERM');
    const code = await exited;
    return { code, httpPort };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function closed(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`);
    return false;
  } catch {
    return true;
  }
}

describe('SIGTERM to the npm wrappers', () => {
  for (const [command, args] of [
    ['npm', ['start', '--']],
    ['npx', ['coincide', 'serve']],
  ] as const) {
    it(`${command} ${args.join(' ')}: exit 0 and no server left listening`, async () => {
      const { code, httpPort } = await runAndTerminate(command, [...args]);
      assert.equal(code, 0);
      assert.equal(await closed(httpPort), true, 'the server was left running');
    });
  }
});

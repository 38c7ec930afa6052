/**
 * The project's Python virtual environment (.venv, built by scripts/setup-python.sh) with the
 * interoperability peers (Comet, pygcn) and reference libraries.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './shared.ts';

export const VENV_DIR = join(PROJECT_ROOT, '.venv');
export const VENV_BIN = join(VENV_DIR, 'bin');

export function venvExecutable(name: string): string {
  return join(VENV_BIN, name);
}

/** Like skipUnlessShared, for tests that need a program from .venv. */
export function skipUnlessVenv(program: string): false | string {
  if (existsSync(venvExecutable(program))) return false;
  if (process.env.CI) throw new Error(`.venv/bin/${program} is required in CI; run scripts/setup-python.sh`);
  return `skipped: .venv/bin/${program} is missing (run scripts/setup-python.sh)`;
}

/**
 * Like skipUnlessVenv, for tests that import Python modules from .venv (the reference
 * libraries come with `scripts/setup-python.sh --reference`, which .ci/run uses).
 */
export function skipUnlessVenvModules(modules: readonly string[]): false | string {
  const python = venvExecutable('python');
  const probe = existsSync(python)
    ? spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' })
    : undefined;
  if (probe?.status === 0) return false;
  const why =
    probe === undefined ? '.venv/bin/python is missing' : `.venv cannot import ${modules.join(', ')}`;
  if (process.env.CI) throw new Error(`${why}; CI requires them: run scripts/setup-python.sh --reference`);
  return `skipped: ${why} (run scripts/setup-python.sh --reference)`;
}

/** Runs a Python script with .venv's interpreter; rejects with the end of its stderr unless it exits 0. */
export function runVenvPython(script: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvExecutable('python'), [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${script} exited ${String(code)}: ${stderr.slice(-3000)}`));
    });
  });
}

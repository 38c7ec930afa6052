/**
 * The project's Python virtual environment (.venv, built by scripts/setup-python.sh) with the
 * interoperability peers (Comet, pygcn) and reference libraries.
 */
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

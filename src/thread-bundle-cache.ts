/**
 * A cache on disk of the thread bundles that worker-thread.ts builds with esbuild, so that a
 * process starting threads (the replay's decode threads: issue 14, start-up counts) does not
 * spawn esbuild each time: building costs 0.1–0.5 s on the main thread before any thread can
 * start, and a replay is a short-lived process.
 *
 * An entry is the bundle's code with the sha256 of every source file that went into it and the
 * esbuild version; it is used only when all of them are unchanged (every file read and hashed
 * again: ~1 ms for a few dozen files), otherwise the bundle is built again and the entry
 * replaced. Writes go to a temporary file renamed into place. The cache is an optimisation: any
 * failure to read or write it is the same as a miss. Its folder is given by the caller (inside
 * the project's node_modules/.cache, never a shared temporary folder that others could write).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry {
  esbuild: string;
  inputs: Array<[path: string, sha256: string]>;
  code: string;
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function entryPath(dir: string, key: string): string {
  return join(dir, `${sha256(key).slice(0, 32)}.json`);
}

/** The cached code of the bundle `key`, when built by esbuild `version` from unchanged files. */
export function readCachedBundle(dir: string, key: string, version: string): string | undefined {
  try {
    const entry = JSON.parse(readFileSync(entryPath(dir, key), 'utf8')) as Entry;
    if (entry.esbuild !== version || !Array.isArray(entry.inputs) || typeof entry.code !== 'string')
      return undefined;
    for (const [path, digest] of entry.inputs) if (sha256(readFileSync(path)) !== digest) return undefined;
    return entry.code;
  } catch {
    return undefined;
  }
}

/** Stores the bundle `key` built by esbuild `version` from `inputs` (absolute paths). */
export function writeCachedBundle(
  dir: string,
  key: string,
  version: string,
  inputs: readonly string[],
  code: string,
): void {
  try {
    const entry: Entry = {
      esbuild: version,
      inputs: inputs.map((path) => [path, sha256(readFileSync(path))]),
      code,
    };
    mkdirSync(dir, { recursive: true });
    const path = entryPath(dir, key);
    const temporary = `${path}.${String(process.pid)}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, path);
  } catch {
    // Not cached: the next process builds it again.
  }
}

/**
 * A cache on disk of the thread bundles that worker-thread.ts builds with esbuild, so that a
 * process starting threads (the replay's decode threads: issue 14, start-up counts) does not
 * spawn esbuild each time: building costs 0.1–0.5 s on the main thread before any thread can
 * start, and a replay is a short-lived process.
 *
 * An entry is the bundle's code with a stamp of every source file that went into it (sha256,
 * modification time and size: bin/source-stamps.js) and the esbuild version; it is used only when
 * all of them are unchanged (a stat of each file; one whose time or size moved is read and
 * hashed), otherwise the bundle is built again and the entry replaced. Writes go to a temporary file renamed into place. The cache is an optimisation: any
 * failure to read or write it is the same as a miss. Its folder is given by the caller (inside
 * the project's node_modules/.cache, never a shared temporary folder that others could write).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, type Stamp, stampFiles, stampsMatch } from '../bin/source-stamps.js';

interface Entry {
  esbuild: string;
  inputs: Stamp[];
  code: string;
}

function entryPath(dir: string, key: string): string {
  return join(dir, `${sha256(key).slice(0, 32)}.json`);
}

/** The cached code of the bundle `key`, when built by esbuild `version` from unchanged files. */
export function readCachedBundle(dir: string, key: string, version: string): string | undefined {
  try {
    const entry = JSON.parse(readFileSync(entryPath(dir, key), 'utf8')) as Entry;
    if (entry.esbuild !== version || typeof entry.code !== 'string' || !stampsMatch(entry.inputs))
      return undefined;
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
      inputs: stampFiles(inputs),
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

// Whether the source files a cached build was made from are unchanged (bin/cli-bundle.js, the
// command bundles; src/thread-bundle-cache.ts, the thread bundles), checked at each start of a
// short-lived process such as `coincide replay` (issue 14: start-up counts).
//
// A stamp is a file's sha256 with its modification time and size. A file whose time and size are
// those recorded is taken as unchanged without reading it (a stat instead of reading and hashing
// ~100 files: ~15 ms); any other file is read and hashed, and unchanged
// only if its content is. `git checkout` rewrites the files it changes, so their times change.
//
// Timestamps are coarse (the kernel's clock tick, a few ms): a file written again within the
// same tick, at the same size, keeps its time. So, as git does for its index ("racy" entries), a
// file modified less than RACY_MS before it was stamped gets no time: it is hashed at every check
// until the next build stamps it again.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

const RACY_MS = 2000;

/** @param {Buffer | string} bytes */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * @typedef {[path: string, sha256: string, mtimeMs?: number | null, size?: number]} Stamp
 */

/**
 * The stamps of `paths` now.
 * @param {readonly string[]} paths
 * @param {number} [nowMs]
 * @returns {Stamp[]}
 */
export function stampFiles(paths, nowMs = Date.now()) {
  return paths.map((path) => {
    const stat = statSync(path);
    const bytes = readFileSync(path);
    const settled = stat.mtimeMs < nowMs - RACY_MS && stat.size === bytes.length;
    return [path, sha256(bytes), settled ? stat.mtimeMs : null, bytes.length];
  });
}

/**
 * True when every stamped file is as stamped (see the top); false when one changed, is gone, or
 * the stamps are not an array of stamps. Older stamps without time or size are hashed.
 * @param {unknown} stamps
 */
export function stampsMatch(stamps) {
  if (!Array.isArray(stamps)) return false;
  try {
    for (const stamp of /** @type {Stamp[]} */ (stamps)) {
      const [path, digest, mtimeMs, size] = stamp;
      if (typeof path !== 'string' || typeof digest !== 'string') return false;
      if (typeof mtimeMs === 'number') {
        const stat = statSync(path);
        if (stat.mtimeMs === mtimeMs && stat.size === size) continue;
      }
      if (sha256(readFileSync(path)) !== digest) return false;
    }
    return true;
  } catch {
    return false;
  }
}

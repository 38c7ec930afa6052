/**
 * Access to ../shared (upstream samples, official schemas) for tests.
 *
 * A user's clone has no ../shared: tests that need it are then skipped, with a message that
 * says so. In CI (CI set) its absence is a failure, never a silent skip.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED_DIR = join(PROJECT_ROOT, '..', 'shared');
export const SAMPLES_DIR = join(SHARED_DIR, 'upstream-samples');
export const OFFICIAL_SCHEMAS_DIR = join(SHARED_DIR, 'voevent-schemas-official');

/**
 * The `skip` option for a test or suite that reads ../shared: false when it is there;
 * a reason string when it is absent outside CI; throws when it is absent in CI.
 */
export function skipUnlessShared(): false | string {
  if (existsSync(SAMPLES_DIR)) return false;
  if (process.env.CI) throw new Error(`../shared is required in CI but is missing at ${SHARED_DIR}`);
  return `skipped: ../shared (upstream samples) is not present beside this clone`;
}

/** The path of one upstream sample, relative to ../shared/upstream-samples. */
export function samplePath(relativePath: string): string {
  return join(SAMPLES_DIR, relativePath);
}

/** Every file under a folder of ../shared, recursively, sorted, filtered by extension. */
export function listFiles(dir: string, extensions: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFiles(path, extensions);
      return extensions.some((ext) => name.endsWith(ext)) ? [path] : [];
    });
}

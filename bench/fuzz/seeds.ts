/**
 * Seeds of the fuzz targets: the project's own fixtures (always there, so that the npm-test
 * subset has seeds on a user's clone) and the real samples of ../shared/upstream-samples.
 *
 * Whether ../shared is used is decided once by `sharedSeedsAvailable`, with the same rule as the
 * tests (test/helpers/shared.ts): absent outside CI, the caller prints that the shared seeds
 * are skipped; absent in CI, it throws.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listFiles, PROJECT_ROOT, SAMPLES_DIR, skipUnlessShared } from '../../test/helpers/shared.ts';
import type { Seed } from './mutate.ts';

/** True when ../shared/upstream-samples is there; a message on stderr when it is skipped. */
export function sharedSeedsAvailable(): boolean {
  const skip = skipUnlessShared();
  if (skip === false) return true;
  process.stderr.write(`fuzz: ${skip}; fuzzing with the project's fixtures only\n`);
  return false;
}

function read(paths: readonly string[], base: string): Seed[] {
  return paths.map((path) => ({ name: relative(base, path), bytes: readFileSync(path) }));
}

/** Files of the project (fixtures/...), by folder and extension. */
export function projectSeeds(folder: string, extensions: readonly string[]): Seed[] {
  return read(listFiles(join(PROJECT_ROOT, folder), extensions), PROJECT_ROOT);
}

/** Files of ../shared/upstream-samples/<folder>, or none when not used. */
export function sharedSeeds(use: boolean, folder: string, extensions: readonly string[]): Seed[] {
  return use ? read(listFiles(join(SAMPLES_DIR, folder), extensions), SAMPLES_DIR) : [];
}

/** A seed made here (a synthetic sky map, a container written with avsc...). */
export function madeSeed(name: string, bytes: Uint8Array): Seed {
  return { name, bytes };
}

export function countSeeds(groups: Record<string, readonly Seed[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(groups).map(([origin, seeds]) => [origin, seeds.length]));
}

/**
 * Sky map parsing: bytes → SkyMap → the join's 90 % region, as a notice's map is read on ingest
 * (app/skymap-loader.ts: readSkyMap, then createSkyMapRegion with the file's sha256 as hash), for
 * every real sky map in ../shared/upstream-samples/skymaps.
 *
 *   npx tsx bench/skymap-parse.ts [--runs 7] [--quick] [--baseline DIR]
 *
 * --baseline DIR: a checkout of another commit (e.g. `git archive e2a4324 src | tar -x -C DIR`
 * with node_modules linked), whose src/sky/skymap-read.ts and src/join/skymap-region.ts are run
 * in the same process, alternated with this tree's, run by run. Both must give the same map:
 * every cell's credible level, searched area and density, and the region's area, are compared.
 * --quick: 3 runs. Prints min / median / max ms per map and phase, the ratio of medians, and the
 * load average.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ours from '../src/sky/skymap-read.ts';
import * as ourRegion from '../src/join/skymap-region.ts';
import { numberArg } from './number-arg.ts';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 3 : Math.max(1, numberArg('runs', 7));
const baselineAt = process.argv.indexOf('--baseline');
const BASELINE_DIR = baselineAt >= 0 ? resolve(process.argv[baselineAt + 1] ?? '') : undefined;
const SAMPLES = join(
  fileURLToPath(new URL('..', import.meta.url)),
  '..',
  'shared',
  'upstream-samples',
  'skymaps',
);

interface Implementation {
  name: string;
  readSkyMap: typeof ours.readSkyMap;
  createSkyMapRegion: typeof ourRegion.createSkyMapRegion;
}

interface Timing {
  readMs: number[];
  regionMs: number[];
}

const loads = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

const fmt = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

/** One parse, timed by phase; returns what the comparison checks. */
function parseOnce(impl: Implementation, bytes: Uint8Array, sha256: string, timing: Timing): number[] {
  const t0 = performance.now();
  const skymap = impl.readSkyMap(bytes);
  const t1 = performance.now();
  const region = impl.createSkyMapRegion(skymap, 0.9, sha256);
  const t2 = performance.now();
  timing.readMs.push(t1 - t0);
  timing.regionMs.push(t2 - t1);
  // A fingerprint of everything the join reads: per-cell level, searched area and density at
  // each cell's centre, the region's area and centre.
  const map = skymap.forUse();
  const out = [region.areaDeg2, region.centre.raDeg, region.centre.decDeg, map.totalProbability];
  for (let k = 0; k < map.cellCount; k += Math.max(1, Math.floor(map.cellCount / 5000))) {
    const c = map.cellCentre(k);
    out.push(
      map.credibleLevelAt(c.raDeg, c.decDeg),
      map.searchedAreaDeg2At(c.raDeg, c.decDeg),
      map.densityPerSrAt(c.raDeg, c.decDeg),
    );
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(SAMPLES)) {
    console.log(`skipped: ${SAMPLES} is absent`);
    return;
  }
  const impls: Implementation[] = [
    { name: 'this tree', readSkyMap: ours.readSkyMap, createSkyMapRegion: ourRegion.createSkyMapRegion },
  ];
  if (BASELINE_DIR) {
    const read = (await import(join(BASELINE_DIR, 'src', 'sky', 'skymap-read.ts'))) as typeof ours;
    const region = (await import(join(BASELINE_DIR, 'src', 'join', 'skymap-region.ts'))) as typeof ourRegion;
    impls.push({
      name: 'baseline',
      readSkyMap: read.readSkyMap,
      createSkyMapRegion: region.createSkyMapRegion,
    });
  }
  console.log(`node ${process.version}, ${new Date().toISOString()}, ${RUNS} runs per map, load ${loads()}`);
  if (BASELINE_DIR) console.log(`baseline tree: ${BASELINE_DIR}`);
  const files = readdirSync(SAMPLES)
    .filter((f) => f.endsWith('.fits') || f.endsWith('.fits.gz'))
    .sort();
  const totals = impls.map(() => 0);
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(join(SAMPLES, file)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const timings: Timing[] = impls.map(() => ({ readMs: [], regionMs: [] }));
    // Warm-up (JIT), and the same results from both trees.
    const prints = impls.map((impl, i) => parseOnce(impl, bytes, sha256, timings[i] as Timing));
    const [first, second] = prints;
    if (
      first &&
      second &&
      (first.length !== second.length || first.some((x, i) => !Object.is(x, second[i])))
    ) {
      throw new Error(`${file}: this tree and the baseline give different maps`);
    }
    timings.forEach((t) => {
      t.readMs.length = 0;
      t.regionMs.length = 0;
    });
    for (let r = 0; r < RUNS; r++) {
      // Alternate which goes first, so that neither always runs after the other's garbage.
      const order = r % 2 === 0 ? impls.map((_, i) => i) : impls.map((_, i) => impls.length - 1 - i);
      for (const i of order) parseOnce(impls[i] as Implementation, bytes, sha256, timings[i] as Timing);
    }
    const cells = ours.readSkyMap(bytes).cellCount;
    console.log(
      `${file}: ${(bytes.length / 1e6).toFixed(2)} MB, ${cells} cells${BASELINE_DIR ? ', same results in both trees' : ''}`,
    );
    const medians = impls.map((impl, i) => {
      const t = timings[i] as Timing;
      const total = t.readMs.map((x, k) => x + (t.regionMs[k] as number));
      const [read, region, all] = [stats(t.readMs), stats(t.regionMs), stats(total)];
      console.log(
        `  ${impl.name.padEnd(10)} read ms ${fmt(read.min)} / ${fmt(read.median)} / ${fmt(read.max)}   ` +
          `region ms ${fmt(region.min)} / ${fmt(region.median)} / ${fmt(region.max)}   ` +
          `total ms ${fmt(all.min)} / ${fmt(all.median)} / ${fmt(all.max)}  (min / median / max)`,
      );
      totals[i] = (totals[i] as number) + all.median;
      return all.median;
    });
    const [a, b] = medians;
    if (a !== undefined && b !== undefined)
      console.log(`  baseline / this tree (median totals): ${(b / a).toFixed(2)}x`);
  }
  console.log(
    `sum of median totals: ${impls.map((impl, i) => `${impl.name} ${fmt(totals[i] as number)} ms`).join(', ')}` +
      (totals.length > 1 ? `, ratio ${((totals[1] as number) / (totals[0] as number)).toFixed(2)}x` : ''),
  );
  console.log(`load average at the end: ${loads()}`);
}

void main();

/**
 * The join engine against an earlier commit's engine, in the same process, alternated.
 *
 *   node --expose-gc --import tsx bench/join-ab.ts --baseline /path/to/old/checkout
 *        [--alerts 1000000] [--notices 200] [--regions 10,100,1000] [--batch 25000] [--runs 16]
 *        [--skip-forward] [--skip-backward]
 *
 * bench/join.ts run twice (once per tree) compares figures from different minutes of a shared,
 * noisy machine: loads of 1–4 moved its medians by ±15 %, more than the 10 % being judged. Here
 * both engines (this tree's and the baseline tree's, loaded from its own src/) see the same
 * inputs in the same process, and every unit of work is timed for one engine right after the
 * other, in alternating order, so a noisy minute slows both alike.
 *
 * - forward: N circular GRB regions are active; each batch of optical alerts goes through both
 *   engines (each keeps its own buffer and background), timed per engine and batch.
 * - backward: both engines buffer the same night of alerts in their own SQLite buffer; then each
 *   new GW notice (a ~32 deg² sky map, as bench/join.ts) is joined by both, CPU time per call.
 *
 * Both count CPU time (process.cpuUsage), which a loaded machine disturbs less than wall time.
 * Prints medians, the ratio this/baseline (> 1: this tree is slower) and the load average.
 * The baseline's checkout must have its own node_modules (its engine loads its own deps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Notice } from '../src/notices/notice.ts';
import type { OpticalAlert } from '../src/optical/optical-alert.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { RAD_PER_DEG } from '../src/sky/angles.ts';
import {
  benchAlert as alert,
  benchNotice as notice,
  gwSkyMapFields,
  type SkyMapFields,
} from './join-inputs.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const baselineDir = option('--baseline');
if (!baselineDir) {
  process.stderr.write('join-ab: --baseline <checkout of the earlier commit> is required\n');
  process.exit(2);
}
const NIGHT_ALERTS = Number(option('--alerts') ?? NaN) || 1_000_000;
const NOTICES = Number(option('--notices') ?? NaN) || 200;
const REGION_COUNTS = (option('--regions') ?? '10,100,1000').split(',').map(Number);
const T0 = 61_000.2;

/** What the benchmark uses of each tree's modules (their own types differ between the trees). */
interface AbEngine {
  onNotice(notice: Notice, input?: { region?: unknown; eventTimeMjd?: number }): unknown[];
  onOpticalAlert(alert: OpticalAlert): unknown[];
}
interface AbDatabase {
  pragma(statement: string): unknown;
}
interface Tree {
  name: string;
  createJoinEngine: (options: Record<string, unknown>) => AbEngine;
  createSkyMapRegion: (map: unknown, credibleLevel: number, hash: string) => unknown;
  SkyMap: new (fields: SkyMapFields) => unknown;
  SqliteOpticalBuffer: new (db: AbDatabase, options?: { batchSize?: number }) => unknown;
  openDatabase: (options: { path: string }) => AbDatabase;
}

async function loadTree(name: string, dir: string): Promise<Tree> {
  const at = async (path: string): Promise<Record<string, unknown>> =>
    (await import(pathToFileURL(join(dir, path)).href)) as Record<string, unknown>;
  return {
    name,
    createJoinEngine: (await at('src/join/engine.ts')).createJoinEngine as Tree['createJoinEngine'],
    createSkyMapRegion: (await at('src/join/skymap-region.ts'))
      .createSkyMapRegion as Tree['createSkyMapRegion'],
    SkyMap: (await at('src/sky/skymap.ts')).SkyMap as Tree['SkyMap'],
    SqliteOpticalBuffer: (await at('src/store/optical-buffer.ts'))
      .SqliteOpticalBuffer as Tree['SqliteOpticalBuffer'],
    openDatabase: (await at('src/store/database.ts')).openDatabase as Tree['openDatabase'],
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
/**
 * Garbage-collection time (ms) by tree: each GC that started inside a timed unit of work counts
 * for the tree being timed. GC entries arrive asynchronously, so timed spans are recorded and
 * matched afterwards (gcReport awaits their delivery).
 */
const timedSpans: Array<{ startMs: number; endMs: number; tree: number }> = [];
const gcEntries: Array<{ startMs: number; durationMs: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    gcEntries.push({ startMs: entry.startTime, durationMs: entry.duration });
}).observe({ entryTypes: ['gc'] });
const timed = <T>(tree: number, fn: () => T): T => {
  const startMs = performance.now();
  try {
    return fn();
  } finally {
    if (tree >= 0) timedSpans.push({ startMs, endMs: performance.now(), tree });
  }
};
async function gcReport(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  const ms = [0, 0];
  for (const gc of gcEntries) {
    const span = timedSpans.find((s) => gc.startMs >= s.startMs && gc.startMs <= s.endMs);
    if (span) ms[span.tree] = (ms[span.tree] ?? 0) + gc.durationMs;
  }
  timedSpans.length = 0;
  gcEntries.length = 0;
  return `GC within timed work ${ms.map((x) => Math.round(x)).join(' vs ')} ms`;
}
const cpuMsOf = (fn: () => void): number => {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function forward(trees: Tree[], regionCount: number): Promise<void> {
  const random = seededRandom(regionCount);
  const grbs = Array.from({ length: regionCount }, (_, i) =>
    notice(`GRB:${i}`, 'gamma', T0 - random() * 2, {
      type: 'circle',
      raDeg: 360 * random(),
      decDeg: Math.asin(2 * random() - 1) / RAD_PER_DEG,
      radiusDeg: 1 + 14 * random(),
      containment: 0.9,
      systematicIncluded: true,
    }),
  );
  const batch = Number(option('--batch') ?? NaN) || 25_000;
  const runs = Number(option('--runs') ?? NaN) || 16;
  const alerts = Array.from({ length: runs * batch }, (_, i) => {
    const t = T0 + (i / (runs * batch)) * 0.5;
    return alert(i, random, t, random() < 0.05 ? t : t - 30 - 470 * random());
  });
  // Steady state: one alert at each region's centre first, so that every region's cover exists
  // before the timed batches (this tree builds a cover when the first alert falls near it, the
  // baseline when the notice is indexed; either way it is set-up, not per-alert cost).
  const warmUp = grbs.map((g, i) => {
    const c = g.region as { raDeg: number; decDeg: number };
    return { ...alert(runs * batch + i, random, T0, T0), raDeg: c.raDeg, decDeg: c.decDeg };
  });
  const engines = trees.map((tree) => {
    const engine = tree.createJoinEngine({ allowedLatenessSec: 86_400 });
    for (const n of grbs) engine.onNotice(n);
    for (const a of warmUp) engine.onOpticalAlert(a);
    return engine;
  });
  const rates: number[][] = trees.map(() => []);
  await gcReport();
  const matches = trees.map(() => 0);
  for (let r = 0; r < runs; r++) {
    const slice = alerts.slice(r * batch, (r + 1) * batch);
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const t of order) {
      const engine = engines[t] as AbEngine;
      global.gc?.();
      const ms = cpuMsOf(() => {
        timed(r > 0 ? t : -1, () => {
          for (const a of slice) matches[t] = (matches[t] ?? 0) + engine.onOpticalAlert(a).length;
        });
      });
      if (r > 0) rates[t]?.push(batch / (ms / 1000));
    }
  }
  const [ours, base] = rates.map(median) as [number, number];
  process.stdout.write(
    `forward  ${String(regionCount).padStart(5)} regions  alerts per CPU second, median this ${Math.round(ours).toLocaleString('en-US')}` +
      ` / baseline ${Math.round(base).toLocaleString('en-US')}  time ratio this/baseline ${(base / ours).toFixed(3)}` +
      `  (matches ${matches.join(' vs ')}; ${await gcReport()}; load ${load()})\n`,
  );
}

async function backward(trees: Tree[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-join-ab-'));
  try {
    const engines = trees.map((tree) => {
      const db = tree.openDatabase({ path: join(dir, `${tree.name}.sqlite`) });
      db.pragma('synchronous = NORMAL');
      return tree.createJoinEngine({
        buffer: new tree.SqliteOpticalBuffer(db, { batchSize: 20_000 }),
        allowedLatenessSec: 86_400,
      });
    });
    const random = seededRandom(42);
    const nightStart = T0 + 13;
    for (let i = 0; i < NIGHT_ALERTS; i++) {
      const t = nightStart + (i / NIGHT_ALERTS) * 0.4;
      const a = alert(i, random, t, t - 13 * random());
      for (const engine of engines) engine.onOpticalAlert(a);
    }
    const cpuMs: number[][] = trees.map(() => []);
    await gcReport();
    const found = trees.map(() => 0);
    const mapRandom = seededRandom(7);
    for (let k = 0; k < NOTICES; k++) {
      const { fields } = gwSkyMapFields(mapRandom);
      const n = notice(`LVK:S${k}`, 'gw', nightStart + 0.35 - 10 - mapRandom(), {
        type: 'skymap',
        url: `bench:${k}`,
      });
      const order = k % 2 === 0 ? [0, 1] : [1, 0];
      for (const t of order) {
        const tree = trees[t] as Tree;
        const region = tree.createSkyMapRegion(new tree.SkyMap(fields), 0.9, `bench-${k}`);
        let out: unknown[] = [];
        const ms = cpuMsOf(() => {
          timed(k >= 2 ? t : -1, () => {
            out = (engines[t] as AbEngine).onNotice(n, { region, eventTimeMjd: nightStart + 0.41 });
          });
        });
        // The first two notices flush the buffer's pending inserts (as in bench/join.ts).
        if (k >= 2) cpuMs[t]?.push(ms);
        found[t] = (found[t] ?? 0) + out.length;
      }
    }
    const [ours, base] = cpuMs.map(median) as [number, number];
    process.stdout.write(
      `backward ${NOTICES} GW notices vs ${NIGHT_ALERTS.toLocaleString('en-US')} buffered  CPU ms per notice median this ${ours.toFixed(2)}` +
        ` / baseline ${base.toFixed(2)}  ratio this/baseline ${(ours / base).toFixed(3)}` +
        `  (coincidences ${found.join(' vs ')}; ${await gcReport()}; load ${load()})\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const trees = [
  await loadTree('this', resolve(import.meta.dirname, '..')),
  await loadTree('baseline', resolve(baselineDir)),
];
process.stdout.write(`bench/join-ab.ts  node ${process.version}  baseline ${baselineDir}  load ${load()}\n`);
if (!args.includes('--skip-forward')) for (const n of REGION_COUNTS) await forward(trees, n);
if (!args.includes('--skip-backward')) await backward(trees);

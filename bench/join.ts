/**
 * Join engine benchmark (npx tsx bench/join.ts [--alerts N] [--batch N] [--runs N] [--regions 10,100]
 *                       [--stages] [--cpu] [--skip-forward] [--skip-night]).
 *
 * 1. Forward join: pre-decoded optical alerts per second through the engine (in-memory buffer)
 *    against 10, 100 and 1,000 active circle regions (radius 1–15°, anywhere on the sky), vs a
 *    naive loop (every alert tested against every region, same criteria, no records built):
 *    min / median / max of `--runs` (11) timed rounds after a warm-up, the loops in rotating
 *    order, the ratio of the medians and the median of the per-round ratios (steadier under
 *    load). The engine's pairs (trigger, object) must be exactly the naive loop's, or the
 *    benchmark says so and exits 1. 5 % of the
 *    alerts are new objects, the rest known objects first detected 30–500 days earlier. A second
 *    baseline adds to the naive loop what every alert costs any join that can also join
 *    backwards and score: its HEALPix cell, the background-rate count and the buffer insert
 *    (the engine's own BackgroundRate and MemoryOpticalBuffer); the gap to it is the engine's.
 * 2. A night of N optical alerts (default 10 million) through the engine with the SQLite buffer
 *    (first detections spread over the last 14 nights, uniform on the sky), then the RSS.
 * 3. Backward join: latency of onNotice for a new GW notice (a multi-order sky map with a
 *    ~30 deg² 90 % region at a random position) with the night's alerts buffered: p50 / p99 /
 *    max over 40 notices, vs a naive full scan of all N positions for the last notice (same
 *    window and region); the objects it finds must be exactly those the engine paired.
 * Seeded (mulberry32) inputs; never part of the test run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { BackgroundRate, RATE_ORDER } from '../src/join/background-rate.ts';
import { createCircleRegion } from '../src/join/circle-region.ts';
import { BUFFER_ORDER, MemoryOpticalBuffer } from '../src/join/optical-buffer.ts';
import { checkAlertQuality, DEFAULT_CRITERIA, isNewInWindow } from '../src/join/criteria.ts';
import { createJoinEngine } from '../src/join/engine.ts';
import { createSkyMapRegion } from '../src/join/skymap-region.ts';
import { DEFAULT_WINDOWS, longestWindowSpanSec } from '../src/join/windows.ts';
import type { Notice } from '../src/notices/notice.ts';
import type { OpticalAlert } from '../src/optical/optical-alert.ts';
import { RAD_PER_DEG } from '../src/sky/angles.ts';
import { ang2pixNest } from '../src/sky/healpix.ts';
import { SkyMap } from '../src/sky/skymap.ts';
import { openDatabase } from '../src/store/database.ts';
import { SqliteOpticalBuffer } from '../src/store/optical-buffer.ts';
import { seededRandom } from '../src/seeded-random.ts';
import { benchAlert as alert, benchNotice as notice, gwSkyMapFields } from './join-inputs.ts';

const args = process.argv.slice(2);
const NIGHT_ALERTS = Number(args[args.indexOf('--alerts') + 1] ?? NaN) || 10_000_000;
/** GW notices joined backward (the first two are warm-up); more gives steadier percentiles. */
const BACKWARD_NOTICES = Number(args[args.indexOf('--notices') + 1] ?? NaN) || 42;
const T0 = 61_000.2;

interface Stats {
  min: number;
  median: number;
  max: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? 0, median: s[Math.floor(s.length / 2)] ?? 0, max: s.at(-1) ?? 0 };
};
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

// ---------------------------------------------------------------- 1. forward join
/**
 * The forward rounds' clock, ms: wall time, or with --cpu the process's CPU time (user + system,
 * every thread: GC helpers included), which a loaded machine disturbs far less (rounds are ~10 ms).
 */
const useCpuClock = args.includes('--cpu');
const now = useCpuClock
  ? (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : (): number => performance.now();
/** `${triggerId}|${objectId}` of every pair, sorted: what the engine and the naive loop must agree on. */
const pairKeys = (keys: string[]): string[] => keys.sort();

function forward(regionCount: number): void {
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
  const batch = Number(args[args.indexOf('--batch') + 1] ?? NaN) || 50_000;
  // The first round warms up; the rest are timed. More rounds give steadier medians under load.
  const runs = 1 + (Number(args[args.indexOf('--runs') + 1] ?? NaN) || 11);
  // A realistic stream: 95 % of alerts come from known objects first detected 30–500 days ago.
  const alerts = Array.from({ length: runs * batch }, (_, i) => {
    const t = T0 + (i / (runs * batch)) * 0.5;
    return alert(i, random, t, random() < 0.05 ? t : t - 30 - 470 * random());
  });
  const regions = grbs.map((n) => createCircleRegion(n.region as Parameters<typeof createCircleRegion>[0]));
  const window = DEFAULT_WINDOWS['grb×optical'] ?? { startSec: 0, endSec: 0 };
  const ours: number[] = [];
  const naive: number[] = [];
  const book: number[] = [];
  /** Per round, engine rate / naive rate (paired: both timed within the same second). */
  const pairedNaive: number[] = [];
  const pairedBook: number[] = [];
  const bookBackground = new BackgroundRate();
  const bookBuffer = new MemoryOpticalBuffer();
  const retentionDays = (longestWindowSpanSec(DEFAULT_WINDOWS) + DEFAULT_CRITERIA.newToleranceSec) / 86_400;
  let matchesBook = 0;
  let matchesNaive = 0;
  const enginePairs: string[] = [];
  const engine = createJoinEngine({ allowedLatenessSec: 86_400 });
  for (const n of grbs) engine.onNotice(n);
  const runEngine = (slice: OpticalAlert[]): number => {
    const start = now();
    for (const a of slice) {
      // An index loop, as the naive loop's: no iterator per alert charged to the engine.
      const out = engine.onOpticalAlert(a);
      for (let i = 0; i < out.length; i++) {
        const c = out[i] as (typeof out)[number];
        enginePairs.push(`${c.trigger.triggerId}|${(c.counterpart as { objectId: string }).objectId}`);
      }
    }
    return batch / ((now() - start) / 1000);
  };
  const runNaive = (slice: OpticalAlert[]): number => {
    const start = now();
    for (const a of slice) {
      if (checkAlertQuality(a, DEFAULT_CRITERIA) !== undefined) continue;
      for (let k = 0; k < regions.length; k++) {
        const g = grbs[k] as Notice;
        if (
          isNewInWindow(a.firstDetectionMjd, g.triggerTimeMjd, window, DEFAULT_CRITERIA) &&
          regions[k]?.contains(a.raDeg, a.decDeg)
        )
          matchesNaive++;
      }
    }
    return batch / ((now() - start) / 1000);
  };
  // The naive loop plus the per-alert bookkeeping any join must also do: the position's cell,
  // the background-rate count and the buffer (for backward joins), as the engine does them.
  const runBook = (slice: OpticalAlert[]): number => {
    const start = now();
    for (const a of slice) {
      const passes = checkAlertQuality(a, DEFAULT_CRITERIA) === undefined;
      const cell = ang2pixNest(BUFFER_ORDER, a.raDeg, a.decDeg);
      bookBackground.observe(a, passes, cell >>> (2 * (BUFFER_ORDER - RATE_ORDER)));
      if (!passes) continue;
      if (a.firstDetectionMjd >= a.timeMjd - retentionDays) bookBuffer.add(a, cell);
      for (let k = 0; k < regions.length; k++) {
        const g = grbs[k] as Notice;
        if (
          isNewInWindow(a.firstDetectionMjd, g.triggerTimeMjd, window, DEFAULT_CRITERIA) &&
          regions[k]?.contains(a.raDeg, a.decDeg)
        )
          matchesBook++;
      }
    }
    return batch / ((now() - start) / 1000);
  };
  // --stages: the engine's per-alert bookkeeping alone, stage by stage (cumulative), each stage
  // with its own background and buffer: what an alert costs before any region is tested.
  const stageNames = ['loop + quality cuts', '+ HEALPix cell', '+ background count', '+ buffer insert'];
  const stageLoop = (depth: number): ((slice: OpticalAlert[]) => number) => {
    const background = new BackgroundRate();
    const buffer = new MemoryOpticalBuffer();
    let passed = 0;
    return (slice) => {
      const start = now();
      for (const a of slice) {
        const passes = checkAlertQuality(a, DEFAULT_CRITERIA) === undefined;
        if (depth >= 1) {
          const cell = ang2pixNest(BUFFER_ORDER, a.raDeg, a.decDeg);
          if (depth >= 2) background.observe(a, passes, cell >>> (2 * (BUFFER_ORDER - RATE_ORDER)));
          if (depth >= 3 && passes && a.firstDetectionMjd >= a.timeMjd - retentionDays) buffer.add(a, cell);
          passed += cell & 1;
        } else if (passes) passed++;
      }
      if (passed < 0) process.stdout.write('never\n');
      return batch / ((now() - start) / 1000);
    };
  };
  const withStages = args.includes('--stages');
  const loops = [runEngine, runNaive, runBook, ...(withStages ? stageNames.map((_, d) => stageLoop(d)) : [])];
  const stageRates: number[][] = stageNames.map(() => []);
  for (let r = 0; r < runs; r++) {
    const slice = alerts.slice(r * batch, (r + 1) * batch);
    // Rotate which loop goes first, so that none always runs on the coldest caches or the
    // quietest (or noisiest) part of each round.
    const rates = loops.map(() => 0);
    for (let j = 0; j < loops.length; j++) {
      const which = (r + j) % loops.length;
      rates[which] = (loops[which] as (s: OpticalAlert[]) => number)(slice);
    }
    const [oursRate = 0, naiveRate = 0, bookRate = 0] = rates;
    if (r > 0) {
      for (let d = 0; d < stageNames.length; d++) stageRates[d]?.push(rates[3 + d] ?? 0);
      ours.push(oursRate);
      naive.push(naiveRate);
      book.push(bookRate);
      pairedNaive.push(oursRate / naiveRate);
      pairedBook.push(oursRate / bookRate);
    }
  }
  // The naive loop's pairs, in an untimed pass (the timed loop only counts, as before).
  const naivePairs: string[] = [];
  for (const a of alerts) {
    if (checkAlertQuality(a, DEFAULT_CRITERIA) !== undefined) continue;
    for (let k = 0; k < regions.length; k++) {
      const g = grbs[k] as Notice;
      if (
        isNewInWindow(a.firstDetectionMjd, g.triggerTimeMjd, window, DEFAULT_CRITERIA) &&
        regions[k]?.contains(a.raDeg, a.decDeg)
      )
        naivePairs.push(`${g.triggerId}|${a.objectId}`);
    }
  }
  const a1 = pairKeys(enginePairs);
  const a2 = pairKeys(naivePairs);
  const samePairs = a1.length === a2.length && a1.every((key, i) => key === a2[i]);
  const o = stats(ours);
  const b = stats(naive);
  const k = stats(book);
  process.stdout.write(
    `forward  ${String(regionCount).padStart(5)} regions  engine min/median/max ${fmt(o.min)} / ${fmt(o.median)} / ${fmt(o.max)} alerts/s` +
      `   naive loop ${fmt(b.min)} / ${fmt(b.median)} / ${fmt(b.max)}   ratio ${(o.median / b.median).toFixed(2)} (paired per round: median ${stats(pairedNaive).median.toFixed(2)})` +
      `   naive + cell, background, buffer ${fmt(k.min)} / ${fmt(k.median)} / ${fmt(k.max)}   ratio ${(o.median / k.median).toFixed(2)} (paired ${stats(pairedBook).median.toFixed(2)})` +
      `   (${runs - 1} rounds of ${fmt(batch)}, ${useCpuClock ? 'CPU time: alerts per CPU second' : 'wall time'}; pairs ${a1.length} engine vs ${a2.length} naive: ${samePairs ? 'the same pairs' : 'NOT THE SAME PAIRS'};` +
      ` matches ${matchesNaive} vs ${matchesBook}; load ${loadavg()[0]?.toFixed(2)})\n`,
  );
  if (withStages) {
    const ns = (rates: number[]): string => (1e9 / stats(rates).median).toFixed(0);
    process.stdout.write(
      `         ns per alert (medians): engine ${ns(ours)}, naive loop ${ns(naive)}, naive + bookkeeping ${ns(book)}; ` +
        `bookkeeping stages: ${stageNames.map((name, d) => `${name} ${ns(stageRates[d] ?? [])}`).join(', ')}\n`,
    );
  }
  if (!samePairs) process.exitCode = 1;
}

// ---------------------------------------------------------------- 2 and 3. night + backward join
function nightAndBackward(): void {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-join-'));
  try {
    const db = openDatabase({ path: join(dir, 'bench.sqlite') });
    db.pragma('synchronous = NORMAL');
    const engine = createJoinEngine({
      buffer: new SqliteOpticalBuffer(db, { batchSize: 20_000 }),
      allowedLatenessSec: 86_400,
    });
    const rssBefore = process.memoryUsage().rss;
    const random = seededRandom(42);
    const nightStart = T0 + 13;
    let start = performance.now();
    for (let i = 0; i < NIGHT_ALERTS; i++) {
      const t = nightStart + (i / NIGHT_ALERTS) * 0.4;
      engine.onOpticalAlert(alert(i, random, t, t - 13 * random()));
    }
    const nightSec = (performance.now() - start) / 1000;
    const stats0 = engine.stats();
    global.gc?.();
    const rss = process.memoryUsage().rss;
    process.stdout.write(
      `night    ${fmt(NIGHT_ALERTS)} alerts through the engine (SQLite buffer) in ${nightSec.toFixed(1)} s = ${fmt(NIGHT_ALERTS / nightSec)} alerts/s; ` +
        `${fmt(stats0.bufferedObjects)} buffered; RSS ${(rss / 2 ** 30).toFixed(2)} GiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before)\n`,
    );
    const latencies: number[] = [];
    const cpuMs: number[] = [];
    let found = 0;
    const mapRandom = seededRandom(7);
    let last: { region: ReturnType<typeof createSkyMapRegion>; n: Notice; objects: Set<string> } | undefined;
    for (let k = 0; k < BACKWARD_NOTICES; k++) {
      const map = new SkyMap(gwSkyMapFields(mapRandom).fields);
      const region = createSkyMapRegion(map, 0.9, `bench-${k}`);
      const n = notice(`LVK:S${k}`, 'gw', nightStart + 0.35 - 10 - mapRandom(), {
        type: 'skymap',
        url: `bench:${k}`,
      });
      start = performance.now();
      const cpuStart = process.cpuUsage();
      const out = engine.onNotice(n, { region, eventTimeMjd: nightStart + 0.41 });
      if (k >= 2) latencies.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      if (k >= 2) cpuMs.push((cpu.user + cpu.system) / 1000);
      found += out.length;
      const objects = new Set(out.map((c) => ('objectId' in c.counterpart ? c.counterpart.objectId : '')));
      last = { region, n, objects };
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    // Baseline: a naive scan of every buffered position (typed arrays, same PRNG) for the last notice.
    const replay = seededRandom(42);
    const ra = new Float64Array(NIGHT_ALERTS);
    const dec = new Float64Array(NIGHT_ALERTS);
    const first = new Float64Array(NIGHT_ALERTS);
    for (let i = 0; i < NIGHT_ALERTS; i++) {
      const t = nightStart + (i / NIGHT_ALERTS) * 0.4;
      const a = alert(i, replay, t, t - 13 * replay());
      ra[i] = a.raDeg;
      dec[i] = a.decDeg;
      first[i] = a.firstDetectionMjd;
    }
    const naiveHits: number[] = [];
    start = performance.now();
    if (last) {
      // The GW optical window, first detection in [t0 − tolerance, t0 + 14 d] (criteria.ts).
      const window = DEFAULT_WINDOWS['gw-cbc×optical'] ?? { startSec: 0, endSec: 0 };
      const from = last.n.triggerTimeMjd + (window.startSec - DEFAULT_CRITERIA.newToleranceSec) / 86_400;
      const to = last.n.triggerTimeMjd + window.endSec / 86_400;
      for (let i = 0; i < NIGHT_ALERTS; i++) {
        const f = first[i] ?? 0;
        if (f >= from && f <= to && last.region.contains(ra[i] ?? 0, dec[i] ?? 0)) naiveHits.push(i);
      }
    }
    const naiveMs = performance.now() - start;
    const engineObjects = last?.objects ?? new Set<string>();
    const same =
      engineObjects.size === naiveHits.length &&
      naiveHits.every((i) => engineObjects.has(String(3_000_000_000_000 + i)));
    process.stdout.write(
      `backward new GW notice (~${last ? last.region.areaDeg2.toFixed(0) : '?'} deg² 90 % map) vs ${fmt(NIGHT_ALERTS)} buffered: ` +
        `p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (n=${sorted.length}, ${(found / BACKWARD_NOTICES).toFixed(0)} coincidences/notice); ` +
        `naive full scan ${naiveMs.toFixed(0)} ms (${naiveHits.length} hits, ${same ? 'the same objects as the engine' : `NOT the engine's ${engineObjects.size} objects`}); ` +
        `ratio ${(naiveMs / p(0.5)).toFixed(1)}× faster at p50; ` +
        `CPU time per notice p50 ${([...cpuMs].sort((a, b) => a - b)[Math.floor(cpuMs.length / 2)] ?? 0).toFixed(2)} ms (process.cpuUsage, steadier than wall time on a loaded machine)\n`,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`bench/join.ts  node ${process.version}  (${new Date().toISOString()})\n`);
const regionCounts = (args[args.indexOf('--regions') + 1] ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
if (!args.includes('--skip-forward'))
  for (const n of args.includes('--regions') ? regionCounts : [10, 100, 1000]) forward(n);
if (!args.includes('--skip-night')) nightAndBackward();

/**
 * Sky toolkit benchmarks (`npx tsx bench/sky.ts`). Seeded inputs, a warm-up, then
 * min/median/max over repeated runs, each against a baseline measured in the same run.
 *
 *  1. Point-in-region tests per second against 100 active regions (10 sky maps at 90 %,
 *     90 circles): every point is prepared once (unit vector + order-24 index), then tested
 *     against every region. Baseline: the same tests with a position per call
 *     (`contains(ra, dec, level)`, which recomputes the HEALPix index for each region).
 *  2. Time to load a typical LVK multi-order sky map (bytes → SkyMap) and build its 90 % MOC.
 *     The map is ../shared/upstream-samples/skymaps/bayestar.multiorder.fits when present
 *     (19,200 rows, MOCORDER 11), else a synthetic map of the same size. Baseline: the 90 %
 *     MOC built the generic way (Moc.fromCells: BigInt ranges, sort, merge).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMultiOrderSkyMap } from '../src/sky/fits-writer.ts';
import { Moc, type MocCell } from '../src/sky/moc.ts';
import { gaussianProfile, gaussianSigmaDeg } from '../src/sky/radial-profile.ts';
import { CircleLocalisation, SkyMapLocalisation, type LocalisationRegion } from '../src/sky/regions.ts';
import { preparePoint, type SkyPoint } from '../src/sky/sky-point.ts';
import { readSkyMap } from '../src/sky/skymap-read.ts';
import type { SkyMapCells } from '../src/sky/skymap.ts';
import { raDecToVector, vectorAngleRad } from '../src/sky/angles.ts';
import { faceXYToVector } from '../src/sky/healpix-deep.ts';
import { pixelAreaSr } from '../src/sky/healpix.ts';
import { seededRandom as rng } from '../src/seeded-random.ts';

function randomPosition(next: () => number): { raDeg: number; decDeg: number } {
  return { raDeg: next() * 360, decDeg: (Math.asin(2 * next() - 1) * 180) / Math.PI };
}

/**
 * A multi-order Gaussian map shaped like a BAYESTAR map: order-5 cells, refined to order 10
 * within 3σ of the centre (σ in degrees); density ∝ exp(−θ²/2σ²), normalised.
 */
function gaussianMap(raDeg: number, decDeg: number, sigmaDeg: number): SkyMapCells {
  const c = raDecToVector(raDeg, decDeg);
  const orders: number[] = [];
  const ipix: number[] = [];
  const visit = (order: number, face: number, x: number, y: number, nest: number): void => {
    const centre = faceXYToVector(order, face, x + 0.5, y + 0.5);
    const d = (vectorAngleRad(centre, c) * 180) / Math.PI;
    const sizeDeg = 58.6 / 2 ** order;
    if (order < 5 || (order < 10 && d < 3 * sigmaDeg + sizeDeg)) {
      for (let k = 0; k < 4; k++) visit(order + 1, face, 2 * x + (k & 1), 2 * y + (k >> 1), 4 * nest + k);
      return;
    }
    orders.push(order);
    ipix.push(nest);
  };
  for (let face = 0; face < 12; face++) visit(0, face, 0, 0, face);
  const sigma = (sigmaDeg * Math.PI) / 180;
  const density = new Float64Array(orders.length);
  let total = 0;
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i] as number;
    const p = ipix[i] as number;
    const face = Math.floor(p / 4 ** order);
    let x = 0;
    let y = 0;
    for (let bit = 0; bit < order; bit++) {
      const pair = Math.floor((p - face * 4 ** order) / 4 ** bit) % 4;
      x |= (pair & 1) << bit;
      y |= (pair >> 1) << bit;
    }
    const theta = vectorAngleRad(faceXYToVector(order, face, x + 0.5, y + 0.5), c);
    density[i] = Math.exp(-(theta * theta) / (2 * sigma * sigma));
    total += (density[i] as number) * pixelAreaSr(order);
  }
  for (let i = 0; i < density.length; i++) density[i] = (density[i] as number) / total;
  return { orders: Uint8Array.from(orders), ipix: Float64Array.from(ipix), densityPerSr: density };
}

interface Stats {
  min: number;
  median: number;
  max: number;
}

function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor(s.length / 2)] ?? NaN, max: s[s.length - 1] ?? NaN };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// ---------------------------------------------------------------------------------------------
// 1. Point-in-region throughput
// ---------------------------------------------------------------------------------------------
function benchPointTests(): void {
  const next = rng(20260525);
  const regions: LocalisationRegion[] = [];
  for (let i = 0; i < 10; i++) {
    const c = randomPosition(next);
    regions.push(
      new SkyMapLocalisation(
        readSkyMap(writeMultiOrderSkyMap(gaussianMap(c.raDeg, c.decDeg, 2 + 6 * next()))),
      ),
    );
  }
  for (let i = 0; i < 90; i++) {
    const c = randomPosition(next);
    const radiusDeg = 0.05 + 15 * next() ** 2;
    regions.push(
      new CircleLocalisation(c.raDeg, c.decDeg, gaussianProfile(gaussianSigmaDeg(radiusDeg, 0.9))),
    );
  }
  const pointCount = 20000;
  const positions = Array.from({ length: pointCount }, () => randomPosition(next));
  const level = 0.9;

  const prepared = (): number => {
    let hits = 0;
    for (const p of positions) {
      const point: SkyPoint = preparePoint(p.raDeg, p.decDeg);
      for (const region of regions) if (region.containsPoint(point, level)) hits++;
    }
    return hits;
  };
  const unprepared = (): number => {
    let hits = 0;
    for (const p of positions)
      for (const region of regions) if (region.contains(p.raDeg, p.decDeg, level)) hits++;
    return hits;
  };
  // Warm-up (JIT, per-level caches).
  const expected = prepared();
  if (unprepared() !== expected) throw new Error('prepared and unprepared tests disagree');
  const runs = 7;
  const fast: number[] = [];
  const slow: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    prepared();
    fast.push(((pointCount * regions.length) / (performance.now() - t)) * 1000);
    t = performance.now();
    unprepared();
    slow.push(((pointCount * regions.length) / (performance.now() - t)) * 1000);
  }
  const f = stats(fast);
  const s = stats(slow);
  console.log(
    `point-in-region tests: ${fmt(pointCount)} points × ${regions.length} regions (10 sky maps at 90 %, 90 circles), ${runs} runs, ${expected} hits`,
  );
  console.log(
    `  prepared point (index once)   tests/s  min ${fmt(f.min)}  median ${fmt(f.median)}  max ${fmt(f.max)}`,
  );
  console.log(
    `  baseline: position per call   tests/s  min ${fmt(s.min)}  median ${fmt(s.median)}  max ${fmt(s.max)}`,
  );
  console.log(
    `  ratio (median): ${fmt(f.median / s.median, 2)}×   target ≥ 2,000,000 tests/s: ${f.median >= 2e6 ? 'met' : 'NOT met'}`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Load an LVK multi-order map and build its 90 % MOC
// ---------------------------------------------------------------------------------------------
function benchMapToMoc(): void {
  const sample = join(
    fileURLToPath(new URL('..', import.meta.url)),
    '..',
    'shared',
    'upstream-samples',
    'skymaps',
    'bayestar.multiorder.fits',
  );
  const bytes = existsSync(sample)
    ? new Uint8Array(readFileSync(sample))
    : writeMultiOrderSkyMap(gaussianMap(194.3, -17.9, 3));
  const label = existsSync(sample) ? 'bayestar.multiorder.fits (MS181101ab)' : 'synthetic multi-order map';
  const fastPath = (): Moc => readSkyMap(bytes).credibleMoc(0.9);
  const genericPath = (): Moc => {
    const map = readSkyMap(bytes);
    const cells = map.cells();
    const cellsIn: MocCell[] = [];
    const level = 0.9;
    for (let k = 0; k < map.cellCount; k++) {
      const c = map.cellCentre(k);
      if (map.credibleLevelAt(c.raDeg, c.decDeg) <= level) {
        cellsIn.push({ order: cells.orders[k] as number, ipix: BigInt(cells.ipix[k] as number) });
      }
    }
    return Moc.fromCells(cellsIn);
  };
  const a = fastPath();
  const b = genericPath();
  if (!a.equals(b)) throw new Error('the two 90 % MOCs differ');
  for (let i = 0; i < 3; i++) fastPath();
  const runs = 9;
  const fast: number[] = [];
  const slow: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    fastPath();
    fast.push(performance.now() - t);
    t = performance.now();
    genericPath();
    slow.push(performance.now() - t);
  }
  const f = stats(fast);
  const s = stats(slow);
  console.log(
    `load + 90 % MOC: ${label}, ${bytes.length} bytes, 90 % MOC ${fmt(a.areaDeg2(), 3)} deg² in ${a.rangeCount} ranges, ${runs} runs`,
  );
  console.log(
    `  readSkyMap + credibleMoc      ms  min ${fmt(f.min, 1)}  median ${fmt(f.median, 1)}  max ${fmt(f.max, 1)}`,
  );
  console.log(
    `  baseline: generic BigInt MOC  ms  min ${fmt(s.min, 1)}  median ${fmt(s.median, 1)}  max ${fmt(s.max, 1)}`,
  );
  console.log(
    `  ratio (median): ${fmt(s.median / f.median, 2)}×   target ≤ 200 ms: ${f.median <= 200 ? 'met' : 'NOT met'}`,
  );
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
benchPointTests();
benchMapToMoc();

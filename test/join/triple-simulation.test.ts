/**
 * The triple formula (src/join/triple-score.ts) tested by simulation, through the code that
 * builds the records (product-map.ts → createSkyMapRegion → tripleBuilder):
 *  1. background only: p (the optical chance probability under the combined localisation) of a
 *     pair's most extreme object is uniform on [0, 1] (KS test);
 *  2. background only, chance pairs with FAR uniform on [0, F_max] (what a calibrated FAR means):
 *     the number of triples with FAR_triple ≤ r is N r / F_max at every r (FAR_triple is a FAR),
 *     while the bare product F · p is not;
 *  3. injected triples (a source, a GW and a GRB localisation drawn around it from their own
 *     densities, an optical counterpart at the source among background objects): the combined
 *     90 % region holds the counterpart 90 % of the time, and recall at FAR_triple ≤ 1/yr.
 * Seeded: the figures are reproducible; each test prints them (node --test diagnostics).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActiveRegion } from '../../src/join/active-region.ts';
import type { MeasuredRate } from '../../src/join/background-rate.ts';
import { buildMessengerCoincidence } from '../../src/join/build-coincidence.ts';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { productSkyMap } from '../../src/join/product-map.ts';
import { defaultRegionResolver } from '../../src/join/region-resolver.ts';
import { DAY_SEC, YEAR_SEC } from '../../src/join/score.ts';
import { DEFAULT_SCORE_SETTINGS } from '../../src/join/searches.ts';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { tripleBuilder } from '../../src/join/triples.ts';
import { tripleFarHz } from '../../src/join/triple-score.ts';
import type { BufferedAlert } from '../../src/join/optical-buffer.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { circle, makeNotice, seededRandom } from './make-records.ts';

const T0 = 60_000.5;
const WINDOW = { startSec: 0, endSec: 14 * DAY_SEC };
const T_MAX_DAYS = 14;
const F_MAX = DEFAULT_SCORE_SETTINGS.tripleMaxPairFarHz;
const DEG = Math.PI / 180;

type Rng = () => number;

function poisson(rng: Rng, mean: number): number {
  // Knuth's method (means here are ≤ 100).
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** The point at angle θ (rad) and position angle φ (rad) from (ra, dec), degrees. */
function offset(raDeg: number, decDeg: number, theta: number, phi: number): [number, number] {
  const d = decDeg * DEG;
  const a = raDeg * DEG;
  const dec2 = Math.asin(Math.sin(d) * Math.cos(theta) + Math.cos(d) * Math.sin(theta) * Math.cos(phi));
  const ra2 =
    a +
    Math.atan2(Math.sin(phi) * Math.sin(theta) * Math.cos(d), Math.cos(theta) - Math.sin(d) * Math.sin(dec2));
  return [(((ra2 / DEG) % 360) + 360) % 360, dec2 / DEG];
}

/** A uniform point in the cap of radius R (rad) around (ra, dec). */
function uniformInCap(rng: Rng, raDeg: number, decDeg: number, capRad: number): [number, number] {
  const cosTheta = 1 - rng() * (1 - Math.cos(capRad));
  return offset(raDeg, decDeg, Math.acos(cosTheta), 2 * Math.PI * rng());
}

/** A draw from the spherical Gaussian p(θ) ∝ exp(−θ²/2σ²) (Rayleigh proposal, sin θ/θ acceptance). */
function gaussianOffset(rng: Rng, raDeg: number, decDeg: number, sigmaDeg: number): [number, number] {
  for (;;) {
    const theta = sigmaDeg * DEG * Math.sqrt(-2 * Math.log(1 - rng()));
    if (theta < Math.PI && rng() < Math.sin(theta) / theta)
      return offset(raDeg, decDeg, theta, 2 * Math.PI * rng());
  }
}

function capAreaDeg2(capRad: number): number {
  return 2 * Math.PI * (1 - Math.cos(capRad)) * (180 / Math.PI) ** 2;
}

const rate = (perDeg2PerDay: number): MeasuredRate => ({
  perDeg2PerDay,
  source: 'measured',
  fromNight: T0 - 30,
  toNight: T0 - 2,
  observedCellNights: 1,
  newObjects: 1,
  exposureDeg2Day: 1,
});

const gwNotice = (ra: number, dec: number, radiusDeg: number): Notice =>
  makeNotice({
    triggerId: 'LVK:S1',
    messenger: 'gw',
    timeMjd: T0,
    region: circle(ra, dec, radiusDeg),
    farHz: 1e-9,
  });
const grbNotice = (ra: number, dec: number, radiusDeg: number): Notice =>
  makeNotice({
    triggerId: 'GRB:1',
    timeMjd: T0 + 2 / 86_400,
    region: circle(ra, dec, radiusDeg),
    observatory: 'Swift',
    instrument: 'BAT',
    noticeType: 'Swift_BAT_GRB_Pos',
  });

interface Setup {
  gw: Notice;
  grb: Notice;
  gwRegion: ActiveRegion;
  grbRegion: ActiveRegion;
  combined: ActiveRegion;
  pair: Coincidence;
}

function setup(gw: Notice, grb: Notice): Setup {
  const gwRegion = defaultRegionResolver(gw, 0.9) as ActiveRegion;
  const grbRegion = defaultRegionResolver(grb, 0.9) as ActiveRegion;
  const map = productSkyMap(gwRegion.density, grbRegion.density);
  assert.ok(map);
  const pair = buildMessengerCoincidence({
    trigger: gw,
    triggerClass: 'gw-cbc',
    triggerRegion: gwRegion,
    counterpart: grb,
    counterpartClass: 'grb',
    counterpartRegion: grbRegion,
    window: { startSec: -1, endSec: 5 },
    settings: DEFAULT_SCORE_SETTINGS,
  });
  assert.ok(pair?.farHz !== undefined);
  return { gw, grb, gwRegion, grbRegion, combined: createSkyMapRegion(map, 0.9, 'sim'), pair };
}

function builderFor(s: Setup, perDeg2PerDay: number, pairFarHz: number) {
  return tripleBuilder({
    pair: { ...s.pair, farHz: pairFarHz },
    trigger: s.gw,
    partner: s.grb,
    windowNotice: s.gw,
    combined: s.combined,
    bothRegions: true,
    triggerAreaDeg2: s.gwRegion.areaDeg2,
    window: WINDOW,
    rate: rate(perDeg2PerDay),
    settings: DEFAULT_SCORE_SETTINGS,
  });
}

const alertAt = (objectId: string, raDeg: number, decDeg: number, tauDays: number): BufferedAlert => ({
  survey: 'LSST',
  objectId,
  alertId: objectId,
  raDeg,
  decDeg,
  timeMjd: T0 + tauDays,
  firstDetectionMjd: T0 + tauDays,
});

/** Kolmogorov–Smirnov distance of a sample from U(0, 1). */
function ksUniform(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  let d = 0;
  v.forEach((x, i) => {
    d = Math.max(d, (i + 1) / v.length - x, x - i / v.length);
  });
  return d;
}

/**
 * Background only: per trial, Poisson objects uniform in a cap holding the combined region,
 * first detections uniform in the window; returns each trial's smallest p among the objects in
 * the combined region (undefined when none is), and the expected count in the region λ.
 */
function simulateBackground(
  s: Setup,
  rng: Rng,
  trials: number,
  expectedInRegion: number,
): { pMin: Array<number | undefined>; perDeg2PerDay: number } {
  const perDeg2PerDay = expectedInRegion / (s.combined.areaDeg2 * T_MAX_DAYS);
  const capRad = 10 * DEG;
  const build = builderFor(s, perDeg2PerDay, s.pair.farHz as number);
  const centre = s.combined.centre;
  const meanInCap = perDeg2PerDay * capAreaDeg2(capRad) * T_MAX_DAYS;
  const pMin: Array<number | undefined> = [];
  for (let t = 0; t < trials; t++) {
    let best: number | undefined;
    const n = poisson(rng, meanInCap);
    for (let k = 0; k < n; k++) {
      const [ra, dec] = uniformInCap(rng, centre.raDeg, centre.decDeg, capRad);
      if (!s.combined.contains(ra, dec)) continue;
      const p = build(alertAt(`b${k}`, ra, dec, rng() * T_MAX_DAYS), []).pChance;
      if (best === undefined || p < best) best = p;
    }
    pMin.push(best);
  }
  return { pMin, perDeg2PerDay };
}

describe('triple formula, by simulation', () => {
  const s = setup(gwNotice(150, 20, 12), grbNotice(153, 21, 4));
  const rng = seededRandom(20261207);
  const trials = 6000;
  const lambda = 3;
  const { pMin } = simulateBackground(s, rng, trials, lambda);

  test('the combined localisation is the product of the two densities, renormalised', () => {
    // Its 90 % region is smaller than either circle's and centred between them, nearer the GRB.
    assert.ok(s.combined.areaDeg2 < s.grbRegion.areaDeg2);
    const c = s.combined.centre;
    assert.ok(c.raDeg > 150 && c.raDeg < 153.5 && c.decDeg > 19.5 && c.decDeg < 21.5, JSON.stringify(c));
    // Density ratio between two points equals the product of the two densities' ratios.
    const ratio = (ra: number, dec: number) =>
      s.gwRegion.densityPerSr(ra, dec) * s.grbRegion.densityPerSr(ra, dec);
    const got = s.combined.densityPerSr(152, 21) / s.combined.densityPerSr(153.5, 22);
    const want = ratio(152, 21) / ratio(153.5, 22);
    assert.ok(Math.abs(got / want - 1) < 0.05, `${got} vs ${want}`);
  });

  test('under background, p of the most extreme object is uniform (KS)', (t) => {
    // No object in the region: p is above 1 − e^(−λ); randomised there (a standard randomised p).
    const pValues = pMin.map((p) => (p === undefined ? -Math.expm1(-lambda) + Math.exp(-lambda) * rng() : p));
    const d = ksUniform(pValues);
    const critical1pc = 1.628 / Math.sqrt(trials);
    const frac = (q: number) => pValues.filter((p) => p <= q).length / trials;
    t.diagnostic(
      `background: ${trials} trials, λ = ${lambda} objects per region; A90 combined ${s.combined.areaDeg2.toFixed(2)} deg² (GW ${s.gwRegion.areaDeg2.toFixed(1)}, GRB ${s.grbRegion.areaDeg2.toFixed(1)}); KS D = ${d.toFixed(4)} (1 % critical ${critical1pc.toFixed(4)}); P(p ≤ 0.01) = ${frac(0.01).toFixed(4)}, P(p ≤ 0.1) = ${frac(0.1).toFixed(4)}, P(p ≤ 0.5) = ${frac(0.5).toFixed(4)}`,
    );
    assert.ok(d < critical1pc, `KS D ${d} ≥ ${critical1pc}`);
    for (const q of [0.01, 0.05, 0.1, 0.5]) {
      const sigma = Math.sqrt((q * (1 - q)) / trials);
      assert.ok(Math.abs(frac(q) - q) < 4 * sigma, `P(p ≤ ${q}) = ${frac(q)}`);
    }
  });

  test('under background, FAR_triple is a false-alarm rate and F · p is not', (t) => {
    // Chance pairs with FAR uniform on [0, F_max]; each pair's triple is its most extreme object.
    const n = pMin.length;
    const u: number[] = [];
    const naive: number[] = [];
    for (const p of pMin) {
      const f = F_MAX * rng();
      if (p === undefined) continue;
      u.push(tripleFarHz(f, p, F_MAX) / F_MAX);
      naive.push((f * p) / F_MAX);
    }
    const lines: string[] = [];
    for (const q of [0.1, 0.03, 0.01, 0.003]) {
      const expected = n * q;
      const got = u.filter((x) => x <= q).length;
      const gotNaive = naive.filter((x) => x <= q).length;
      const z = (got - expected) / Math.sqrt(expected);
      lines.push(
        `FAR ≤ ${q} F_max: ${got} triples (expected ${expected.toFixed(1)}, z = ${z.toFixed(2)}); F·p ≤ ${q} F_max: ${gotNaive}`,
      );
      assert.ok(Math.abs(z) < 4, lines.at(-1));
      if (q <= 0.01)
        assert.ok(gotNaive > expected + 4 * Math.sqrt(expected), `F·p is anti-conservative: ${lines.at(-1)}`);
    }
    t.diagnostic(`calibration over ${n} chance pairs: ${lines.join('; ')}`);
  });

  test('injected triples: coverage of the combined region and recall', (t) => {
    const inj = seededRandom(7);
    const injections = 150;
    const gwRadius = 12;
    const grbRadius = 4;
    const sigmaOf = (r: number) => r / Math.sqrt(-2 * Math.log(0.1));
    // New, unrelated transients after the quality cuts, deg⁻² day⁻¹ (0.02: ~300 per night over a
    // 15 000 deg² survey; fink-mm's 31 deg⁻² night⁻¹ counts every ZTF alert, variables included).
    const perDeg2PerDay = 0.02;
    // 1/yr; 1/(100 yr); 1/(10⁴ yr), gwcelery's speed-of-gravity paper threshold (statistics.md §1.8).
    const thresholds = [1 / YEAR_SEC, 1 / (100 * YEAR_SEC), 1 / (1e4 * YEAR_SEC)];
    let inGw = 0;
    let inCombined = 0;
    let sharper = 0;
    let mostExtreme = 0;
    const recall = thresholds.map(() => ({ triple: 0, pair: 0 }));
    const tiers = { gold: 0, silver: 0, bronze: 0, none: 0 };
    const pTriple: number[] = [];
    const pGwOnly: number[] = [];
    for (let i = 0; i < injections; i++) {
      const src: [number, number] = [360 * inj(), Math.asin(0.9 * (2 * inj() - 1)) / DEG];
      const [gRa, gDec] = gaussianOffset(inj, src[0], src[1], sigmaOf(gwRadius));
      const [bRa, bDec] = gaussianOffset(inj, src[0], src[1], sigmaOf(grbRadius));
      // GW candidates from clearly significant to the public-alert threshold (2/day = 2.3e-5 Hz):
      // FAR_GW log-uniform in [1e-10, 2.3e-5] Hz.
      const gw = { ...gwNotice(gRa, gDec, gwRadius), farHz: 10 ** (-10 + Math.log10(2.3e5) * inj()) };
      const si = setup(gw, grbNotice(bRa, bDec, grbRadius));
      if (si.gwRegion.contains(src[0], src[1])) inGw++;
      const pairFar = si.pair.farHz as number;
      thresholds.forEach((thr, k) => {
        if (pairFar <= thr) (recall[k] as { pair: number }).pair++;
      });
      if (!si.combined.contains(src[0], src[1])) continue;
      inCombined++;
      const build = builderFor(si, perDeg2PerDay, pairFar);
      const tau = 0.2 + 2 * inj(); // first detection 0.2–2.2 days after the merger
      const triple = build(alertAt('counterpart', src[0], src[1], tau), []);
      pTriple.push(triple.pChance);
      tiers[triple.tier ?? 'none']++;
      thresholds.forEach((thr, k) => {
        if ((triple.farHz as number) <= thr) (recall[k] as { triple: number }).triple++;
      });
      // The same object as the GW's own optical pair (statistics.md §5.3 on the GW circle alone).
      const sPair = Math.max(si.gwRegion.searchedAreaDeg2(src[0], src[1]), 1e-9) * tau;
      const sMaxPair = si.gwRegion.areaDeg2 * T_MAX_DAYS;
      const pPair = -Math.expm1(-perDeg2PerDay * sPair * (1 + Math.log(sMaxPair / sPair)));
      pGwOnly.push(pPair);
      if (triple.pChance < pPair) sharper++;
      // Background objects of the same pair: is the counterpart the pair's most extreme triple?
      const capRad = 10 * DEG;
      const n = poisson(inj, perDeg2PerDay * capAreaDeg2(capRad) * T_MAX_DAYS);
      let beaten = false;
      for (let k = 0; k < n; k++) {
        const [ra, dec] = uniformInCap(inj, si.combined.centre.raDeg, si.combined.centre.decDeg, capRad);
        if (!si.combined.contains(ra, dec)) continue;
        if (build(alertAt(`b${k}`, ra, dec, inj() * T_MAX_DAYS), []).pChance < triple.pChance) beaten = true;
      }
      if (!beaten) mostExtreme++;
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
    const coverage = inCombined / injections;
    const sigma = Math.sqrt((0.9 * 0.1) / injections);
    const fmt = (k: number, n: number) => `${k}/${n} = ${(k / n).toFixed(3)}`;
    t.diagnostic(
      [
        `injections ${injections} (GW circle 12° at 90 %, GRB circle 4°, FAR_GW log-uniform 1e-10–2.3e-5 Hz, ρ̇ = ${perDeg2PerDay} deg⁻² day⁻¹, τ 0.2–2.2 d)`,
        `counterpart in the GW 90 % circle ${fmt(inGw, injections)}, in the combined 90 % region ${fmt(inCombined, injections)} (expected 0.9 ± ${sigma.toFixed(3)})`,
        ...thresholds.map(
          (thr, k) =>
            `recall at FAR ≤ 1/(${(1 / (thr * YEAR_SEC)).toPrecision(2)} yr): triple ${fmt((recall[k] as { triple: number }).triple, injections)}, messenger pair alone ${fmt((recall[k] as { pair: number }).pair, injections)}`,
        ),
        `triple tiers: ${JSON.stringify(tiers)}; the counterpart is its pair's most extreme object in ${fmt(mostExtreme, inCombined)}`,
        `p under the combined localisation < p under the GW alone in ${fmt(sharper, inCombined)}; median p ${median(pTriple).toExponential(3)} vs ${median(pGwOnly).toExponential(3)}`,
      ].join('; '),
    );
    assert.ok(Math.abs(coverage - 0.9) < 4 * sigma, `coverage ${coverage}`);
    assert.ok(sharper / inCombined > 0.8, `the combined localisation sharpens p: ${sharper}/${inCombined}`);
    assert.ok(median(pTriple) < median(pGwOnly));
  });
});

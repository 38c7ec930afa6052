import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import {
  opticalChanceProbability,
  overlapIntegral,
  spaceTimeFarHz,
  targetedTemporalFarHz,
  temporalFarHz,
  tierFromPChance,
  YEAR_SEC,
} from '../../src/join/score.ts';
import { pix2angNest, pixelCount } from '../../src/sky/healpix.ts';

describe('RAVEN joint FAR', () => {
  test('the temporal FAR reproduces the LVK notice golden value exactly (statistics.md §1.5)', () => {
    // lvc_preliminary_75503.xml and lvc_initial_16300.xml: 6 s × 325/yr × FAR_GW.
    assert.equal(temporalFarHz(6, 325 / YEAR_SEC, 9.110699364861297e-14), 5.6335184428841735e-18);
  });

  test('the space-time FAR divides by the overlap integral, as in the golden notices', () => {
    const temporal = 5.6335184428841735e-18;
    const fromSvom = spaceTimeFarHz(temporal, temporal / 9.185922390956556e-19);
    assert.ok(Math.abs(fromSvom / 9.185922390956556e-19 - 1) < 1e-12);
    assert.ok(Math.abs(temporal / 9.185922390956556e-19 - 6.1328) < 1e-4);
    assert.ok(Math.abs(temporal / 2.7372235489523667e-16 - 0.020581) < 1e-6);
    assert.equal(spaceTimeFarHz(temporal, 0), Number.POSITIVE_INFINITY);
  });

  test('the targeted FAR is Z (1 − ln(Z/Z_max)) and equals Z_max at the threshold', () => {
    const zMax = 6 * 1e-4 * (2 / 86_400);
    assert.ok(Math.abs(targetedTemporalFarHz(6, 1e-4, 2 / 86_400, 1e-4, 2 / 86_400) - zMax) < 1e-24);
    const z = 6 * 1e-6 * 1e-8;
    assert.ok(
      Math.abs(targetedTemporalFarHz(6, 1e-6, 1e-8, 1e-4, 2 / 86_400) - z * (1 - Math.log(z / zMax))) < 1e-24,
    );
  });
});

describe('sky-map overlap integral', () => {
  test('two identical narrow circles overlap far better than isotropic, distant ones far worse', () => {
    const a = createCircleRegion({ raDeg: 100, decDeg: 10, radiusDeg: 5, containment: 0.9 });
    const same = overlapIntegral(a, a);
    // Two identical 2-D Gaussians: I = 4π / (4π σ²) = 1/σ² (σ in rad), σ = 5°/2.146.
    const sigmaRad = ((5 / Math.sqrt(-2 * Math.log(0.1))) * Math.PI) / 180;
    assert.ok(Math.abs(same * sigmaRad * sigmaRad - 1) < 1e-3, `I = ${same}`);
    const far = createCircleRegion({ raDeg: 280, decDeg: -10, radiusDeg: 5, containment: 0.9 });
    assert.ok(overlapIntegral(a, far) < 1e-10);
  });

  test('the cell-sum discretisation of a map agrees with the closed form for circles', () => {
    const a = createCircleRegion({ raDeg: 100, decDeg: 10, radiusDeg: 6, containment: 0.9 });
    const b = createCircleRegion({ raDeg: 104, decDeg: 12, radiusDeg: 4, containment: 0.68 });
    const order = 7;
    const orders: number[] = [];
    const ipix: number[] = [];
    const density: number[] = [];
    for (let p = 0; p < pixelCount(order); p++) {
      const { raDeg, decDeg } = pix2angNest(order, p);
      const d = a.densityPerSr(raDeg, decDeg);
      if (d < 1e-6) continue;
      orders.push(order);
      ipix.push(p);
      density.push(d);
    }
    const map = createSkyMapRegion(
      new SkyMap({
        orders: Uint8Array.from(orders),
        ipix: Float64Array.from(ipix),
        densityPerSr: Float64Array.from(density),
      }),
    );
    const exact = overlapIntegral(a, b);
    const discrete = overlapIntegral(map, b);
    assert.ok(Math.abs(discrete / exact - 1) < 0.01, `${discrete} vs ${exact}`);
    // The map's 90 % region is the circle's 90 % region.
    assert.ok(Math.abs(map.areaDeg2 / a.areaDeg2 - 1) < 0.03, `${map.areaDeg2} vs ${a.areaDeg2}`);
  });
});

describe('optical chance probability', () => {
  test('reproduces the worked check of statistics.md §5.3', () => {
    // ρ̇ = 1, A_max T_max = 100, s = 1 → N_bg = 1 + ln 100 = 5.6052, p = 0.99632.
    const p = opticalChanceProbability({
      ratePerDeg2PerDay: 1,
      searchedAreaDeg2: 1,
      delayDays: 1,
      maxAreaDeg2: 10,
      maxDelayDays: 10,
    });
    assert.ok(Math.abs(p - (1 - Math.exp(-(1 + Math.log(100))))) < 1e-12);
    assert.ok(Math.abs(p - 0.99632) < 1e-5);
  });

  test('is a probability: 0 at s = 0, growing with s, never above 1', () => {
    let previous = -1;
    for (const s of [0, 1e-6, 1e-3, 0.1, 1, 10, 100, 1e4]) {
      const p = opticalChanceProbability({
        ratePerDeg2PerDay: 0.5,
        searchedAreaDeg2: s,
        delayDays: 1,
        maxAreaDeg2: 100,
        maxDelayDays: 3,
      });
      assert.ok(p >= 0 && p <= 1 && p >= previous, `s=${s} p=${p}`);
      previous = p;
    }
  });

  test('floors: exact centre and τ ≤ 0 score as the floor, never pChance 0', () => {
    const base = { ratePerDeg2PerDay: 0.5, maxAreaDeg2: 100, maxDelayDays: 3 };
    const floors = { minAreaDeg2: Math.PI * (1 / 3600) ** 2, minDelayDays: 30 / 86_400 };
    const atFloor = opticalChanceProbability({
      ...base,
      ...floors,
      searchedAreaDeg2: floors.minAreaDeg2,
      delayDays: floors.minDelayDays,
    });
    assert.ok(atFloor > 0);
    for (const [area, delay] of [
      [0, 1],
      [1, 0],
      [1, -0.5],
      [0, 0],
    ] as const) {
      const p = opticalChanceProbability({ ...base, ...floors, searchedAreaDeg2: area, delayDays: delay });
      assert.ok(p > 0, `A_s ${area}, τ ${delay}: pChance ${p}`);
    }
    // τ ≤ 0 scores exactly as τ_min, no better.
    const atTauMin = opticalChanceProbability({
      ...base,
      ...floors,
      searchedAreaDeg2: 1,
      delayDays: floors.minDelayDays,
    });
    assert.equal(
      opticalChanceProbability({ ...base, ...floors, searchedAreaDeg2: 1, delayDays: -0.01 }),
      atTauMin,
    );
  });
});

describe('tiers', () => {
  test('optical tiers follow the documented pChance thresholds', () => {
    assert.equal(tierFromPChance(5e-4), 'gold');
    assert.equal(tierFromPChance(5e-3), 'silver');
    assert.equal(tierFromPChance(0.05), 'bronze');
    assert.equal(tierFromPChance(0.5), null);
  });
});

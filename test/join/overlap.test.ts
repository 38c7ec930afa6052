/**
 * The overlap integral against independent values: the closed form of two von Mises–Fisher
 * densities (exact on the sphere) and of the Fermi GBM mixture, Monte-Carlo integrals on a real
 * LVK sky map, exact union-grid identities for map × map, and the point limit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { analyticDensityOf } from '../../src/join/circle-region.ts';
import { overlapOfDensities, type MapDensity } from '../../src/join/overlap.ts';
import { offsetByDeg, raDecToVector } from '../../src/sky/angles.ts';
import { connaughtonKappa, fisherKappa, GBM_SYSTEMATICS } from '../../src/sky/radial-profile.ts';
import { regionFromNotice } from '../../src/sky/regions.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { seededRandom } from './make-records.ts';

/** ln C(κ), C(κ) = κ / (4π sinh κ). */
function logC(k: number): number {
  return Math.log(k) - Math.log(4 * Math.PI) - (k + Math.log(-Math.expm1(-2 * k)) - Math.LN2);
}

/** 4π ∫ vMF(κ₁, μ₁) vMF(κ₂, μ₂) dΩ = 4π C(κ₁) C(κ₂) / C(|κ₁μ₁ + κ₂μ₂|). */
function vmfOverlap(k1: number, u1: readonly number[], k2: number, u2: readonly number[]): number {
  const k3 = Math.hypot(k1 * u1[0]! + k2 * u2[0]!, k1 * u1[1]! + k2 * u2[1]!, k1 * u1[2]! + k2 * u2[2]!);
  return 4 * Math.PI * Math.exp(logC(k1) + logC(k2) - logC(k3));
}

function circle(raDeg: number, decDeg: number, radiusDeg: number, model: 'fisher' | 'gaussian' = 'fisher') {
  return regionFromNotice(
    { type: 'circle', raDeg, decDeg, radiusDeg, containment: 0.9, systematicIncluded: true },
    { circleModel: model },
  );
}

describe('overlap integral: analytic × analytic', () => {
  test('two Fisher circles from 1″ to 20° agree with the closed form within 3e-4', () => {
    const cases: Array<[number, number, number]> = [
      [1 / 3600, 1 / 3600, 0],
      [1 / 60, 1 / 60, 1 / 60],
      [1, 2, 1],
      [20, 1, 10],
      [20, 20, 30],
      [1 / 3600, 20, 5],
      [3 / 60, 10, 3],
    ];
    for (const [r1, r2, sep] of cases) {
      const a = circle(100, 20, r1);
      const b = circle(100, 20 + sep, r2);
      const value = overlapOfDensities(analyticDensityOf(a), analyticDensityOf(b));
      const exact = vmfOverlap(
        fisherKappa(r1, 0.9),
        raDecToVector(100, 20),
        fisherKappa(r2, 0.9),
        raDecToVector(100, 20 + sep),
      );
      assert.ok(Math.abs(value / exact - 1) < 3e-4, `r ${r1}°, ${r2}°, sep ${sep}°: ${value} vs ${exact}`);
    }
  });

  test('a Fermi GBM core-plus-tail circle × a Fisher circle agrees with the mixture closed form', () => {
    const gbm = regionFromNotice(
      { type: 'circle', raDeg: 50, decDeg: -30, radiusDeg: 5, containment: 0.68, systematicIncluded: false },
      { circleModel: 'gbm', noticeType: 'Fermi_GBM_Gnd_Pos' },
    );
    const other = circle(58, -26, 0.5);
    const sys = GBM_SYSTEMATICS.GND_POS!;
    const u1 = raDecToVector(50, -30);
    const u2 = raDecToVector(58, -26);
    const k2 = fisherKappa(0.5, 0.9);
    const exact =
      sys.coreWeight * vmfOverlap(connaughtonKappa(5, sys.coreSysDeg), u1, k2, u2) +
      (1 - sys.coreWeight) * vmfOverlap(connaughtonKappa(5, sys.tailSysDeg), u1, k2, u2);
    const value = overlapOfDensities(analyticDensityOf(gbm), analyticDensityOf(other));
    assert.ok(Math.abs(value / exact - 1) < 3e-4, `${value} vs ${exact}`);
  });

  test('two distant narrow circles have zero overlap', () => {
    const value = overlapOfDensities(
      analyticDensityOf(circle(10, 10, 1 / 60, 'gaussian')),
      analyticDensityOf(circle(200, -40, 1 / 60, 'gaussian')),
    );
    assert.equal(value, 0);
  });
});

describe('overlap integral: sky map × region', { skip: skipUnlessShared() }, () => {
  const map = (): MapDensity => {
    const skymap = readSkyMap(readFileSync(samplePath('skymaps/bayestar.multiorder.fits')));
    return { kind: 'map', skymap: skymap.normalised() };
  };

  test('a 3′ Swift circle moved in 1′ steps matches a Monte-Carlo integral at every step (no cell-centre sampling)', () => {
    const m = map();
    const peak = m.skymap.maxProbPosition();
    const random = seededRandom(7);
    const sigmaDeg = 3 / 60 / Math.sqrt(-2 * Math.log(0.1));
    for (let step = 0; step < 8; step++) {
      const centre = offsetByDeg(peak.raDeg, peak.decDeg, step / 60, 30);
      const region = circle(centre.raDeg, centre.decDeg, 3 / 60, 'gaussian');
      const value = overlapOfDensities(m, analyticDensityOf(region));
      // Monte Carlo: I = E_p[4π ρ_map(Ω)] with Ω drawn from the circle's Gaussian.
      const n = 40_000;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const r = sigmaDeg * Math.sqrt(-2 * Math.log(1 - random()));
        const p = offsetByDeg(centre.raDeg, centre.decDeg, r, 360 * random());
        sum += 4 * Math.PI * m.skymap.densityPerSrAt(p.raDeg, p.decDeg);
      }
      const mc = sum / n;
      assert.ok(Math.abs(value / mc - 1) < 0.01, `step ${step}′: ${value} vs Monte Carlo ${mc}`);
    }
  });

  test('a 1″ circle tends to 4π ρ_map at its position; a point gives exactly that', () => {
    const m = map();
    const peak = m.skymap.maxProbPosition();
    const pos = offsetByDeg(peak.raDeg, peak.decDeg, 0.05, 70);
    const limit = 4 * Math.PI * m.skymap.densityPerSrAt(pos.raDeg, pos.decDeg);
    const tiny = overlapOfDensities(
      m,
      analyticDensityOf(circle(pos.raDeg, pos.decDeg, 1 / 3600, 'gaussian')),
    );
    assert.ok(Math.abs(tiny / limit - 1) < 1e-5, `${tiny} vs ${limit}`);
    assert.equal(overlapOfDensities(m, { kind: 'point', ...pos }), limit);
  });

  test('map × map: a map split into finer cells of the same density, and at mixed depths', () => {
    const m = map();
    const cells = m.skymap.cells();
    // Every cell split into its 4 children (mixed orders stay mixed), same density.
    const n = cells.orders.length;
    const orders = new Uint8Array(4 * n);
    const ipix = new Float64Array(4 * n);
    const density = new Float64Array(4 * n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < 4; j++) {
        orders[4 * k + j] = cells.orders[k]! + 1;
        ipix[4 * k + j] = 4 * cells.ipix[k]! + j;
        density[4 * k + j] = cells.densityPerSr[k]!;
      }
    }
    const fine: MapDensity = { kind: 'map', skymap: new SkyMap({ orders, ipix, densityPerSr: density }) };
    let sumSquares = 0;
    for (let k = 0; k < n; k++)
      sumSquares += cells.densityPerSr[k]! ** 2 * ((4 * Math.PI) / (12 * 4 ** cells.orders[k]!));
    const exact = 4 * Math.PI * sumSquares;
    assert.ok(Math.abs(overlapOfDensities(m, m) / exact - 1) < 1e-12);
    assert.ok(Math.abs(overlapOfDensities(m, fine) / exact - 1) < 1e-12);
    // An isotropic map: I_Ω = 1 with any normalised map.
    const iso: MapDensity = {
      kind: 'map',
      skymap: new SkyMap({
        orders: new Uint8Array(12),
        ipix: Float64Array.from({ length: 12 }, (_, i) => i),
        densityPerSr: new Float64Array(12).fill(1 / (4 * Math.PI)),
      }),
    };
    assert.ok(Math.abs(overlapOfDensities(iso, m) - 1) < 1e-9);
  });
});

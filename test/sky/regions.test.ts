import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoincideError } from '../../src/errors.ts';
import type { NoticeRegion } from '../../src/notices/notice.ts';
import { capAreaSr, DEG2_PER_SR, offsetByDeg } from '../../src/sky/angles.ts';
import { writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import {
  connaughtonKappa,
  fisherKappa,
  fisherProfile,
  gaussianProfile,
  gaussianSigmaDeg,
  gbmProfile,
  type RadialProfile,
} from '../../src/sky/radial-profile.ts';
import {
  circleModelForNoticeType,
  regionFromNotice,
  type BoundingBox,
  type LocalisationRegion,
} from '../../src/sky/regions.ts';
import { preparePoint } from '../../src/sky/sky-point.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { closeRel } from './reference.ts';
import { syntheticCells } from './synthetic-maps.ts';

function inBoxes(boxes: BoundingBox[], raDeg: number, decDeg: number): boolean {
  return boxes.some(
    (b) => b.minRaDeg <= raDeg && raDeg <= b.maxRaDeg && b.minDecDeg <= decDeg && decDeg <= b.maxDecDeg,
  );
}

/** Numerical ∫ density dΩ over a MOC-free grid: Σ ρ(θ) 2π sin θ Δθ about the centre. */
function totalProbability(profile: RadialProfile): number {
  let sum = 0;
  const steps = 200000;
  const h = Math.PI / steps;
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) * h;
    sum += profile.densityPerSr(t) * 2 * Math.PI * Math.sin(t) * h;
  }
  return sum;
}

describe('density models for circles (statistics.md §3)', () => {
  it('converts a containment radius to a 2-D Gaussian σ (r90 = 2.1460 σ, r68 = 1.5096 σ)', () => {
    assert.ok(Math.abs(gaussianSigmaDeg(2.146, 0.9) - 1) < 1e-4);
    assert.ok(Math.abs(gaussianSigmaDeg(1.5096, 0.68) - 1) < 1e-4);
  });

  it('puts the published containment inside the published radius, for every model', () => {
    const gauss = gaussianProfile(gaussianSigmaDeg(1.5, 0.9));
    assert.ok(Math.abs(gauss.levelAt((1.5 * Math.PI) / 180) - 0.9) < 1e-4);
    const fisher = fisherProfile(fisherKappa(10, 0.68));
    assert.ok(Math.abs(fisher.levelAt((10 * Math.PI) / 180) - 0.68) < 1e-6);
    assert.ok(Math.abs((fisher.radiusForLevel(0.68) * 180) / Math.PI - 10) < 1e-3);
  });

  it('reproduces Connaughton’s κ: a 10° radius gives κ = 75.36', () => {
    assert.ok(Math.abs(connaughtonKappa(10, 0) - 75.36) < 0.01);
  });

  it('normalises the Gaussian, Fisher and GBM core-plus-tail densities to one over the sphere', () => {
    for (const profile of [
      gaussianProfile(2),
      gaussianProfile(40),
      fisherProfile(75.36),
      fisherProfile(0.5),
      gbmProfile(3, 'GND_POS'),
      gbmProfile(8, 'FLT_POS'),
    ]) {
      assert.ok(Math.abs(totalProbability(profile) - 1) < 1e-3, String(totalProbability(profile)));
    }
  });

  it('gives Fisher and GBM levels equal to the integrated density, and radii that invert them', () => {
    for (const profile of [
      fisherProfile(75.36),
      fisherProfile(0.5),
      gbmProfile(8, 'FLT_POS'),
      gbmProfile(1, 'GND_POS'),
    ]) {
      for (const thetaDeg of [0.5, 3, 10, 30, 90, 170]) {
        const theta = (thetaDeg * Math.PI) / 180;
        // Midpoint rule on ∫₀^θ f(t) 2π sin t dt, independent of the closed form.
        const steps = 100000;
        const h = theta / steps;
        let sum = 0;
        for (let i = 0; i < steps; i++) {
          const t = (i + 0.5) * h;
          sum += profile.densityPerSr(t) * 2 * Math.PI * Math.sin(t) * h;
        }
        assert.ok(
          Math.abs(profile.levelAt(theta) - sum) < 1e-6,
          `${thetaDeg}°: ${profile.levelAt(theta)} vs ${sum}`,
        );
      }
      for (const level of [0.1, 0.5, 0.68, 0.9, 0.99]) {
        assert.ok(Math.abs(profile.levelAt(profile.radiusForLevel(level)) - level) < 1e-12);
      }
    }
  });

  it('widens a GBM localisation by its systematic tail: the 90 % radius is far beyond the statistical one', () => {
    const gbm = gbmProfile(3, 'GND_POS');
    const r90 = (gbm.radiusForLevel(0.9) * 180) / Math.PI;
    assert.ok(r90 > 10 && r90 < 40, String(r90));
  });

  it('chooses the GBM model for GBM position notices and the Gaussian otherwise', () => {
    assert.equal(circleModelForNoticeType('Fermi_GBM_Gnd_Pos'), 'gbm');
    assert.equal(circleModelForNoticeType('FERMI_GBM_FIN_POS'), 'gbm');
    assert.equal(circleModelForNoticeType('Swift_BAT_GRB_Pos'), 'gaussian');
    const gbmCircle: NoticeRegion = {
      type: 'circle',
      raDeg: 10,
      decDeg: 10,
      radiusDeg: 3,
      containment: 0.68,
      systematicIncluded: false,
    };
    const byType = regionFromNotice(gbmCircle, { noticeType: 'Fermi_GBM_Gnd_Pos' });
    const explicit = regionFromNotice(gbmCircle, { circleModel: 'gbm', noticeType: 'Fermi_GBM_Gnd_Pos' });
    assert.equal(byType.areaDeg2(0.9), explicit.areaDeg2(0.9));
    assert.ok(byType.areaDeg2(0.9) > regionFromNotice(gbmCircle).areaDeg2(0.9));
  });
});

const circle: NoticeRegion = {
  type: 'circle',
  raDeg: 359.5,
  decDeg: 20,
  radiusDeg: 1.2,
  containment: 0.9,
  systematicIncluded: true,
};
const ellipse: NoticeRegion = {
  type: 'ellipse',
  raDeg: 150,
  decDeg: -40,
  semiMajorDeg: 2,
  semiMinorDeg: 0.7,
  posAngleDeg: 60,
  containment: 0.9,
};
const skymap = readSkyMap(
  writeMultiOrderSkyMap(
    syntheticCells({
      name: 'r',
      raDeg: 300,
      decDeg: 60,
      sigmaDeg: 2,
      baseOrder: 3,
      fineOrder: 8,
      refineWithinDeg: 20,
    }),
  ),
);

const regions: Array<[string, LocalisationRegion]> = [
  ['circle', regionFromNotice(circle)],
  ['Fisher circle', regionFromNotice(circle, { circleModel: 'fisher' })],
  [
    'GBM circle',
    regionFromNotice({ ...circle, radiusDeg: 4 }, { circleModel: 'gbm', noticeType: 'Fermi_GBM_Fin_Pos' }),
  ],
  ['ellipse', regionFromNotice(ellipse)],
  ['sky map', regionFromNotice({ type: 'skymap', url: 'https://example.org/map.fits' }, { skymap })],
];

describe('LocalisationRegion', () => {
  it('places the published radius at the published containment', () => {
    const r = regionFromNotice(circle);
    const edge = offsetByDeg(circle.raDeg, circle.decDeg, 1.2, 45);
    assert.ok(Math.abs(r.credibleLevelAt(edge.raDeg, edge.decDeg) - 0.9) < 1e-3);
    assert.ok(r.contains(circle.raDeg, circle.decDeg, 0.01));
    // Across RA 0/360.
    const across = offsetByDeg(circle.raDeg, circle.decDeg, 1.0, 90);
    assert.ok(across.raDeg < 1);
    assert.ok(r.contains(across.raDeg, across.decDeg, 0.9));
    assert.ok(closeRel(r.areaDeg2(0.9), capAreaSr(1.2) * DEG2_PER_SR, 1e-3));
  });

  it('places an ellipse’s published axes at its containment, along the position angle', () => {
    const r = regionFromNotice(ellipse);
    const major = offsetByDeg(150, -40, 1.99, 60);
    const minorOut = offsetByDeg(150, -40, 0.75, 150);
    const minorIn = offsetByDeg(150, -40, 0.65, 150);
    assert.ok(r.contains(major.raDeg, major.decDeg, 0.9));
    assert.ok(!r.contains(minorOut.raDeg, minorOut.decDeg, 0.9));
    assert.ok(r.contains(minorIn.raDeg, minorIn.decDeg, 0.9));
    assert.ok(closeRel(r.areaDeg2(0.9), Math.PI * 2 * 0.7, 1e-9));
  });

  for (const [name, region] of regions) {
    it(`${name}: contains() is credibleLevelAt() ≤ level, and the point and position forms agree`, () => {
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 12, noNaN: true }),
          fc.double({ min: 0, max: 360, noNaN: true }),
          fc.double({ min: 0.05, max: 0.99, noNaN: true }),
          (sep, pa, level) => {
            const p = offsetByDeg(region.centre.raDeg, region.centre.decDeg, sep, pa);
            const point = preparePoint(p.raDeg, p.decDeg);
            const cl = region.credibleLevelAt(p.raDeg, p.decDeg);
            assert.ok(cl >= 0 && cl <= 1);
            assert.equal(region.credibleLevelAtPoint(point), cl);
            if (Math.abs(cl - level) > 1e-6) assert.equal(region.containsPoint(point, level), cl <= level);
            assert.equal(region.contains(p.raDeg, p.decDeg, level), region.containsPoint(point, level));
            assert.ok(
              closeRel(
                region.densityPerDeg2(p.raDeg, p.decDeg),
                region.densityPerSrAtPoint(point) / DEG2_PER_SR,
                1e-12,
              ),
            );
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${name}: the credible MOC and the bounding boxes cover the region, with the area of the region`, () => {
      const moc = region.moc(0.9);
      const boxes = region.boundingBoxes(0.9);
      let inside = 0;
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 15, noNaN: true }),
          fc.double({ min: 0, max: 360, noNaN: true }),
          (sep, pa) => {
            const p = offsetByDeg(region.centre.raDeg, region.centre.decDeg, sep, pa);
            if (!region.contains(p.raDeg, p.decDeg, 0.9)) return;
            inside++;
            assert.ok(inBoxes(boxes, p.raDeg, p.decDeg), `(${p.raDeg}, ${p.decDeg}) outside the boxes`);
            if (region.kind === 'skymap') assert.ok(moc.contains(p.raDeg, p.decDeg));
          },
        ),
        { numRuns: 500 },
      );
      assert.ok(inside > 0);
      const area = region.areaDeg2(0.9);
      if (region.kind === 'skymap') {
        assert.ok(closeRel(moc.areaDeg2(), area, 0.005), `${moc.areaDeg2()} vs ${area}`);
      } else {
        // Inclusive by default (covers the region; boundary pixels), exact-area on request.
        assert.ok(moc.areaDeg2() >= area && moc.areaDeg2() < 1.15 * area, `${moc.areaDeg2()} vs ${area}`);
        const exact = region.moc(0.9, { inclusive: false, maxOrder: 12 }).areaDeg2();
        assert.ok(closeRel(exact, area, 0.01), `${exact} vs ${area}`);
      }
    });
  }

  it('gives a sky map region the map’s levels, density and areas', () => {
    const r = regionFromNotice({ type: 'skymap', url: 'x' }, { skymap });
    assert.equal(r.areaDeg2(0.9), skymap.credibleAreaDeg2(0.9));
    assert.equal(r.credibleLevelAt(300, 60), skymap.credibleLevelAt(300, 60));
    assert.equal(r.densityPerSr(300, 60), skymap.densityPerSrAt(300, 60));
  });

  it('splits boxes at RA 0/360 and covers the poles with the whole RA range', () => {
    const r = regionFromNotice({ ...circle, raDeg: 0.5, decDeg: 0 });
    const boxes = r.boundingBoxes(0.9);
    assert.equal(boxes.length, 2);
    assert.ok(inBoxes(boxes, 359.8, 0) && inBoxes(boxes, 0.2, 0));
    const polar = regionFromNotice({ ...circle, raDeg: 10, decDeg: 89.5 }).boundingBoxes(0.9);
    assert.deepEqual(
      polar.map((b) => [b.minRaDeg, b.maxRaDeg]),
      [[0, 360]],
    );
  });

  it('refuses a notice without a localisation, an unread sky map and an unknown GBM type with SKY_BAD_REGION', () => {
    const bad = (e: unknown): boolean => e instanceof CoincideError && e.code === 'SKY_BAD_REGION';
    assert.throws(() => regionFromNotice({ type: 'none' }), bad);
    assert.throws(() => regionFromNotice({ type: 'skymap', url: 'https://x' }), bad);
    assert.throws(() => regionFromNotice(circle, { circleModel: 'gbm', noticeType: 'Swift_BAT' }), bad);
    assert.throws(() => regionFromNotice({ ...circle, containment: 1 }), bad);
    assert.throws(() => regionFromNotice({ ...circle, decDeg: 95 }), bad);
  });
});

describe('LocalisationRegion on real sky maps', { skip: skipUnlessShared() }, () => {
  it('contains the most probable position of MS181101ab at 10 % and not a far point at 90 %', () => {
    const map = readSkyMap(readFileSync(samplePath('skymaps/bayestar.multiorder.fits')));
    const r = regionFromNotice({ type: 'skymap', url: 'x' }, { skymap: map });
    assert.ok(r.contains(r.centre.raDeg, r.centre.decDeg, 0.1));
    assert.ok(!r.contains(r.centre.raDeg + 90, 0, 0.9));
    assert.ok(closeRel(r.moc(0.9).areaDeg2(), 30.97518, 1e-5)); // statistics.md §4 ("excl.")
  });
});

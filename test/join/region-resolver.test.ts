import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import { defaultRegionResolver, gbmCoreSystematicDeg } from '../../src/join/region-resolver.ts';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { CircleLocalisation, regionFromNotice } from '../../src/sky/regions.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import { makeNotice } from './make-records.ts';
import { syntheticCells } from '../sky/synthetic-maps.ts';

function gbmNotice(systematicIncluded: boolean): ReturnType<typeof makeNotice> {
  const gbm = makeNotice({ triggerId: 'Fermi:1', timeMjd: 0 });
  gbm.noticeType = 'FERMI_GBM_GND_POS';
  gbm.region = {
    type: 'circle',
    raDeg: 100,
    decDeg: 0,
    radiusDeg: 3.41,
    containment: 0.68,
    systematicIncluded,
  };
  return gbm;
}

describe('region resolver', () => {
  test('gives Fermi GBM position circles the sky layer core-plus-tail systematic model', () => {
    assert.equal(gbmCoreSystematicDeg('FERMI_GBM_GND_POS'), 3.72);
    assert.equal(gbmCoreSystematicDeg('FERMI_GBM_FLT_POS'), 7.52);
    assert.equal(gbmCoreSystematicDeg('SWIFT_BAT_GRB_POS'), 0);
    const gbm = gbmNotice(false);
    const region = defaultRegionResolver(gbm, 0.9);
    assert.ok(region);
    // The sky layer's model (ligo.skymap-validated) decides the 90 % radius: ≈ 11.1° for a 3.41°
    // Gnd statistical radius, wider than the 7.18° of the core systematic alone (the tail).
    const sky = regionFromNotice(gbm.region, { noticeType: gbm.noticeType });
    assert.ok(sky instanceof CircleLocalisation);
    const r90 = sky.radiusDeg(0.9);
    assert.ok(r90 > 10.5 && r90 < 11.5, `90% radius ${r90}`);
    assert.ok(region.contains(100 + r90 - 0.05, 0));
    assert.ok(!region.contains(100 + r90 + 0.05, 0));
    assert.ok(Math.abs(region.areaDeg2 - sky.areaDeg2(0.9)) < 1e-9);
    assert.equal(region.credibleLevelAt(100, 0), sky.credibleLevelAt(100, 0));
    assert.equal(region.densityPerSr(101, 1), sky.densityPerSr(101, 1));
    // A radius that already includes the systematics is a plain Gaussian of that radius.
    const plain = defaultRegionResolver(gbmNotice(true), 0.9);
    assert.ok(plain);
    assert.ok(plain.contains(104.7, 0));
    assert.ok(!plain.contains(105, 0));
    assert.notEqual(plain.hash, region.hash);
  });

  test('searches an ellipse as the ellipse itself, not as the circle of its semi-major axis', () => {
    const notice = makeNotice({ triggerId: 'EP:1', timeMjd: 0 });
    notice.region = {
      type: 'ellipse',
      raDeg: 100,
      decDeg: 0,
      semiMajorDeg: 5,
      semiMinorDeg: 1,
      posAngleDeg: 0,
      containment: 0.9,
    };
    const region = defaultRegionResolver(notice, 0.9);
    assert.equal(region?.kind, 'ellipse');
    // Position angle 0: the major axis points north.
    assert.ok(region.contains(100, 4.8));
    assert.ok(!region.contains(100, 5.2));
    assert.ok(region.contains(100.9, 0));
    assert.ok(!region.contains(101.5, 0), 'outside the minor axis though inside the semi-major circle');
    assert.ok(Math.abs(region.areaDeg2 - Math.PI * 5 * 1) < 0.1, `area ${region.areaDeg2}`);
    // Its index cover holds every cell of the region (never a subset).
    const cells = region.coverCells(6);
    assert.ok(cells.size > 0);
    for (const box of region.boxes) assert.ok(box.minX <= 100 && box.maxX >= 100);
  });

  test('notices without a position, or with an impossible one, give no region (messenger pairs then use time only)', () => {
    assert.equal(defaultRegionResolver(makeNotice({ triggerId: 'x', timeMjd: 0 }), 0.9), undefined);
    const bad = makeNotice({ triggerId: 'y', timeMjd: 0 });
    bad.region = {
      type: 'circle',
      raDeg: 10,
      decDeg: 0,
      radiusDeg: -1,
      containment: 0.9,
      systematicIncluded: true,
    };
    assert.equal(defaultRegionResolver(bad, 0.9), undefined);
  });

  test('answers alternating positions correctly (the prepared point is reused only for the same position)', () => {
    const circle = createCircleRegion({ raDeg: 50, decDeg: 10, radiusDeg: 2, containment: 0.9 });
    const map = createSkyMapRegion(
      new SkyMap(
        syntheticCells({
          name: 't',
          raDeg: 50,
          decDeg: 10,
          sigmaDeg: 1,
          baseOrder: 3,
          fineOrder: 7,
          refineWithinDeg: 8,
        }),
      ),
    );
    for (const region of [circle, map]) {
      for (let i = 0; i < 3; i++) {
        assert.ok(region.contains(50, 10));
        assert.ok(!region.contains(60, 10));
        assert.ok(region.credibleLevelAt(50.2, 10) < region.credibleLevelAt(51, 10));
        assert.ok(region.densityPerSr(50, 10) > region.densityPerSr(52, 10));
      }
    }
  });
});

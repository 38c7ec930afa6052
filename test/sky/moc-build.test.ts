import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoincideError } from '../../src/errors.ts';
import {
  RAD_PER_DEG,
  angularDistanceDeg,
  capAreaSr,
  DEG2_PER_SR,
  raDecToVector,
} from '../../src/sky/angles.ts';
import {
  defaultOrderForSize,
  ellipseDistance,
  localFrame,
  maxPixelRadiusRad,
  mocFromCircle,
  mocFromEllipse,
  mocFromPolygon,
  mocsFromCircle,
} from '../../src/sky/moc-build.ts';
import { faceXYToVector } from '../../src/sky/healpix-deep.ts';
import { Moc } from '../../src/sky/moc.ts';
import { closeRel, readReference, type ConeReference, type MocIoReference } from './reference.ts';

const cones = (readReference('cones.json') as ConeReference).cones;

function healpyMoc(order: number, ranges: Array<[number, number]>): Moc {
  const shift = BigInt(2 * (29 - order));
  return Moc.fromRanges29(ranges.flatMap(([s, e]) => [BigInt(s) << shift, BigInt(e) << shift]));
}

describe('MOC from a circle, against healpy query_disc and the exact cap area', () => {
  for (const c of cones) {
    const label = `r = ${c.radiusDeg}° at (${c.raDeg}, ${c.decDeg}), order ${c.order}`;

    it(`exact-area variant holds exactly healpy’s centre-inside pixels: ${label}`, () => {
      const moc = mocFromCircle(c.raDeg, c.decDeg, c.radiusDeg, { maxOrder: c.order, inclusive: false });
      assert.ok(moc.equals(healpyMoc(c.order, c.healpyCentreInside)));
      assert.ok(closeRel(moc.areaDeg2(), c.capAreaDeg2, 0.005), `${moc.areaDeg2()} vs cap ${c.capAreaDeg2}`);
    });

    it(`inclusive variant covers the cap and every centre-inside pixel: ${label}`, () => {
      const moc = mocFromCircle(c.raDeg, c.decDeg, c.radiusDeg, { maxOrder: c.order, inclusive: true });
      const inside = healpyMoc(c.order, c.healpyCentreInside);
      assert.ok(moc.intersection(inside).equals(inside));
      assert.ok(moc.areaDeg2() >= c.capAreaDeg2);
      assert.ok(moc.maxOrder() <= c.order);
      // Within a boundary ring a few pixels wide (mocpy from_cone over-covers by a similar amount).
      assert.ok(moc.areaDeg2() < c.capAreaDeg2 * 1.2, `${moc.areaDeg2()} vs cap ${c.capAreaDeg2}`);
    });
  }

  it('contains every point inside the cone (inclusive variant, random cones and points)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 360, noNaN: true, maxExcluded: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        (ra, dec, radius, frac, pa) => {
          const moc = mocFromCircle(ra, dec, radius, { maxOrder: 7 });
          const sep = frac * radius;
          // A point at separation sep and position angle pa from the centre.
          const d1 = dec * RAD_PER_DEG;
          const t = sep * RAD_PER_DEG;
          const p = pa * RAD_PER_DEG;
          const dec2 = Math.asin(Math.sin(d1) * Math.cos(t) + Math.cos(d1) * Math.sin(t) * Math.cos(p));
          const ra2 =
            ra * RAD_PER_DEG +
            Math.atan2(Math.sin(p) * Math.sin(t) * Math.cos(d1), Math.cos(t) - Math.sin(d1) * Math.sin(dec2));
          const raDeg = (((ra2 / RAD_PER_DEG) % 360) + 360) % 360;
          const decDeg = Math.max(-90, Math.min(90, dec2 / RAD_PER_DEG));
          if (angularDistanceDeg(ra, dec, raDeg, decDeg) > radius) return;
          assert.ok(moc.contains(raDeg, decDeg));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('MOC from an ellipse and from a polygon', () => {
  it('gives an ellipse the area π·a·b (small ellipse) and the membership of its equation', () => {
    const moc = mocFromEllipse(50, 30, 4, 1, 30, { maxOrder: 10, inclusive: false });
    assert.ok(closeRel(moc.areaDeg2(), Math.PI * 4 * 1, 0.01));
    const frame = localFrame(50, 30);
    const pa = 30 * RAD_PER_DEG;
    fc.assert(
      fc.property(
        fc.double({ min: 44, max: 56, noNaN: true }),
        fc.double({ min: 25, max: 35, noNaN: true }),
        (ra, dec) => {
          const e = ellipseDistance(
            frame,
            Math.sin(pa),
            Math.cos(pa),
            4 * RAD_PER_DEG,
            1 * RAD_PER_DEG,
            raDecToVector(ra, dec),
          );
          // Away from the boundary (more than a pixel), the MOC and the equation agree.
          if (Math.abs(e - 1) > 0.1) assert.equal(moc.contains(ra, dec), e <= 1, `(${ra}, ${dec}) e=${e}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('turns a circle-shaped ellipse into the same region as the circle', () => {
    const e = mocFromEllipse(200, -20, 3, 3, 0, { maxOrder: 9, inclusive: false });
    const c = mocFromCircle(200, -20, 3, { maxOrder: 9, inclusive: false });
    assert.ok(closeRel(e.areaDeg2(), c.areaDeg2(), 0.005));
    assert.ok(closeRel(e.areaDeg2(), capAreaSr(3) * DEG2_PER_SR, 0.005));
  });

  it('gives a polygon the same cells as mocpy from_polygon', () => {
    const ref = (readReference('moc-io.json') as MocIoReference).mocs.find((m) => m.name === 'polygon');
    assert.ok(ref);
    const moc = mocFromPolygon(
      [
        { raDeg: 10, decDeg: -5 },
        { raDeg: 20, decDeg: -5 },
        { raDeg: 20, decDeg: 5 },
        { raDeg: 10, decDeg: 5 },
      ],
      { maxOrder: ref.maxOrder },
    );
    assert.ok(closeRel(moc.areaDeg2(), ref.areaDeg2, 1e-9));
    assert.ok(moc.contains(15, 0));
    assert.ok(!moc.contains(25, 0));
  });

  it('refuses degenerate shapes with SKY_BAD_REGION', () => {
    const bad = (e: unknown): boolean => e instanceof CoincideError && e.code === 'SKY_BAD_REGION';
    assert.throws(() => mocFromCircle(0, 0, 0), bad);
    assert.throws(() => mocFromCircle(0, 0, Number.NaN), bad);
    assert.throws(() => mocFromEllipse(0, 0, 1, 2, 0), bad);
    assert.throws(
      () =>
        mocFromPolygon([
          { raDeg: 0, decDeg: 0 },
          { raDeg: 1, decDeg: 0 },
        ]),
      bad,
    );
    assert.throws(() => mocFromCircle(0, 0, 1, { maxOrder: 25 }), bad);
  });
});

const PIXEL_CORNERS = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
] as const;

describe('the bound on pixel radii that decides most pixels without their corners', () => {
  it('is at least the centre-to-corner angle of every pixel (random pixels, orders 0-24)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 11 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (order, face, u, v) => {
          const nside = 2 ** order;
          const x = Math.floor(u * nside);
          const y = Math.floor(v * nside);
          const centre = faceXYToVector(order, face, x + 0.5, y + 0.5);
          for (const [dx, dy] of PIXEL_CORNERS) {
            const corner = faceXYToVector(order, face, x + dx, y + dy);
            const c = centre[0] * corner[0] + centre[1] * corner[1] + centre[2] * corner[2];
            const s = Math.hypot(
              centre[1] * corner[2] - centre[2] * corner[1],
              centre[2] * corner[0] - centre[0] * corner[2],
              centre[0] * corner[1] - centre[1] * corner[0],
            );
            // The bound is attained (face corners at z = 2/3); rounding there reaches ~3e-9 at order 24.
            assert.ok(Math.atan2(s, c) <= maxPixelRadiusRad(order) * (1 + 1e-6));
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('is attained: the pixels at the edge of the north cap reach it (orders 0, 5, 12)', () => {
    for (const order of [0, 5, 12]) {
      const nside = 2 ** order;
      let largest = 0;
      // Face 0's pixels along its northern edges, where healpix_base finds the largest pixel.
      for (let k = 0; k < Math.min(nside, 64); k++) {
        for (const [x, y] of [
          [nside - 1 - k, nside - 1],
          [nside - 1, nside - 1 - k],
          [k, 0],
          [0, k],
        ] as const) {
          const centre = faceXYToVector(order, 0, x + 0.5, y + 0.5);
          for (const [dx, dy] of PIXEL_CORNERS) {
            const corner = faceXYToVector(order, 0, x + dx, y + dy);
            const dot = centre[0] * corner[0] + centre[1] * corner[1] + centre[2] * corner[2];
            largest = Math.max(largest, Math.acos(Math.min(1, dot)));
          }
        }
      }
      assert.ok(
        largest > 0.9 * maxPixelRadiusRad(order),
        `order ${order}: ${largest} vs ${maxPixelRadiusRad(order)}`,
      );
    }
  });
});

describe('concentric cones in one refinement (mocsFromCircle)', () => {
  it('gives each cone the MOC mocFromCircle builds for it alone', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359.999, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: -5.5, max: 2, noNaN: true }), fc.integer({ min: 1, max: 6 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.boolean(),
        (raDeg, decDeg, cones, inclusive) => {
          const specs = cones.map(([log10Radius, extraOrders]) => {
            const radiusDeg = 10 ** log10Radius;
            return { radiusDeg, maxOrder: Math.min(24, defaultOrderForSize(radiusDeg) - 4 + extraOrders) };
          });
          const together = mocsFromCircle(raDeg, decDeg, specs, { inclusive });
          assert.equal(together.length, specs.length);
          specs.forEach((spec, i) => {
            const alone = mocFromCircle(raDeg, decDeg, spec.radiusDeg, {
              maxOrder: spec.maxOrder,
              inclusive,
            });
            assert.deepEqual([...(together[i] as Moc).ranges], [...alone.ranges]);
          });
        },
      ),
      { numRuns: 150, seed: 16 },
    );
  });
});

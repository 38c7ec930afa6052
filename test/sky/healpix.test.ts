import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hp from '@hscmap/healpix';
import { CoincideError } from '../../src/errors.ts';
import {
  ang2pixNest,
  ang2pixNestBig,
  ang2pixRing,
  nest2ring,
  nestFromUniq,
  pix2angNest,
  pix2angNestBig,
  pix2angRing,
  pixelAreaDeg2,
  ring2nest,
  uniqFromNest,
} from '../../src/sky/healpix.ts';
import { preparePoint } from '../../src/sky/sky-point.ts';
import { angularDistanceDeg } from '../../src/sky/angles.ts';
import { readReference, type HealpixReference } from './reference.ts';

const ref = readReference('healpix.json.gz') as HealpixReference;
const nest29 = ref.nest29.map((s) => BigInt(s));

describe('HEALPix against healpy (10,000 points, poles and RA 0/360 included)', () => {
  it('gives healpy’s NESTED index at every order 0 to 24 as a number', () => {
    for (let order = 0; order <= 24; order++) {
      const shift = BigInt(2 * (29 - order));
      ref.points.forEach(([ra, dec], i) => {
        const expected = Number((nest29[i] as bigint) >> shift);
        assert.equal(ang2pixNest(order, ra, dec), expected, `order ${order} point ${i} (${ra}, ${dec})`);
      });
    }
  });

  it('gives healpy’s NESTED index at every order 0 to 29 as a BigInt', () => {
    for (let order = 0; order <= 29; order++) {
      const shift = BigInt(2 * (29 - order));
      ref.points.forEach(([ra, dec], i) => {
        assert.equal(
          ang2pixNestBig(order, ra, dec),
          (nest29[i] as bigint) >> shift,
          `order ${order} point ${i}`,
        );
      });
    }
  });

  it('gives healpy’s RING index at orders 0 to 15', () => {
    for (let order = 0; order <= 15; order++) {
      const expected = ref.ring[String(order)] ?? [];
      ref.points.forEach(([ra, dec], i) => {
        assert.equal(ang2pixRing(order, ra, dec), expected[i], `order ${order} point ${i} (${ra}, ${dec})`);
      });
    }
  });

  it('gives healpy’s pixel centres (pix2ang) at orders 0 to 15, nested and ring', () => {
    for (let order = 0; order <= 15; order++) {
      const centres = ref.pix2angNest[String(order)] ?? [];
      const shift = BigInt(2 * (29 - order));
      centres.forEach(([ra, dec], i) => {
        const ipix = Number((nest29[i] as bigint) >> shift);
        const ours = pix2angNest(order, ipix);
        assert.ok(
          angularDistanceDeg(ours.raDeg, ours.decDeg, ra, dec) < 1e-9,
          `nest order ${order} pixel ${ipix}`,
        );
        const ring = pix2angRing(order, nest2ring(order, ipix));
        assert.ok(
          angularDistanceDeg(ring.raDeg, ring.decDeg, ra, dec) < 1e-9,
          `ring order ${order} pixel ${ipix}`,
        );
        const deep = pix2angNestBig(order, BigInt(ipix));
        assert.ok(
          angularDistanceDeg(deep.raDeg, deep.decDeg, ra, dec) < 1e-9,
          `own code order ${order} pixel ${ipix}`,
        );
      });
    }
  });

  it('agrees with @hscmap/healpix everywhere except on pixel boundaries (poles, RA 360, corners)', () => {
    // The first 16 reference points are the deliberate edge cases; the rest are random.
    for (let order = 0; order <= 15; order++) {
      ref.points.forEach(([ra, dec], i) => {
        if (i < 16) return;
        const lib = hp.ang2pix_nest(2 ** order, ((90 - dec) * Math.PI) / 180, (ra * Math.PI) / 180);
        assert.equal(lib, ang2pixNest(order, ra, dec), `order ${order} point ${i}`);
      });
    }
  });

  it('prepares points with the order-24 index healpy gives', () => {
    ref.points.slice(0, 2000).forEach(([ra, dec], i) => {
      assert.equal(preparePoint(ra, dec).index24, Number((nest29[i] as bigint) >> 10n));
    });
  });
});

describe('HEALPix helpers', () => {
  it('gives the same NESTED index as a double (join path) and as a BigInt at every order 0-24', () => {
    // ang2pixNest interleaves x and y in one 32-bit word up to order 15 and in two halves above;
    // ang2pixNestBig builds the index with BigInt shifts: two separate computations.
    let state = 12345;
    const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 4000; i++) {
      const raDeg = i < 4 ? ([0, 359.9999999, 90, 180][i] ?? 0) : 360 * random();
      const decDeg =
        i < 8 && i >= 4
          ? ([90, -90, 41.8103148958, 0][i - 4] ?? 0)
          : Math.asin(2 * random() - 1) * (180 / Math.PI);
      for (let order = 0; order <= 24; order++)
        assert.equal(
          ang2pixNest(order, raDeg, decDeg),
          Number(ang2pixNestBig(order, raDeg, decDeg)),
          `${raDeg} ${decDeg} @${order}`,
        );
    }
  });

  it('puts the most probable pixel of S230518h at the published position (fink-mm test vector)', () => {
    const c = pix2angNest(9, 1364797);
    assert.ok(Math.abs(c.raDeg - 95.712890625) < 1e-9);
    assert.ok(Math.abs(c.decDeg - -10.958863307027668) < 1e-9);
  });

  it('maps the centre of a pixel back to that pixel at orders above 15', () => {
    for (const order of [16, 20, 24, 29]) {
      for (const ipix of [0n, 12345678901n, (12n << BigInt(2 * order)) - 1n]) {
        const c = pix2angNestBig(order, ipix);
        assert.equal(ang2pixNestBig(order, c.raDeg, c.decDeg), ipix, `order ${order} ipix ${ipix}`);
      }
    }
  });

  it('converts between NESTED and RING both ways', () => {
    for (let ipix = 0; ipix < 12 * 4 ** 4; ipix++) assert.equal(ring2nest(4, nest2ring(4, ipix)), ipix);
  });

  it('packs and unpacks NUNIQ up to order 29 without rounding', () => {
    assert.equal(uniqFromNest(0, 0), 4n);
    assert.equal(uniqFromNest(29, (12n << 58n) - 1n), (16n << 58n) - 1n);
    for (const [order, ipix] of [
      [0, 11n],
      [9, 1364797n],
      [24, 123456789012345n],
      [29, (12n << 58n) - 1n],
    ] as const) {
      assert.deepEqual(nestFromUniq(uniqFromNest(order, ipix)), { order, ipix });
    }
  });

  it('gives the pixel area of statistics.md (order 9: 0.013114 deg²)', () => {
    assert.ok(Math.abs(pixelAreaDeg2(9) - 0.013114) < 1e-6);
    assert.ok(Math.abs(pixelAreaDeg2(2) - 214.86) < 0.01);
  });

  it('refuses orders, pixels and positions off the grid with SKY_BAD_REGION', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return error instanceof CoincideError ? error.code : 'other';
      }
      return 'none';
    };
    assert.equal(
      code(() => ang2pixNest(25, 0, 0)),
      'SKY_BAD_REGION',
    );
    assert.equal(
      code(() => ang2pixRing(16, 0, 0)),
      'SKY_BAD_REGION',
    );
    assert.equal(
      code(() => ang2pixNest(3, 0, 91)),
      'SKY_BAD_REGION',
    );
    assert.equal(
      code(() => ang2pixNest(3, Number.NaN, 0)),
      'SKY_BAD_REGION',
    );
    assert.equal(
      code(() => pix2angNest(0, 12)),
      'SKY_BAD_REGION',
    );
    assert.equal(
      code(() => nestFromUniq(3n)),
      'SKY_BAD_REGION',
    );
  });
});

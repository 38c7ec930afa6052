import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { angularDistanceDeg, regionFromLocalization } from '../../../src/notices/gcn-json/localization.ts';

describe('regionFromLocalization', () => {
  it('makes a circle from a radius, with the schema defaults (0.9, no systematics)', () => {
    assert.deepEqual(regionFromLocalization({ ra: 10, dec: 20, ra_dec_error: 1 }), {
      type: 'circle',
      raDeg: 10,
      decDeg: 20,
      radiusDeg: 1,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('makes an ellipse from [a, b, PA], and a circle when a equals b', () => {
    assert.deepEqual(
      regionFromLocalization({
        ra: 10,
        dec: 20,
        ra_dec_error: [0.5, 0.8, 30],
        containment_probability: 0.95,
      }),
      {
        type: 'ellipse',
        raDeg: 10,
        decDeg: 20,
        semiMajorDeg: 0.8,
        semiMinorDeg: 0.5,
        posAngleDeg: 120,
        containment: 0.95,
      },
    );
    assert.equal(regionFromLocalization({ ra: 10, dec: 20, ra_dec_error: [0.5] }).type, 'circle');
  });

  it('turns asymmetric legacy RA/Dec errors into an axis-aligned ellipse with the larger side of each', () => {
    assert.deepEqual(
      regionFromLocalization({
        ra: 143.79,
        dec: 25.04,
        ra_uncertainty: [1.1, -1.01],
        dec_uncertainty: [1.03, -1.21],
      }),
      {
        type: 'ellipse',
        raDeg: 143.79,
        decDeg: 25.04,
        semiMajorDeg: 1.21,
        semiMinorDeg: 1.1,
        posAngleDeg: 0,
        containment: 0.9,
      },
    );
    assert.deepEqual(regionFromLocalization({ ra: 1, dec: 2, ra_uncertainty: [2], dec_uncertainty: [1] }), {
      type: 'ellipse',
      raDeg: 1,
      decDeg: 2,
      semiMajorDeg: 2,
      semiMinorDeg: 1,
      posAngleDeg: 90,
      containment: 0.9,
    });
  });

  it('circumscribes a rectangle by the circle through its farthest corner', () => {
    const r = regionFromLocalization({
      ra: 0,
      dec: 0,
      rectangular_error_corners: [
        [1, 1],
        [-1, 1],
        [-1, -1],
        [1, -2],
      ],
    });
    assert.equal(r.type, 'circle');
    if (r.type === 'circle') assert.ok(Math.abs(r.radiusDeg - angularDistanceDeg(0, 0, 1, -2)) < 1e-12);
  });

  it('falls back to the sky map, then to none', () => {
    assert.deepEqual(regionFromLocalization({ ra: 1, dec: 2, healpix_url: 'https://x/y.fits' }), {
      type: 'skymap',
      url: 'https://x/y.fits',
      raDeg: 1,
      decDeg: 2,
    });
    assert.deepEqual(regionFromLocalization({ ra: 1, dec: 2 }), { type: 'none' });
    assert.deepEqual(regionFromLocalization({}), { type: 'none' });
  });

  it('computes great-circle distances', () => {
    assert.ok(Math.abs(angularDistanceDeg(0, 0, 90, 0) - 90) < 1e-12);
    assert.ok(Math.abs(angularDistanceDeg(10, 89, 190, 89) - 2) < 1e-9);
  });
});

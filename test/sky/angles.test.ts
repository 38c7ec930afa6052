import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  angularDistanceDeg,
  capAreaSr,
  FULL_SKY_DEG2,
  normaliseRaDeg,
  offsetByDeg,
  positionAngleDeg,
} from '../../src/sky/angles.ts';

describe('angular distance and position angle', () => {
  it('keeps full precision at milliarcsecond separations, where acos of a dot product fails', () => {
    const masDeg = 1 / 3.6e6;
    // The separations actually represented by the inputs (20 + 1 mas rounds at 3.6e-15°).
    const dDec = 20 + masDeg - 20;
    const dRa = 10 + masDeg - 10;
    // Degrees → radians of each declination rounds at ~5e-17 rad, i.e. ~1e-8 of 1 mas.
    assert.ok(Math.abs(angularDistanceDeg(10, 20, 10, 20 + masDeg) / dDec - 1) < 1e-6);
    assert.ok(Math.abs(angularDistanceDeg(10, 0, 10 + masDeg, 0) / dRa - 1) < 1e-9);
    assert.equal(angularDistanceDeg(123, -45, 123, -45), 0);
  });

  it('measures antipodes and pole-to-pole as 180°, across RA 0/360 the short way', () => {
    assert.ok(Math.abs(angularDistanceDeg(0, 90, 0, -90) - 180) < 1e-12);
    assert.ok(Math.abs(angularDistanceDeg(10, 30, 190, -30) - 180) < 1e-12);
    assert.ok(Math.abs(angularDistanceDeg(359.5, 0, 0.5, 0) - 1) < 1e-12);
  });

  it('gives position angles from north through east', () => {
    assert.ok(Math.abs(positionAngleDeg(10, 0, 10, 1) - 0) < 1e-9);
    assert.ok(Math.abs(positionAngleDeg(10, 0, 11, 0) - 90) < 1e-9);
    assert.ok(Math.abs(positionAngleDeg(10, 0, 10, -1) - 180) < 1e-9);
    assert.ok(Math.abs(positionAngleDeg(10, 0, 9, 0) - 270) < 1e-9);
  });

  it('inverts offsetByDeg: the offset point is at the requested separation and position angle', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 360, noNaN: true, maxExcluded: true }),
        fc.double({ min: -89, max: 89, noNaN: true }),
        fc.double({ min: 1e-6, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 359.9, noNaN: true }),
        (ra, dec, sep, pa) => {
          const p = offsetByDeg(ra, dec, sep, pa);
          assert.ok(Math.abs(angularDistanceDeg(ra, dec, p.raDeg, p.decDeg) - sep) < 1e-9 * Math.max(1, sep));
          const back = positionAngleDeg(ra, dec, p.raDeg, p.decDeg);
          const diff = Math.abs(((back - pa + 540) % 360) - 180);
          // RA near 360 is held to ~6e-14°, which limits the angle at tiny separations.
          assert.ok(diff < 1e-6 + 1e-10 / sep, `${back} vs ${pa}`);
        },
      ),
    );
  });

  it('wraps right ascension into [0, 360) and gives the full sky as 41,252.96 deg²', () => {
    assert.equal(normaliseRaDeg(360), 0);
    assert.equal(normaliseRaDeg(-10), 350);
    assert.equal(normaliseRaDeg(725), 5);
    assert.ok(Math.abs(FULL_SKY_DEG2 - 41252.96) < 0.01);
    assert.ok(Math.abs(capAreaSr(180) - 4 * Math.PI) < 1e-12);
  });
});

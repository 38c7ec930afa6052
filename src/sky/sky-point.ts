/**
 * A sky position prepared once for many region tests: its unit vector (for circles and
 * ellipses) and its NESTED index at order 24 (for MOCs and sky maps, by binary search).
 *
 * Order 24 is the deepest order whose indices are exact doubles (12·4^24 ≈ 3.4e15 < 2^53);
 * its pixels are 12.6 mas across, far below any localisation. Searching doubles in a
 * Float64Array is several times faster than comparing BigInts, which is what makes millions
 * of point-in-region tests per second possible.
 */
import { RAD_PER_DEG, checkPosition } from './angles.ts';
import { MAX_NUMBER_ORDER, faceXYToNest, raDecToFaceXY, type FaceXY } from './healpix-deep.ts';

export const POINT_INDEX_ORDER = MAX_NUMBER_ORDER;

export interface SkyPoint {
  readonly raDeg: number;
  readonly decDeg: number;
  /** Unit vector components. */
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** NESTED index at POINT_INDEX_ORDER (24). */
  readonly index24: number;
}

/** Prepares (α, δ) for region tests; throws SKY_BAD_REGION for an impossible position. */
export function preparePoint(raDeg: number, decDeg: number): SkyPoint {
  checkPosition(raDeg, decDeg);
  const ra = raDeg * RAD_PER_DEG;
  const dec = decDeg * RAD_PER_DEG;
  const cosDec = Math.cos(dec);
  const f: FaceXY = raDecToFaceXY(POINT_INDEX_ORDER, raDeg, decDeg, { face: 0, x: 0, y: 0 });
  return {
    raDeg,
    decDeg,
    x: cosDec * Math.cos(ra),
    y: cosDec * Math.sin(ra),
    z: Math.sin(dec),
    index24: faceXYToNest(POINT_INDEX_ORDER, f.face, f.x, f.y),
  };
}

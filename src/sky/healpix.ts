/**
 * HEALPix: a thin wrapper over @hscmap/healpix for orders 0…15 (pixel centres, corners,
 * NESTED ↔ RING), our own arithmetic (healpix-deep.ts) for position → pixel at every order and
 * for everything above order 15, and the NUNIQ scheme up to order 29.
 *
 * Positions are (raDeg, decDeg); the library speaks (θ colatitude, φ longitude) in radians:
 * θ = π/2 − δ, φ = α.
 *
 * NUNIQ (IVOA MOC 2.0 §2.3.1, LVK multi-order maps): uniq = 4·4^order + ipix_nested;
 * order = ⌊log₂(uniq)/2⌋ − 1. It exceeds 2^53 above order ~24, hence BigInt. (The library's
 * own `orderpix2uniq` packs 4·(4^order − 1) + ipix, a different numbering: never use it for
 * multi-order sky maps.)
 */
import * as hp from '@hscmap/healpix';
import { CoincideError } from '../errors.ts';
import { DEG2_PER_SR, DEG_PER_RAD, checkPosition, normaliseRaDeg } from './angles.ts';
import {
  MAX_NUMBER_ORDER,
  MAX_ORDER,
  faceXYToNestBig,
  faceXYToVector,
  nestBigToFaceXY,
  nestToFaceXY,
  raDecToFaceXY,
  raDecToNest,
  type FaceXY,
} from './healpix-deep.ts';

export { MAX_NUMBER_ORDER, MAX_ORDER };
/** The highest order @hscmap/healpix supports. */
export const MAX_LIBRARY_ORDER = 15;

export interface RaDec {
  raDeg: number;
  decDeg: number;
}

export function checkOrder(order: number, maxOrder: number = MAX_ORDER): void {
  if (!Number.isInteger(order) || order < 0 || order > maxOrder) {
    throw new CoincideError('SKY_BAD_REGION', `HEALPix order ${order} is outside 0…${maxOrder}`);
  }
}

export function orderToNside(order: number): number {
  checkOrder(order);
  return 2 ** order;
}

/** order = log₂ nside; throws unless nside is a power of two 1…2^29. */
export function nsideToOrder(nside: number): number {
  const order = Math.log2(nside);
  if (!Number.isInteger(order))
    throw new CoincideError('SKY_BAD_REGION', `NSIDE ${nside} is not a power of two`);
  checkOrder(order);
  return order;
}

/** Number of pixels: 12·nside² = 12·4^order. */
export function pixelCount(order: number): number {
  return 12 * 4 ** order;
}

/** Pixel solid angle: 4π / (12·4^order) sr. */
export function pixelAreaSr(order: number): number {
  return (4 * Math.PI) / (12 * 4 ** order);
}

/** Pixel area in deg²: 41 252.96 / (12·4^order). */
export function pixelAreaDeg2(order: number): number {
  return pixelAreaSr(order) * DEG2_PER_SR;
}

function checkPixel(order: number, ipix: number): void {
  if (!Number.isInteger(ipix) || ipix < 0 || ipix >= pixelCount(order)) {
    throw new CoincideError('SKY_BAD_REGION', `pixel ${ipix} is outside order ${order}`);
  }
}

/**
 * NESTED pixel index of (α, δ) at `order` 0…24 (exact as a double). Our own arithmetic at
 * every order: @hscmap/healpix places points lying exactly on pixel boundaries (the poles,
 * RA 360, equatorial corners) differently from healpy, while healpix-deep.ts follows healpy's
 * floating-point steps and agrees with it on every reference point.
 */
export function ang2pixNest(order: number, raDeg: number, decDeg: number): number {
  checkOrder(order, MAX_NUMBER_ORDER);
  // checkPosition's test, inline: this runs once per optical alert (the join's hot path).
  if (!(decDeg >= -90 && decDeg <= 90) || !Number.isFinite(raDeg)) checkPosition(raDeg, decDeg);
  return raDecToNest(order, raDeg, decDeg);
}

/** NESTED pixel index of (α, δ) at any order 0…29, as a BigInt. */
export function ang2pixNestBig(order: number, raDeg: number, decDeg: number): bigint {
  checkOrder(order);
  checkPosition(raDeg, decDeg);
  const f = raDecToFaceXY(order, raDeg, decDeg, { face: 0, x: 0, y: 0 });
  return faceXYToNestBig(order, f.face, f.x, f.y);
}

/** RING pixel index of (α, δ), orders 0…15: our NESTED index, renumbered by the library. */
export function ang2pixRing(order: number, raDeg: number, decDeg: number): number {
  checkOrder(order, MAX_LIBRARY_ORDER);
  return hp.nest2ring(2 ** order, ang2pixNest(order, raDeg, decDeg));
}

function vectorToRaDec(v: readonly number[]): RaDec {
  const x = v[0] ?? 0;
  const y = v[1] ?? 0;
  const z = v[2] ?? 0;
  return {
    raDeg: normaliseRaDeg(Math.atan2(y, x) * DEG_PER_RAD),
    decDeg: Math.atan2(z, Math.hypot(x, y)) * DEG_PER_RAD,
  };
}

/** Centre of a NESTED pixel (orders 0…24; above 15 by our own arithmetic). */
export function pix2angNest(order: number, ipix: number): RaDec {
  checkOrder(order, MAX_NUMBER_ORDER);
  checkPixel(order, ipix);
  if (order <= MAX_LIBRARY_ORDER) {
    const { theta, phi } = hp.pix2ang_nest(2 ** order, ipix);
    return { raDeg: normaliseRaDeg(phi * DEG_PER_RAD), decDeg: 90 - theta * DEG_PER_RAD };
  }
  const f = nestToFaceXY(order, ipix, { face: 0, x: 0, y: 0 });
  return vectorToRaDec(faceXYToVector(order, f.face, f.x + 0.5, f.y + 0.5));
}

/** Centre of a NESTED pixel given as a BigInt (any order 0…29). */
export function pix2angNestBig(order: number, ipix: bigint): RaDec {
  checkOrder(order);
  if (ipix < 0n || ipix >= 12n << BigInt(2 * order)) {
    throw new CoincideError('SKY_BAD_REGION', `pixel ${ipix} is outside order ${order}`);
  }
  const f = nestBigToFaceXY(order, ipix, { face: 0, x: 0, y: 0 });
  return vectorToRaDec(faceXYToVector(order, f.face, f.x + 0.5, f.y + 0.5));
}

/** Centre of a RING pixel, orders 0…15. */
export function pix2angRing(order: number, ipix: number): RaDec {
  checkOrder(order, MAX_LIBRARY_ORDER);
  checkPixel(order, ipix);
  const { theta, phi } = hp.pix2ang_ring(2 ** order, ipix);
  return { raDeg: normaliseRaDeg(phi * DEG_PER_RAD), decDeg: 90 - theta * DEG_PER_RAD };
}

/** NESTED → RING, orders 0…15. */
export function nest2ring(order: number, ipix: number): number {
  checkOrder(order, MAX_LIBRARY_ORDER);
  checkPixel(order, ipix);
  return hp.nest2ring(2 ** order, ipix);
}

/** RING → NESTED, orders 0…15. */
export function ring2nest(order: number, ipix: number): number {
  checkOrder(order, MAX_LIBRARY_ORDER);
  checkPixel(order, ipix);
  return hp.ring2nest(2 ** order, ipix);
}

/** The four corners of a NESTED pixel as unit vectors (order ≤ 24), in the order S, E, N, W. */
export function pixelCornersNest(order: number, ipix: number): Array<[number, number, number]> {
  checkOrder(order, MAX_NUMBER_ORDER);
  const f: FaceXY = nestToFaceXY(order, ipix, { face: 0, x: 0, y: 0 });
  return [
    faceXYToVector(order, f.face, f.x, f.y),
    faceXYToVector(order, f.face, f.x + 1, f.y),
    faceXYToVector(order, f.face, f.x + 1, f.y + 1),
    faceXYToVector(order, f.face, f.x, f.y + 1),
  ];
}

/** NUNIQ of a NESTED pixel: 4·4^order + ipix. */
export function uniqFromNest(order: number, ipix: bigint | number): bigint {
  checkOrder(order);
  return (4n << BigInt(2 * order)) + BigInt(ipix);
}

/** Inverse of uniqFromNest: order = ⌊log₂(uniq)/2⌋ − 1, ipix = uniq − 4·4^order. */
export function nestFromUniq(uniq: bigint): { order: number; ipix: bigint } {
  if (uniq < 4n) throw new CoincideError('SKY_BAD_REGION', `NUNIQ ${uniq} is below 4`);
  // 4·4^order ≤ uniq < 16·4^order; a float log₂ gives the order, corrected to be exact.
  let order = Math.floor(Math.log2(Number(uniq)) / 2) - 1;
  while (order > 0 && 4n << BigInt(2 * order) > uniq) order--;
  while (4n << BigInt(2 * order + 2) <= uniq) order++;
  checkOrder(order);
  return { order, ipix: uniq - (4n << BigInt(2 * order)) };
}

/**
 * HEALPix pixel arithmetic for every order 0…29, written by hand.
 *
 * Why not @hscmap/healpix here: that library stops at order 15 (its bit interleaving is 32-bit
 * and it asserts x < 2^16), computes the polar caps from z = cos θ (losing precision within
 * arcseconds of the poles) and allocates an object per call. The MOC algebra needs order 29
 * (indices up to 12·4^29 ≈ 3.5e18 > 2^53) and the join needs an allocation-free point → index
 * path. The formulas are those of Górski et al. 2005 (ApJ 622, 759) as laid out in the
 * reference C++ healpix_base (loc2pix / xyf2loc): (z, φ) → face f and in-face coordinates
 * (x, y), x towards north-east, y towards north-west, each in [0, nside).
 *
 * Symbols: nside = 2^order; z = sin δ = cos θ; φ = α; face f ∈ 0…11; the nested index is
 * f·nside² + interleave(x, y) with the bits of x in the even positions and y in the odd ones.
 */

export const MAX_ORDER = 29;
/** Orders up to which a nested index fits exactly in a double (12·4^24 ≈ 3.4e15 < 2^53). */
export const MAX_NUMBER_ORDER = 24;

const TWO_32 = 4294967296;
/** Ring number (in units of nside) of the southernmost corner of each base face. */
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4] as const;
/** Longitude (in units of π/4) of the southernmost corner of each base face. */
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7] as const;

/** 1 / nside = 2^−order for orders 0…29 (exact powers of two). */
const INVERSE_NSIDE: readonly number[] = Array.from({ length: MAX_ORDER + 1 }, (_, order) => 2 ** -order);

/** nside = 2^order and pixels per base face = 4^order, for orders 0…29 (exact powers of two):
 * a table read instead of `2 ** order` / `4 ** order`, which V8 evaluates as a pow call when the
 * order is not a constant (the join and the MOC builders call these per point). */
const NSIDE: readonly number[] = Array.from({ length: MAX_ORDER + 1 }, (_, order) => 2 ** order);
const PIXELS_PER_FACE: readonly number[] = Array.from({ length: MAX_ORDER + 1 }, (_, order) => 4 ** order);

/** Pixel coordinates on a base face: out-parameter, so the hot path allocates nothing. */
export interface FaceXY {
  face: number;
  x: number;
  y: number;
}

/** Spreads the 16 low bits of v to the even bit positions of a 32-bit word. */
export function spread16(v: number): number {
  let r = v & 0xffff;
  r = (r | (r << 8)) & 0x00ff00ff;
  r = (r | (r << 4)) & 0x0f0f0f0f;
  r = (r | (r << 2)) & 0x33333333;
  r = (r | (r << 1)) & 0x55555555;
  return r;
}

/** Inverse of spread16: gathers the even bits of a 32-bit word. */
export function compact16(v: number): number {
  let r = v & 0x55555555;
  r = (r | (r >>> 1)) & 0x33333333;
  r = (r | (r >>> 2)) & 0x0f0f0f0f;
  r = (r | (r >>> 4)) & 0x00ff00ff;
  r = (r | (r >>> 8)) & 0x0000ffff;
  return r;
}

/**
 * healpix_base `fmodulo(v, 4)`: v mod 4 in [0, 4), with the same rounding as the C++ code.
 */
function fmodulo4(v: number): number {
  if (v >= 0) return v < 4 ? v : v % 4;
  const tmp = (v % 4) + 4;
  return tmp === 4 ? 0 : tmp;
}

/**
 * (α, δ) in degrees → face and pixel coordinates at `order` (healpix_base loc2pix, NEST).
 * The arithmetic follows healpy's `ang2pix` step by step — θ = (90 − δ)·π/180, z = cos θ,
 * φ = α·π/180, t = φ·(2/π) mod 4 — so that points exactly on pixel boundaries (the equator,
 * RA 0/360, the poles) land in the same pixel as in healpy. Near the poles (θ < 0.01 or
 * θ > π − 0.01, |z| > 0.99) nside·√(3(1−|z|)) is computed as nside·sin θ / √((1+|z|)/3),
 * which keeps full precision where 1 − |z| underflows.
 */
export function raDecToFaceXY(order: number, raDeg: number, decDeg: number, out: FaceXY): FaceXY {
  const nside = NSIDE[order] ?? 2 ** order;
  const theta = (90 - decDeg) * (Math.PI / 180);
  const z = Math.cos(theta);
  const za = Math.abs(z);
  const tt = fmodulo4(raDeg * (Math.PI / 180) * (2 / Math.PI));
  if (za <= 2 / 3) {
    // Equatorial belt: the two families of edge lines are t ± (3/4)z in units of π/2.
    const temp1 = nside * (0.5 + tt);
    const temp2 = nside * (z * 0.75);
    const jp = Math.floor(temp1 - temp2); // ascending edge line index
    const jm = Math.floor(temp1 + temp2); // descending edge line index
    const ifp = Math.floor(jp / nside);
    const ifm = Math.floor(jm / nside);
    out.face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    out.x = jm - ifm * nside;
    out.y = nside - (jp - ifp * nside) - 1;
    return out;
  }
  // Polar caps.
  const ntt = Math.min(3, Math.floor(tt));
  const tp = tt - ntt;
  const haveSth = theta < 0.01 || theta > 3.14159 - 0.01;
  const tmp =
    haveSth && za > 0.99
      ? (nside * Math.sin(theta)) / Math.sqrt((1 + za) / 3)
      : nside * Math.sqrt(3 * (1 - za));
  const jp = Math.min(nside - 1, Math.floor(tp * tmp));
  const jm = Math.min(nside - 1, Math.floor((1 - tp) * tmp));
  if (z >= 0) {
    out.face = ntt;
    out.x = nside - jm - 1;
    out.y = nside - jp - 1;
  } else {
    out.face = ntt + 8;
    out.x = jp;
    out.y = jm;
  }
  return out;
}

/** The scratch face coordinates of raDecToNest (one call at a time: JavaScript is single-threaded). */
const SCRATCH: FaceXY = { face: 0, x: 0, y: 0 };

/**
 * (α, δ) in degrees → NESTED index at `order` 0…24, as a double, allocating nothing: the join
 * computes one per optical alert. The caller checks the order and the position.
 */
export function raDecToNest(order: number, raDeg: number, decDeg: number): number {
  const f = raDecToFaceXY(order, raDeg, decDeg, SCRATCH);
  // x, y < 2^15: one 32-bit interleave (faceXYToNest's low half; its high half is 0).
  if (order <= 15)
    return f.face * (PIXELS_PER_FACE[order] as number) + (spread16(f.x) | (spread16(f.y) << 1));
  return faceXYToNest(order, f.face, f.x, f.y);
}

/** Nested index as a double; exact for order ≤ 24 (x, y < 2^24). */
export function faceXYToNest(order: number, face: number, x: number, y: number): number {
  const hi = spread16(x >>> 16) | (spread16(y >>> 16) << 1);
  const lo = (spread16(x & 0xffff) | (spread16(y & 0xffff) << 1)) >>> 0;
  return face * (PIXELS_PER_FACE[order] ?? 4 ** order) + hi * TWO_32 + lo;
}

/** Nested index as a BigInt, for any order ≤ 29. */
export function faceXYToNestBig(order: number, face: number, x: number, y: number): bigint {
  const hi = spread16(x >>> 16) | (spread16(y >>> 16) << 1);
  const lo = (spread16(x & 0xffff) | (spread16(y & 0xffff) << 1)) >>> 0;
  return (BigInt(face) << BigInt(2 * order)) | (BigInt(hi) << 32n) | BigInt(lo);
}

/** Nested index (double, order ≤ 24) → face and pixel coordinates. */
export function nestToFaceXY(order: number, ipix: number, out: FaceXY): FaceXY {
  const npface = PIXELS_PER_FACE[order] ?? 4 ** order;
  const face = Math.floor(ipix / npface);
  const rem = ipix - face * npface;
  const hi = Math.floor(rem / TWO_32);
  const lo = rem - hi * TWO_32;
  out.face = face;
  out.x = compact16(lo) | (compact16(hi) << 16);
  out.y = compact16(lo >>> 1) | (compact16(hi >>> 1) << 16);
  return out;
}

/** Nested index (BigInt, any order ≤ 29) → face and pixel coordinates. */
export function nestBigToFaceXY(order: number, ipix: bigint, out: FaceXY): FaceXY {
  const shift = BigInt(2 * order);
  const face = Number(ipix >> shift);
  const rem = ipix & ((1n << shift) - 1n);
  const hi = Number(rem >> 32n);
  const lo = Number(rem & 0xffffffffn);
  out.face = face;
  out.x = compact16(lo) | (compact16(hi) << 16);
  out.y = compact16(lo >>> 1) | (compact16(hi >>> 1) << 16);
  return out;
}

/**
 * A point of a face given by continuous pixel coordinates (x, y) ∈ [0, nside]² → unit vector
 * (healpix_base xyf2loc). The pixel centre is (ix + ½, iy + ½); its corners are the integer
 * points around it. With xn = x/nside, yn = y/nside and jr = jrll[f] − xn − yn:
 *   jr < 1 (north cap): nr = jr, z = 1 − nr²/3;  jr > 3 (south cap): nr = 4 − jr, z = nr²/3 − 1;
 *   otherwise nr = 1, z = (2 − jr)·2/3;  φ = (π/4)(jpll[f]·nr + xn − yn)/nr.
 */
export function faceXYToVector(order: number, face: number, x: number, y: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  faceXYToVectorInto(order, face, x, y, out);
  return out;
}

/** faceXYToVector into `out` (no allocation: the MOC builders' hot path). */
export function faceXYToVectorInto(
  order: number,
  face: number,
  x: number,
  y: number,
  out: [number, number, number],
): void {
  // x · 2^−order is exactly x / nside (a power of two): the same bits as dividing, without
  // the `2 ** order` (a pow call) that made this the MOC builders' costliest line.
  const inverseNside = INVERSE_NSIDE[order] as number;
  const xn = x * inverseNside;
  const yn = y * inverseNside;
  const jr = (JRLL[face] ?? 0) - xn - yn;
  let nr: number;
  let z: number;
  let sth: number;
  if (jr < 1) {
    nr = jr;
    const tmp = (nr * nr) / 3;
    z = 1 - tmp;
    sth = Math.sqrt(tmp * (2 - tmp));
  } else if (jr > 3) {
    nr = 4 - jr;
    const tmp = (nr * nr) / 3;
    z = tmp - 1;
    sth = Math.sqrt(tmp * (2 - tmp));
  } else {
    nr = 1;
    z = ((2 - jr) * 2) / 3;
    sth = Math.sqrt((1 - z) * (1 + z));
  }
  let t = (JPLL[face] ?? 0) * nr + xn - yn;
  if (t < 0) t += 8;
  if (t >= 8) t -= 8;
  const phi = nr < 1e-15 ? 0 : ((Math.PI / 4) * t) / nr;
  out[0] = sth * Math.cos(phi);
  out[1] = sth * Math.sin(phi);
  out[2] = z;
}

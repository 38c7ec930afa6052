/**
 * Angles on the celestial sphere (ICRS right ascension and declination, degrees).
 *
 * Symbols: α = right ascension, δ = declination (radians inside the formulas, degrees at the
 * API), θ = angular separation, PA = position angle measured from north through east.
 */
import { CoincideError } from '../errors.ts';

export const DEG_PER_RAD = 180 / Math.PI;
export const RAD_PER_DEG = Math.PI / 180;
/** Square degrees per steradian: (180/π)². */
export const DEG2_PER_SR = DEG_PER_RAD * DEG_PER_RAD;
/** The whole sky, 4π sr, in square degrees (41 252.96…). */
export const FULL_SKY_DEG2 = 4 * Math.PI * DEG2_PER_SR;

/** A unit vector (x towards α=0 δ=0, y towards α=90° δ=0, z towards the north pole). */
export type UnitVector = readonly [number, number, number];

/** Throws SKY_BAD_REGION unless (raDeg, decDeg) is finite with −90 ≤ δ ≤ 90. */
export function checkPosition(raDeg: number, decDeg: number): void {
  if (!Number.isFinite(raDeg) || !Number.isFinite(decDeg) || decDeg < -90 || decDeg > 90) {
    throw new CoincideError('SKY_BAD_REGION', `bad sky position (ra ${raDeg}, dec ${decDeg})`);
  }
}

/** Right ascension wrapped into [0, 360). */
export function normaliseRaDeg(raDeg: number): number {
  const wrapped = raDeg % 360;
  const positive = wrapped < 0 ? wrapped + 360 : wrapped;
  return positive === 360 ? 0 : positive;
}

/** (α, δ) → unit vector (cos δ cos α, cos δ sin α, sin δ). */
export function raDecToVector(raDeg: number, decDeg: number): UnitVector {
  const ra = raDeg * RAD_PER_DEG;
  const dec = decDeg * RAD_PER_DEG;
  const cosDec = Math.cos(dec);
  return [cosDec * Math.cos(ra), cosDec * Math.sin(ra), Math.sin(dec)];
}

/** Unit vector → (α in [0, 360), δ in [−90, 90]) degrees; the vector need not be normalised. */
export function vectorToRaDec(v: UnitVector): { raDeg: number; decDeg: number } {
  const [x, y, z] = v;
  const raDeg = normaliseRaDeg(Math.atan2(y, x) * DEG_PER_RAD);
  const decDeg = Math.atan2(z, Math.hypot(x, y)) * DEG_PER_RAD;
  return { raDeg, decDeg };
}

/**
 * Angular separation in degrees, by Vincenty's formula (special case of the ellipsoid formula
 * for a sphere), stable at every separation, including tiny ones and near-antipodal ones:
 *   θ = atan2( √[(cos δ₂ sin Δα)² + (cos δ₁ sin δ₂ − sin δ₁ cos δ₂ cos Δα)²],
 *              sin δ₁ sin δ₂ + cos δ₁ cos δ₂ cos Δα ),   Δα = α₂ − α₁.
 * (acos of a dot product loses all precision below ~1e-8 rad; haversine loses it near π.)
 */
export function angularDistanceDeg(ra1Deg: number, dec1Deg: number, ra2Deg: number, dec2Deg: number): number {
  const dRa = (ra2Deg - ra1Deg) * RAD_PER_DEG;
  const d1 = dec1Deg * RAD_PER_DEG;
  const d2 = dec2Deg * RAD_PER_DEG;
  const sinD1 = Math.sin(d1);
  const cosD1 = Math.cos(d1);
  const sinD2 = Math.sin(d2);
  const cosD2 = Math.cos(d2);
  const sinDRa = Math.sin(dRa);
  const cosDRa = Math.cos(dRa);
  const a = cosD2 * sinDRa;
  const b = cosD1 * sinD2 - sinD1 * cosD2 * cosDRa;
  const c = sinD1 * sinD2 + cosD1 * cosD2 * cosDRa;
  return Math.atan2(Math.hypot(a, b), c) * DEG_PER_RAD;
}

/**
 * Angle in radians between two unit vectors: θ = atan2(|u × v|, u · v), stable at small and
 * large angles (the same stability argument as Vincenty's formula).
 */
export function vectorAngleRad(u: UnitVector, v: UnitVector): number {
  const cx = u[1] * v[2] - u[2] * v[1];
  const cy = u[2] * v[0] - u[0] * v[2];
  const cz = u[0] * v[1] - u[1] * v[0];
  return Math.atan2(Math.hypot(cx, cy, cz), u[0] * v[0] + u[1] * v[1] + u[2] * v[2]);
}

/**
 * Position angle in degrees [0, 360) of point 2 as seen from point 1, from north through east:
 *   PA = atan2( sin Δα cos δ₂, cos δ₁ sin δ₂ − sin δ₁ cos δ₂ cos Δα ).
 */
export function positionAngleDeg(ra1Deg: number, dec1Deg: number, ra2Deg: number, dec2Deg: number): number {
  const dRa = (ra2Deg - ra1Deg) * RAD_PER_DEG;
  const d1 = dec1Deg * RAD_PER_DEG;
  const d2 = dec2Deg * RAD_PER_DEG;
  const y = Math.sin(dRa) * Math.cos(d2);
  const x = Math.cos(d1) * Math.sin(d2) - Math.sin(d1) * Math.cos(d2) * Math.cos(dRa);
  return normaliseRaDeg(Math.atan2(y, x) * DEG_PER_RAD);
}

/**
 * The point at separation θ and position angle PA from (α₁, δ₁) (the direct geodesic problem):
 *   δ₂ = asin(sin δ₁ cos θ + cos δ₁ sin θ cos PA),
 *   α₂ = α₁ + atan2(sin PA sin θ cos δ₁, cos θ − sin δ₁ sin δ₂).
 */
export function offsetByDeg(
  raDeg: number,
  decDeg: number,
  separationDeg: number,
  positionAngle: number,
): { raDeg: number; decDeg: number } {
  const d1 = decDeg * RAD_PER_DEG;
  const t = separationDeg * RAD_PER_DEG;
  const pa = positionAngle * RAD_PER_DEG;
  const sinD2 = Math.sin(d1) * Math.cos(t) + Math.cos(d1) * Math.sin(t) * Math.cos(pa);
  const d2 = Math.asin(Math.max(-1, Math.min(1, sinD2)));
  const dRa = Math.atan2(Math.sin(pa) * Math.sin(t) * Math.cos(d1), Math.cos(t) - Math.sin(d1) * sinD2);
  return { raDeg: normaliseRaDeg(raDeg + dRa * DEG_PER_RAD), decDeg: d2 * DEG_PER_RAD };
}

/** Solid angle of a spherical cap of angular radius r: Ω = 2π (1 − cos r) = 4π sin²(r/2) sr. */
export function capAreaSr(radiusDeg: number): number {
  const s = Math.sin((radiusDeg * RAD_PER_DEG) / 2);
  return 4 * Math.PI * s * s;
}

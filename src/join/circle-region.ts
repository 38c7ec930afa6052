/**
 * A circular localisation (error circle at a published containment) as an ActiveRegion.
 *
 * Model (statistics.md §3): the published radius r at containment c is first turned into a
 * 2-D Gaussian σ = r / k(c), k(c) = √(−2 ln(1 − c)), floored at σ ≥ 0.08° (gwcelery); the
 * density on the sphere is then the von Mises–Fisher distribution with κ = 1/σ² (σ in rad),
 * which equals that Gaussian for small σ and stays normalised on the sphere for large ones:
 *
 *   ρ(θ) = κ / (2π (1 − e^(−2κ))) · e^(κ (cos θ − 1))                       [sr⁻¹]
 *   CL(θ) = (1 − e^(κ (cos θ − 1))) / (1 − e^(−2κ))                          [1]
 *   θ_CL:  cos θ_CL = 1 + ln(1 − CL (1 − e^(−2κ))) / κ
 *   searched area A_s(θ) = 2π (1 − cos θ) · (180/π)²                         [deg²]
 *
 * θ is the angular distance from the centre. Ellipses are searched as circles of their
 * semi-major axis (conservative: a superset of the ellipse).
 */
import * as hp from '@hscmap/healpix';
import { angularDistanceDeg, DEG2_PER_SR, raDecToVector, RAD_PER_DEG } from '../sky/angles.ts';
import { type ActiveRegion, hashRegionDescription, pushRaBox, type RaDecBox } from './active-region.ts';

/** gwcelery's floor on σ (ligo.skymap NaNs for tinier cones), degrees. */
export const MIN_SIGMA_DEG = 0.08;

export interface CircleRegionInput {
  raDeg: number;
  decDeg: number;
  radiusDeg: number;
  /** Containment of `radiusDeg`, in (0, 1). */
  containment: number;
}

/** k(c) = √(−2 ln(1 − c)): the radius of containment c of a 2-D Gaussian, in units of σ. */
export function gaussianContainmentFactor(containment: number): number {
  return Math.sqrt(-2 * Math.log(1 - containment));
}

export function createCircleRegion(input: CircleRegionInput, credibleLevel = 0.9): ActiveRegion {
  const { raDeg, decDeg } = input;
  const sigmaDeg = Math.max(input.radiusDeg / gaussianContainmentFactor(input.containment), MIN_SIGMA_DEG);
  const sigmaRad = sigmaDeg * RAD_PER_DEG;
  const kappa = 1 / (sigmaRad * sigmaRad);
  // 1 − e^(−2κ), computed stably for small κ.
  const norm = -Math.expm1(-2 * kappa);
  const cosSearch = Math.max(-1, 1 + Math.log1p(-credibleLevel * norm) / kappa);
  const searchRadiusDeg = Math.acos(cosSearch) / RAD_PER_DEG;
  const capAreaDeg2 = (cosDeg: number): number => 2 * Math.PI * (1 - cosDeg) * DEG2_PER_SR;
  const areaDeg2 = capAreaDeg2(cosSearch);
  const cosTheta = (ra: number, dec: number): number =>
    Math.cos(angularDistanceDeg(raDeg, decDeg, ra, dec) * RAD_PER_DEG);

  const boxes: RaDecBox[] = [];
  const minDec = decDeg - searchRadiusDeg;
  const maxDec = decDeg + searchRadiusDeg;
  if (maxDec >= 90 || minDec <= -90) {
    boxes.push({ minX: 0, maxX: 360, minY: Math.max(-90, minDec), maxY: Math.min(90, maxDec) });
  } else {
    // Half-width in RA of a cap: asin(sin r / cos δ) (exact for a small circle not containing a pole).
    const s = Math.sin(searchRadiusDeg * RAD_PER_DEG) / Math.cos(decDeg * RAD_PER_DEG);
    const halfRa = s >= 1 ? 180 : Math.asin(s) / RAD_PER_DEG;
    pushRaBox(boxes, raDeg - halfRa, raDeg + halfRa, minDec, maxDec);
  }

  const covers = new Map<number, Set<number>>();
  const credibleLevelFromCos = (c: number): number => Math.min(1, -Math.expm1(kappa * (c - 1)) / norm);

  return {
    kind: 'circle',
    hash: hashRegionDescription({
      type: 'circle',
      raDeg,
      decDeg,
      radiusDeg: input.radiusDeg,
      containment: input.containment,
    }),
    credibleLevel,
    areaDeg2,
    centre: { raDeg, decDeg },
    boxes,
    coverCells(order: number): Set<number> {
      const cached = covers.get(order);
      if (cached) return cached;
      const cells = new Set<number>();
      covers.set(order, cells);
      const radiusRad = Math.min(Math.PI, searchRadiusDeg * RAD_PER_DEG);
      const v = raDecToVector(raDeg, decDeg);
      hp.query_disc_inclusive_nest(2 ** order, [v[0], v[1], v[2]], radiusRad, (ipix) => cells.add(ipix));
      return cells;
    },
    contains(ra, dec) {
      return angularDistanceDeg(raDeg, decDeg, ra, dec) <= searchRadiusDeg;
    },
    credibleLevelAt(ra, dec) {
      return credibleLevelFromCos(cosTheta(ra, dec));
    },
    searchedAreaDeg2(ra, dec) {
      return capAreaDeg2(cosTheta(ra, dec));
    },
    densityPerSr(ra, dec) {
      return (kappa / (2 * Math.PI * norm)) * Math.exp(kappa * (cosTheta(ra, dec) - 1));
    },
  };
}

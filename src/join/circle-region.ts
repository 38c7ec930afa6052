/**
 * Analytic localisations (circles, ellipses) as the join's ActiveRegion, through the sky
 * layer's LocalisationRegion (src/sky/regions.ts): the geometry and the density models are the
 * sky layer's, searched at one credible level CL.
 *
 * - contains(α, δ)          = the position's credible level ≤ CL (exact shape, ellipses included);
 * - coverCells(order)       = the inclusive MOC of the CL region at that order (a superset);
 * - boxes                   = the sky layer's bounding boxes of the CL region;
 * - searchedAreaDeg2(α, δ)  = A(L(α, δ)): the area of the credible region whose level is the
 *                             position's credible level L, deg²;
 * - densityPerSr(α, δ)      = the model's probability density, sr⁻¹ (normalised on the sphere).
 *
 * A position is prepared (unit vector, order-24 index) once for the successive calls the join
 * makes about one alert.
 */
import {
  CircleLocalisation,
  EllipseLocalisation,
  regionFromNotice,
  type LocalisationRegion,
} from '../sky/regions.ts';
import { preparePoint, type SkyPoint } from '../sky/sky-point.ts';
import type { CircleRegion } from '../notices/notice.ts';
import { type ActiveRegion, hashRegionDescription, mocCoverCells, type RaDecBox } from './active-region.ts';
import { type AnalyticDensity, SCALE_EXTENT, scalesFrom } from './overlap.ts';

export interface CircleRegionInput {
  raDeg: number;
  decDeg: number;
  radiusDeg: number;
  /** Containment of `radiusDeg`, in (0, 1). */
  containment: number;
}

/**
 * The density of a circle or ellipse for the overlap integrals: a circle's radial profile has
 * its own scales (src/sky/radial-profile.ts); an ellipse varies on its minor-axis σ out to 6
 * major-axis σ.
 */
export function analyticDensityOf(localisation: LocalisationRegion): AnalyticDensity {
  const c = preparePoint(localisation.centre.raDeg, localisation.centre.decDeg);
  let scales;
  if (localisation instanceof CircleLocalisation) scales = scalesFrom(localisation.profile.scalesRad);
  else if (localisation instanceof EllipseLocalisation) {
    const { major, minor } = localisation.sigmasRad();
    scales = [{ scaleRad: minor, extentRad: Math.min(Math.PI, SCALE_EXTENT * major) }];
  } else throw new Error('analyticDensityOf needs a circle or an ellipse');
  // The sky layer's densities read only the unit vector of a prepared point.
  const point = { raDeg: 0, decDeg: 0, x: 0, y: 0, z: 0, index24: 0 };
  return {
    kind: 'analytic',
    centre: [c.x, c.y, c.z],
    scales,
    densityAt(x, y, z) {
      point.x = x;
      point.y = y;
      point.z = z;
      return localisation.densityPerSrAtPoint(point);
    },
  };
}

/**
 * A LocalisationRegion searched at `credibleLevel` as an ActiveRegion; `description` is the
 * canonical description of the region (and of its density model) that the hash is made from.
 */
export function activeRegionFromLocalisation(
  localisation: LocalisationRegion,
  description: unknown,
  credibleLevel = 0.9,
): ActiveRegion {
  const covers = new Map<number, Set<number>>();
  const boxes: RaDecBox[] = localisation.boundingBoxes(credibleLevel).map((b) => ({
    minX: b.minRaDeg,
    maxX: b.maxRaDeg,
    minY: b.minDecDeg,
    maxY: b.maxDecDeg,
  }));
  let last: SkyPoint | undefined;
  const pointFor = (ra: number, dec: number): SkyPoint => {
    if (last?.raDeg !== ra || last.decDeg !== dec) last = preparePoint(ra, dec);
    return last;
  };
  return {
    kind: localisation.kind === 'ellipse' ? 'ellipse' : 'circle',
    hash: hashRegionDescription(description),
    credibleLevel,
    areaDeg2: localisation.areaDeg2(credibleLevel),
    centre: localisation.centre,
    boxes,
    coverCells(order: number): Set<number> {
      let cells = covers.get(order);
      if (!cells) {
        cells = mocCoverCells(localisation.moc(credibleLevel, { maxOrder: order, inclusive: true }), order);
        covers.set(order, cells);
      }
      return cells;
    },
    contains: (ra, dec) => localisation.containsPoint(pointFor(ra, dec), credibleLevel),
    credibleLevelAt: (ra, dec) => localisation.credibleLevelAtPoint(pointFor(ra, dec)),
    searchedAreaDeg2: (ra, dec) =>
      localisation.areaDeg2(Math.min(1, localisation.credibleLevelAtPoint(pointFor(ra, dec)))),
    densityPerSr: (ra, dec) => localisation.densityPerSrAtPoint(pointFor(ra, dec)),
    density: analyticDensityOf(localisation),
  };
}

/**
 * An error circle with the model the default resolver gives a circle of a non-GBM notice (the
 * sky layer's 'gaussian': σ = r / √(−2 ln(1 − c)) for radius r at containment c), for callers
 * that have a bare circle rather than a notice (benchmarks, store tests).
 */
export function createCircleRegion(input: CircleRegionInput, credibleLevel = 0.9): ActiveRegion {
  const region: CircleRegion = { type: 'circle', ...input, systematicIncluded: true };
  return activeRegionFromLocalisation(
    regionFromNotice(region, { circleModel: 'gaussian' }),
    { ...region, model: 'gaussian' },
    credibleLevel,
  );
}

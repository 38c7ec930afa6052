/**
 * A sky map (src/sky SkyMap: multi-order cells, greedy credible levels, searched areas) as the
 * join's ActiveRegion, searched at credible level CL. The credible region is the sky layer's
 * credible MOC (cells with level ≤ CL); its cover at an index order and its coarse boxes are
 * derived from that MOC. Densities are renormalised by the map's total probability Σ ρ_k A_k.
 * A position is prepared (unit vector, order-24 index) once for the successive calls the join
 * makes about one alert (contains, credible level, density), not once per call.
 */
import { DEG2_PER_SR } from '../sky/angles.ts';
import { pixelCornersNest } from '../sky/healpix.ts';
import { preparePoint, type SkyPoint } from '../sky/sky-point.ts';
import type { SkyMap } from '../sky/skymap.ts';
import {
  type ActiveRegion,
  boxesFromCorners,
  hashRegionDescription,
  mocCoverCells,
} from './active-region.ts';

/** Order of the coarse cells whose boxes go into rbush. */
const BOX_ORDER = 3;

export function createSkyMapRegion(input: SkyMap, credibleLevel = 0.9, hash?: string): ActiveRegion {
  // SkyMap's levels are cumulative Σ ρA without dividing by the total (ligo.skymap divides):
  // renormalise maps that do not sum to 1 (e.g. the Swift map sums to 0.99905).
  const skymap = input.forUse();
  const moc = skymap.credibleMoc(credibleLevel);
  const total = skymap.totalProbability;
  const covers = new Map<number, Set<number>>();
  const coverCells = (target: number): Set<number> => {
    const cached = covers.get(target);
    if (cached) return cached;
    const cells = mocCoverCells(moc, target);
    covers.set(target, cells);
    return cells;
  };
  const boxes = boxesFromCorners(
    [...coverCells(BOX_ORDER)].sort((a, b) => a - b).map((c) => pixelCornersNest(BOX_ORDER, c)),
    0.5,
  );
  // The last prepared position: the join asks several questions about one alert in a row.
  let last: SkyPoint | undefined;
  const pointFor = (ra: number, dec: number): SkyPoint => {
    if (last?.raDeg !== ra || last.decDeg !== dec) last = preparePoint(ra, dec);
    return last;
  };
  const source = skymap.cells();
  return {
    kind: 'skymap',
    hash:
      hash ??
      hashRegionDescription({
        type: 'skymap',
        orders: Array.from(source.orders),
        ipix: Array.from(source.ipix),
        density: Array.from(source.densityPerSr),
      }),
    credibleLevel,
    areaDeg2: moc.areaSr() * DEG2_PER_SR,
    centre: skymap.maxProbPosition(),
    boxes,
    coverCells,
    contains: (ra, dec) => skymap.credibleLevelAtPoint(pointFor(ra, dec)) <= credibleLevel,
    credibleLevelAt: (ra, dec) => skymap.credibleLevelAtPoint(pointFor(ra, dec)),
    searchedAreaDeg2: (ra, dec) => skymap.searchedAreaDeg2At(ra, dec),
    densityPerSr: (ra, dec) => skymap.densityPerSrAtPoint(pointFor(ra, dec)) / total,
    density: { kind: 'map', skymap },
  };
}

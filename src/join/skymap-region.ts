/**
 * A sky map (src/sky SkyMap: multi-order cells, greedy credible levels, searched areas) as the
 * join's ActiveRegion, searched at credible level CL. The credible region is the sky layer's
 * credible MOC (cells with level ≤ CL); its cover at an index order and its coarse boxes are
 * derived from that MOC. Densities are renormalised by the map's total probability Σ ρ_k A_k.
 * A position's cell is located (order-24 index, binary search) once for the successive calls the
 * join makes about one alert (contains, credible level, searched area, density), not once per call.
 */
import { DEG2_PER_SR } from '../sky/angles.ts';
import { pixelCornersNest } from '../sky/healpix.ts';
import { preparePoint } from '../sky/sky-point.ts';
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
  // The cell of the last position asked about: the join asks several questions about one alert
  // in a row (contains, then searched area and credible level for its record), and locating the
  // cell (order-24 index, binary search) is most of each answer.
  let lastRaDeg = Number.NaN;
  let lastDecDeg = Number.NaN;
  let lastCell = -1;
  const cellFor = (ra: number, dec: number): number => {
    if (ra !== lastRaDeg || dec !== lastDecDeg) {
      lastCell = skymap.cellAt(preparePoint(ra, dec));
      lastRaDeg = ra;
      lastDecDeg = dec;
    }
    return lastCell;
  };
  return {
    kind: 'skymap',
    hash: hash ?? hashOfCells(skymap),
    credibleLevel,
    areaDeg2: moc.areaSr() * DEG2_PER_SR,
    centre: skymap.maxProbPosition(),
    boxes,
    coverCells,
    contains: (ra, dec) => skymap.credibleLevelOfCell(cellFor(ra, dec)) <= credibleLevel,
    credibleLevelAt: (ra, dec) => skymap.credibleLevelOfCell(cellFor(ra, dec)),
    searchedAreaDeg2: (ra, dec) => skymap.searchedAreaDeg2OfCell(cellFor(ra, dec)),
    densityPerSr: (ra, dec) => skymap.densityPerSrOfCell(cellFor(ra, dec)) / total,
    density: { kind: 'map', skymap },
  };
}

/** A hash of the cells, for maps given without one (the service gives the file's sha256). */
function hashOfCells(skymap: SkyMap): string {
  const source = skymap.cellView();
  return hashRegionDescription({
    type: 'skymap',
    orders: Array.from(source.orders),
    ipix: Array.from(source.ipix),
    density: Array.from(source.densityPerSr),
  });
}

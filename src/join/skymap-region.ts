/**
 * A sky map (src/sky SkyMap: multi-order cells, greedy credible levels, searched areas) as the
 * join's ActiveRegion, searched at credible level CL. The credible region is the sky layer's
 * credible MOC (cells with level ≤ CL); its cover at an index order and its coarse boxes are
 * derived from that MOC. Densities are renormalised by the map's total probability Σ ρ_k A_k.
 */
import { DEG2_PER_SR } from '../sky/angles.ts';
import { pix2angNest, pixelAreaSr, pixelCornersNest } from '../sky/healpix.ts';
import { SkyMap } from '../sky/skymap.ts';
import {
  type ActiveRegion,
  boxesFromCorners,
  hashRegionDescription,
  type RegionCell,
} from './active-region.ts';

/** Order of the coarse cells whose boxes go into rbush. */
const BOX_ORDER = 3;

export function createSkyMapRegion(input: SkyMap, credibleLevel = 0.9, hash?: string): ActiveRegion {
  // SkyMap's levels are cumulative Σ ρA without dividing by the total (ligo.skymap divides):
  // renormalise maps that do not sum to 1 (e.g. the Swift map sums to 0.99905).
  const skymap = Math.abs(input.totalProbability - 1) > 1e-9 ? normalised(input) : input;
  const moc = skymap.credibleMoc(credibleLevel);
  const total = skymap.totalProbability;
  const covers = new Map<number, Set<number>>();
  const coverCells = (target: number): Set<number> => {
    const cached = covers.get(target);
    if (cached) return cached;
    const cells = new Set<number>();
    for (const cell of moc.degrade(target).cells()) {
      const ipix = Number(cell.ipix);
      if (cell.order >= target) cells.add(Math.floor(ipix / 4 ** (cell.order - target)));
      else {
        const span = 4 ** (target - cell.order);
        for (let c = ipix * span; c < (ipix + 1) * span; c++) cells.add(c);
      }
    }
    covers.set(target, cells);
    return cells;
  };
  const boxes = boxesFromCorners(
    [...coverCells(BOX_ORDER)].sort((a, b) => a - b).map((c) => pixelCornersNest(BOX_ORDER, c)),
    0.5,
  );
  let cellList: RegionCell[] | undefined;
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
    contains: (ra, dec) => skymap.credibleLevelAt(ra, dec) <= credibleLevel,
    credibleLevelAt: (ra, dec) => skymap.credibleLevelAt(ra, dec),
    searchedAreaDeg2: (ra, dec) => skymap.searchedAreaDeg2At(ra, dec),
    densityPerSr: (ra, dec) => skymap.densityPerSrAt(ra, dec) / total,
    cells() {
      cellList ??= Array.from({ length: source.orders.length }, (_, i) => {
        const order = source.orders[i] ?? 0;
        return {
          ...pix2angNest(order, source.ipix[i] ?? 0),
          areaSr: pixelAreaSr(order),
          densityPerSr: (source.densityPerSr[i] ?? 0) / total,
        };
      });
      return cellList;
    },
  };
}

function normalised(skymap: SkyMap): SkyMap {
  const cells = skymap.cells();
  const total = skymap.totalProbability;
  return new SkyMap({ ...cells, densityPerSr: cells.densityPerSr.map((d) => d / total) }, skymap.meta);
}

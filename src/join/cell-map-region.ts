/**
 * A multi-order HEALPix sky map (NESTED cells of mixed orders with probability densities) as
 * an ActiveRegion, with greedy credible levels (ligo.skymap `find_greedy_credible_levels`,
 * statistics.md §4):
 *
 *   P_k = ρ_k A_k / N,   N = Σ_k ρ_k A_k          (ρ density [sr⁻¹], A cell area [sr])
 *   cells sorted by ρ descending; level_k = Σ_{j ≤ k} P_j (cumulative, including cell k)
 *   CL region = cells with level ≤ CL; searched area at a position = Σ_{j ≤ k} A_j of its cell k
 *
 * A position is located by computing its NESTED index at each order present in the map and
 * looking it up (a map has a handful of distinct orders, so this is a few hash lookups).
 * Built from decoded cells so that the join does not depend on how the FITS file was read.
 */
import { DEG2_PER_SR } from '../sky/angles.ts';
import { ang2pixNest, pix2angNest, pixelAreaSr, pixelCornersNest } from '../sky/healpix.ts';
import {
  type ActiveRegion,
  boxesFromCorners,
  hashRegionDescription,
  type RaDecBox,
  type RegionCell,
} from './active-region.ts';

export interface MapCells {
  /** HEALPix order of each cell (NESTED). */
  orders: ArrayLike<number>;
  /** NESTED pixel index of each cell at its order (exact below 2^53). */
  ipix: ArrayLike<number>;
  /** Probability density of each cell, sr⁻¹ (any normalisation; renormalised here). */
  densityPerSr: ArrayLike<number>;
}

/** Order of the coarse cells whose boxes go into rbush. */
const BOX_ORDER = 3;

export function createCellMapRegion(map: MapCells, credibleLevel = 0.9, hash?: string): ActiveRegion {
  const n = map.orders.length;
  const order = new Int8Array(n);
  const ipix = new Float64Array(n);
  const area = new Float64Array(n);
  const density = new Float64Array(n);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    order[i] = map.orders[i] ?? 0;
    ipix[i] = map.ipix[i] ?? 0;
    area[i] = pixelAreaSr(order[i] ?? 0);
    // Negative densities are clipped to 0 (RAVEN means to, statistics.md §1.4).
    density[i] = Math.max(0, map.densityPerSr[i] ?? 0);
    norm += (density[i] ?? 0) * (area[i] ?? 0);
  }
  if (!(norm > 0)) throw new RangeError('a sky map needs a positive total probability');
  for (let i = 0; i < n; i++) density[i] = (density[i] ?? 0) / norm;

  const sorted = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (density[b] ?? 0) - (density[a] ?? 0) || a - b,
  );
  const level = new Float64Array(n);
  const searchedSr = new Float64Array(n);
  let cumP = 0;
  let cumA = 0;
  let regionAreaSr = 0;
  for (const i of sorted) {
    cumP += (density[i] ?? 0) * (area[i] ?? 0);
    cumA += area[i] ?? 0;
    level[i] = Math.min(1, cumP);
    searchedSr[i] = cumA;
    if (cumP <= credibleLevel) regionAreaSr = cumA;
  }

  const lookup = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const o = order[i] ?? 0;
    let byPix = lookup.get(o);
    if (!byPix) lookup.set(o, (byPix = new Map()));
    byPix.set(ipix[i] ?? 0, i);
  }
  const lookupOrders = [...lookup.keys()].sort((a, b) => a - b);
  const cellAt = (ra: number, dec: number): number => {
    for (const o of lookupOrders) {
      const i = lookup.get(o)?.get(ang2pixNest(o, ra, dec));
      if (i !== undefined) return i;
    }
    return -1;
  };

  const inRegion = (i: number): boolean => (level[i] ?? 1) <= credibleLevel;
  const covers = new Map<number, Set<number>>();
  const coverCells = (target: number): Set<number> => {
    const cached = covers.get(target);
    if (cached) return cached;
    const cells = new Set<number>();
    covers.set(target, cells);
    for (let i = 0; i < n; i++) {
      if (!inRegion(i)) continue;
      const o = order[i] ?? 0;
      const p = ipix[i] ?? 0;
      if (o >= target) {
        cells.add(Math.floor(p / 4 ** (o - target)));
      } else {
        const span = 4 ** (target - o);
        for (let c = p * span; c < (p + 1) * span; c++) cells.add(c);
      }
    }
    return cells;
  };
  const coarse = coverCells(BOX_ORDER);
  const boxes: RaDecBox[] = boxesFromCorners(
    [...coarse].sort((a, b) => a - b).map((c) => pixelCornersNest(BOX_ORDER, c)),
    0.5,
  );
  const best = sorted[0] ?? 0;
  let cellList: RegionCell[] | undefined;

  return {
    kind: 'skymap',
    hash:
      hash ??
      hashRegionDescription({
        type: 'cells',
        orders: Array.from(order),
        ipix: Array.from(ipix),
        density: Array.from(density),
      }),
    credibleLevel,
    areaDeg2: regionAreaSr * DEG2_PER_SR,
    centre: pix2angNest(order[best] ?? 0, ipix[best] ?? 0),
    boxes,
    coverCells,
    contains(ra, dec) {
      const i = cellAt(ra, dec);
      return i >= 0 && inRegion(i);
    },
    credibleLevelAt(ra, dec) {
      const i = cellAt(ra, dec);
      return i >= 0 ? (level[i] ?? 1) : 1;
    },
    searchedAreaDeg2(ra, dec) {
      const i = cellAt(ra, dec);
      return (i >= 0 ? (searchedSr[i] ?? 4 * Math.PI) : 4 * Math.PI) * DEG2_PER_SR;
    },
    densityPerSr(ra, dec) {
      const i = cellAt(ra, dec);
      return i >= 0 ? (density[i] ?? 0) : 0;
    },
    cells() {
      cellList ??= Array.from({ length: n }, (_, i) => ({
        ...pix2angNest(order[i] ?? 0, ipix[i] ?? 0),
        areaSr: area[i] ?? 0,
        densityPerSr: density[i] ?? 0,
      }));
      return cellList;
    },
  };
}

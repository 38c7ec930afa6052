/**
 * The bounding cap of a region: a centre (unit vector) and an angular radius such that every
 * point of the region lies within the radius of the centre. The archive stores one per region
 * (archive_caps) so that a position query matching a large share of the archive can walk the
 * notices in trigger-time order and reject most of them with one dot product (search.ts).
 *
 * Construction: the MOC is degraded until it has at most MAX_CAP_CELLS cells (the cap only
 * grows: a degraded MOC covers the region); the centre c is the area-weighted mean of the cell
 * centres, normalised; the radius is max over cells of angle(c, cell centre) + ρ_order, with
 * ρ_order = 1.1 × healpix_base max_pixrad of the cell's order (an upper bound on any cell's
 * centre-to-corner angle at that order; the margin covers the curvature of HEALPix pixel
 * edges, as in sky/moc-build.ts). Bounding each cell by its order's largest radius, not by its
 * own 4 corners, costs one vector per cell instead of five (the corners were most of the CPU
 * of indexing a circle at import) and widens the cap by at most the difference between a
 * cell's own radius and the largest one of its order. A region whose cells average to
 * (nearly) nothing relative to their total weight, e.g. two antipodal lobes, gets the whole
 * sky (radius π).
 *
 * Test (query cap q of radius r_q, 0 for a point): the caps meet iff angle(c, q) ≤ r + r_q,
 * i.e. c·q ≥ cos(r + r_q) = cos r cos r_q − sin r sin r_q when r + r_q < π (always otherwise).
 */
import { vectorAngleRad, type UnitVector } from '../sky/angles.ts';
import { faceXYToVector, nestBigToFaceXY, type FaceXY } from '../sky/healpix-deep.ts';
import { maxPixelRadiusRad } from '../sky/moc-build.ts';
import { Moc, type MocCell } from '../sky/moc.ts';

/** Most cells looked at per region (a 20 000 deg² map at order 6 has ~2 400; order 5 ~600). */
export const MAX_CAP_CELLS = 1024;

export interface RegionCap {
  centre: UnitVector;
  radiusRad: number;
}

/** 1.1 × max_pixrad of orders 0…29: a bound on the centre-to-corner angle of any cell of the order. */
const PIXEL_CAP_RAD: readonly number[] = Array.from(
  { length: 30 },
  (_, order) => 1.1 * maxPixelRadiusRad(order),
);

export function regionCap(moc: Moc): RegionCap | undefined {
  if (moc.isEmpty()) return undefined;
  let order = Math.min(moc.maxOrder(), 16);
  let cells = moc.degrade(order).cells();
  while (cells.length > MAX_CAP_CELLS && order > 0) {
    order = Math.max(0, order - 2);
    cells = moc.degrade(order).cells();
  }
  const xy: FaceXY = { face: 0, x: 0, y: 0 };
  const centres: Array<{ v: UnitVector; radiusRad: number }> = [];
  const sum = [0, 0, 0];
  let totalWeight = 0;
  for (const cell of cells) {
    nestBigToFaceXY(cell.order, cell.ipix, xy);
    const v = faceXYToVector(cell.order, xy.face, xy.x + 0.5, xy.y + 0.5);
    const weight = 4 ** -cell.order;
    totalWeight += weight;
    sum[0] = (sum[0] as number) + weight * v[0];
    sum[1] = (sum[1] as number) + weight * v[1];
    sum[2] = (sum[2] as number) + weight * v[2];
    centres.push({ v, radiusRad: PIXEL_CAP_RAD[cell.order] as number });
  }
  const norm = Math.hypot(sum[0] as number, sum[1] as number, sum[2] as number);
  if (!(norm > 1e-9 * totalWeight)) return { centre: [0, 0, 1], radiusRad: Math.PI };
  const centre: UnitVector = [
    (sum[0] as number) / norm,
    (sum[1] as number) / norm,
    (sum[2] as number) / norm,
  ];
  let radiusRad = 0;
  for (const c of centres) radiusRad = Math.max(radiusRad, vectorAngleRad(centre, c.v) + c.radiusRad);
  return { centre, radiusRad: Math.min(Math.PI, radiusRad) };
}

/** Most caps a query is split into (regionCaps). */
export const MAX_QUERY_CAPS = 16;
/** Cells a query MOC is degraded to at most before its cells are clustered (regionCaps). */
const CLUSTER_CELLS = 48;

/**
 * Bounding caps of the clusters of a region: one cap for a region in one piece, one per piece
 * for a region in several (e.g. a MOC query of two discs on opposite sides of the sky, whose
 * single bounding cap is most of the sky and rejects nothing). Every point of the region lies
 * in one of the caps.
 *
 * Construction: the MOC is degraded to the deepest order (≤ its own) at which it has at most
 * CLUSTER_CELLS cells; cells whose centres are within 2.2 × the largest pixel radius of that
 * order (neighbours, healpix_base max_pixrad, with the margin of moc-build.ts) are joined, by
 * single linkage; each cluster's cells (a cover of its part of the region) get regionCap.
 * More than MAX_QUERY_CAPS clusters: the one cap of the whole region.
 */
export function regionCaps(moc: Moc): RegionCap[] {
  if (moc.isEmpty()) return [];
  let order = Math.min(moc.maxOrder(), 16);
  let cells = moc.degrade(order).cells();
  while (cells.length > CLUSTER_CELLS && order > 0) {
    order -= 1;
    cells = moc.degrade(order).cells();
  }
  const xy: FaceXY = { face: 0, x: 0, y: 0 };
  const centres = cells.map((cell) => {
    nestBigToFaceXY(cell.order, cell.ipix, xy);
    return faceXYToVector(cell.order, xy.face, xy.x + 0.5, xy.y + 0.5);
  });
  // Union-find over cells by neighbourhood (cells of the degraded MOC may be of lower orders
  // than `order`: their own largest radius applies).
  const parent = cells.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const reach = cells.map((cell) => 1.1 * maxPixelRadiusRad(cell.order));
  for (let i = 0; i < cells.length; i++)
    for (let j = i + 1; j < cells.length; j++) {
      if (
        vectorAngleRad(centres[i] as UnitVector, centres[j] as UnitVector) <=
        (reach[i] as number) + (reach[j] as number)
      )
        parent[root(i)] = root(j);
    }
  const clusters = new Map<number, MocCell[]>();
  for (const [i, cell] of cells.entries()) {
    const r = root(i);
    const list = clusters.get(r) ?? [];
    list.push(cell);
    clusters.set(r, list);
  }
  const whole = (): RegionCap[] => {
    const cap = regionCap(moc);
    return cap ? [cap] : [];
  };
  if (clusters.size === 1 || clusters.size > MAX_QUERY_CAPS) return whole();
  return [...clusters.values()].flatMap((list) => {
    const cap = regionCap(Moc.fromCells(list));
    return cap ? [cap] : [];
  });
}

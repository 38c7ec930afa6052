/**
 * The bounding cap of a region: a centre (unit vector) and an angular radius such that every
 * point of the region lies within the radius of the centre. The archive stores one per region
 * (archive_caps) so that a position query matching a large share of the archive can walk the
 * notices in trigger-time order and reject most of them with one dot product (search.ts).
 *
 * Construction: the MOC is degraded until it has at most MAX_CAP_CELLS cells (the cap only
 * grows: a degraded MOC covers the region); the centre c is the area-weighted mean of the cell
 * centres, normalised; the radius is max over cells of angle(c, cell centre) + ρ_cell, with
 * ρ_cell = 1.1 × the largest centre-to-corner angle of the cell (the margin covers the
 * curvature of HEALPix pixel edges, as in sky/moc-build.ts). A region whose cells average to
 * (nearly) nothing relative to their total weight, e.g. two antipodal lobes, gets the whole
 * sky (radius π).
 *
 * Test (query cap q of radius r_q, 0 for a point): the caps meet iff angle(c, q) ≤ r + r_q,
 * i.e. c·q ≥ cos(r + r_q) = cos r cos r_q − sin r sin r_q when r + r_q < π (always otherwise).
 */
import { vectorAngleRad, type UnitVector } from '../sky/angles.ts';
import { faceXYToVector, nestBigToFaceXY, type FaceXY } from '../sky/healpix-deep.ts';
import type { Moc } from '../sky/moc.ts';

/** Most cells looked at per region (a 20 000 deg² map at order 6 has ~2 400; order 5 ~600). */
export const MAX_CAP_CELLS = 1024;

export interface RegionCap {
  centre: UnitVector;
  radiusRad: number;
}

const CORNERS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

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
    let radiusRad = 0;
    for (const [dx, dy] of CORNERS)
      radiusRad = Math.max(
        radiusRad,
        vectorAngleRad(v, faceXYToVector(cell.order, xy.face, xy.x + dx, xy.y + dy)),
      );
    const weight = 4 ** -cell.order;
    totalWeight += weight;
    sum[0] = (sum[0] as number) + weight * v[0];
    sum[1] = (sum[1] as number) + weight * v[1];
    sum[2] = (sum[2] as number) + weight * v[2];
    centres.push({ v, radiusRad: radiusRad * 1.1 });
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

/**
 * The combined localisation of two notices: the product of their densities, renormalised,
 *
 *   p_c(Ω) = p_a(Ω) · p_b(Ω) / ∫ p_a p_b dΩ          [sr⁻¹]   (∫ p_a p_b dΩ = I_Ω / 4π)
 *
 * which is what RAVEN's combined sky map is (ligo.raven `combine_skymaps_moc_moc`,
 * `combine_skymaps_moc_flat`; statistics.md §3 "Joint maps"), as a multi-order SkyMap on the
 * union of the two grids, by the rules the overlap integral uses (overlap.ts), so that the map
 * integrates to the same I_Ω:
 *  - map × map: two NESTED cells either are disjoint or one holds the other, so the union grid is
 *    the finer cell of each overlapping pair, with density ρ_a ρ_b (exact);
 *  - map × analytic: each map cell k is split on the analytic density's quadtree (leaves of side
 *    ≤ σ/4 within 6σ, overlap.ts `needsSplit`); a leaf holds ρ_k · p(leaf centre);
 *  - analytic × analytic: the same quadtree from the 12 base cells; a leaf holds p_a p_b at its
 *    centre;
 *  - a point (no extent) has no combined area: undefined.
 * Cells where the product is 0 are left out: the map is partial, and a position outside it has
 * density 0 and credible level 1 (SkyMap's convention).
 */
import { faceXYToVector, nestToFaceXY, type FaceXY } from '../sky/healpix-deep.ts';
import { SkyMap } from '../sky/skymap.ts';
import { type AnalyticDensity, MAX_LEAF_ORDER, needsSplit, type OverlapDensity } from './overlap.ts';

const FOUR_PI = 4 * Math.PI;
const AREA_SR = Array.from({ length: MAX_LEAF_ORDER + 1 }, (_, o) => FOUR_PI / (12 * 4 ** o));

/** Cells as they are collected (order, NESTED index, density sr⁻¹ before normalisation). */
class CellList {
  orders: number[] = [];
  ipix: number[] = [];
  density: number[] = [];
  total = 0;

  push(order: number, ipix: number, density: number): void {
    if (!(density > 0) || !Number.isFinite(density)) return;
    this.orders.push(order);
    this.ipix.push(ipix);
    this.density.push(density);
    this.total += density * (AREA_SR[order] as number);
  }

  /** The normalised map, or undefined when the product is 0 everywhere. */
  toSkyMap(): SkyMap | undefined {
    if (!(this.total > 0) || this.orders.length === 0) return undefined;
    const total = this.total;
    return new SkyMap(
      {
        orders: Uint8Array.from(this.orders),
        ipix: Float64Array.from(this.ipix),
        densityPerSr: Float64Array.from(this.density, (d) => d / total),
      },
      { ordering: 'NUNIQ', header: { CREATOR: 'coincide product-map' } },
    );
  }
}

/** Emits the leaves of NESTED cell (order, ipix) on the quadtree split by `split`, with f(centre) · weight. */
function emitLeaves(
  order: number,
  ipix: number,
  weight: number,
  f: (x: number, y: number, z: number) => number,
  split: (order: number, x: number, y: number, z: number) => boolean,
  out: CellList,
  scratch: FaceXY,
): void {
  nestToFaceXY(order, ipix, scratch);
  const [x, y, z] = faceXYToVector(order, scratch.face, scratch.x + 0.5, scratch.y + 0.5);
  if (order < MAX_LEAF_ORDER && split(order, x, y, z)) {
    for (let j = 0; j < 4; j++) emitLeaves(order + 1, 4 * ipix + j, weight, f, split, out, scratch);
    return;
  }
  out.push(order, ipix, weight * f(x, y, z));
}

function mapTimesMap(a: SkyMap, b: SkyMap, out: CellList): void {
  const va = a.cellView();
  const vb = b.cellView();
  let i = 0;
  let j = 0;
  while (i < va.starts24.length && j < vb.starts24.length) {
    const ea = va.ends24[i] as number;
    const eb = vb.ends24[j] as number;
    const overlapping = Math.max(va.starts24[i] as number, vb.starts24[j] as number) < Math.min(ea, eb);
    if (overlapping) {
      const fine = (va.orders[i] as number) >= (vb.orders[j] as number);
      out.push(
        fine ? (va.orders[i] as number) : (vb.orders[j] as number),
        fine ? (va.ipix[i] as number) : (vb.ipix[j] as number),
        (va.densityPerSr[i] as number) * (vb.densityPerSr[j] as number),
      );
    }
    if (ea <= eb) i++;
    else j++;
  }
}

function mapTimesAnalytic(map: SkyMap, d: AnalyticDensity, out: CellList): void {
  const v = map.cellView();
  const scratch: FaceXY = { face: 0, x: 0, y: 0 };
  const f = (x: number, y: number, z: number): number => d.densityAt(x, y, z);
  const split = (order: number, x: number, y: number, z: number): boolean => needsSplit(d, order, x, y, z);
  for (let k = 0; k < v.orders.length; k++) {
    const rho = v.densityPerSr[k] as number;
    if (rho > 0) emitLeaves(v.orders[k] as number, v.ipix[k] as number, rho, f, split, out, scratch);
  }
}

function analyticTimesAnalytic(a: AnalyticDensity, b: AnalyticDensity, out: CellList): void {
  const scratch: FaceXY = { face: 0, x: 0, y: 0 };
  const f = (x: number, y: number, z: number): number => {
    const pa = a.densityAt(x, y, z);
    return pa === 0 ? 0 : pa * b.densityAt(x, y, z);
  };
  const split = (order: number, x: number, y: number, z: number): boolean =>
    needsSplit(a, order, x, y, z) || needsSplit(b, order, x, y, z);
  for (let face = 0; face < 12; face++) emitLeaves(0, face, 1, f, split, out, scratch);
}

/**
 * p_a p_b / ∫ p_a p_b dΩ as a normalised multi-order sky map; undefined when either density is
 * a point or the two never meet (I_Ω = 0).
 */
export function productSkyMap(a: OverlapDensity, b: OverlapDensity): SkyMap | undefined {
  if (a.kind === 'point' || b.kind === 'point') return undefined;
  const out = new CellList();
  if (a.kind === 'map' && b.kind === 'map') mapTimesMap(a.skymap, b.skymap, out);
  else if (a.kind === 'map' && b.kind === 'analytic') mapTimesAnalytic(a.skymap, b, out);
  else if (a.kind === 'analytic' && b.kind === 'map') mapTimesAnalytic(b.skymap, a, out);
  else analyticTimesAnalytic(a as AnalyticDensity, b as AnalyticDensity, out);
  return out.toSkyMap();
}

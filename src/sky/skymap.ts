/**
 * A HEALPix probability sky map held as multi-order cells (flat maps become one-order cells),
 * with everything the join asks of it precomputed once:
 *  - cells sorted by position (their order-24 index ranges), so the cell under a point is one
 *    binary search in a Float64Array;
 *  - the greedy credible level of every cell (ligo.skymap `find_greedy_credible_levels`):
 *    sort cells by density ρ descending, P_k = ρ_k·A_k (A_k the cell solid angle), the level of
 *    a cell is Σ P up to and including it; the searched area of a cell is Σ A likewise.
 *
 * Conventions follow ligo.skymap's `crossmatch` (what `ligo-skymap-stats` prints):
 *  - probability is not renormalised (a map summing to 0.999 keeps its levels);
 *  - ties in density are broken by NUNIQ, larger first (numpy's structured sort reversed);
 *  - the area of the credible region at level c is interpolated linearly in (Σ P, Σ A) with
 *    the point (0, 0) prepended (`interp_greedy_credible_levels`).
 */
import { CoincideError } from '../errors.ts';
import { DEG2_PER_SR } from './angles.ts';
import { faceXYToVector, nestToFaceXY } from './healpix-deep.ts';
import type { RaDec } from './healpix.ts';
import { Moc } from './moc.ts';
import { radixOrder } from './radix-order.ts';
import { preparePoint, type SkyPoint } from './sky-point.ts';

export interface SkyMapCells {
  /** HEALPix order of each cell (0…24). */
  orders: Uint8Array;
  /** NESTED index of each cell at its own order (exact doubles). */
  ipix: Float64Array;
  /** Probability density, per steradian. */
  densityPerSr: Float64Array;
  distMuMpc?: Float64Array;
  distSigmaMpc?: Float64Array;
  distNormPerMpc2?: Float64Array;
}

export interface DistancePosterior {
  distMuMpc: number;
  distSigmaMpc: number;
  distNormPerMpc2: number;
  /** p(r | Ω) = DISTNORM · r² · N(r; DISTMU, DISTSIGMA), per Mpc. */
  pdfPerMpc(distanceMpc: number): number;
  /** Mean and standard deviation of p(r | Ω) over r > 0 (numerical quadrature), Mpc. */
  meanMpc: number;
  stdMpc: number;
}

export interface SkyMapMeta {
  /** e.g. 'NUNIQ', 'NESTED', 'RING' (as read). */
  ordering: string;
  header: Record<string, string | number | boolean | null>;
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** A map whose probabilities sum to 1 only within more than this gets a warning. */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;
/** Cells are indexed at order 24 (= MAX_NUMBER_ORDER, the deepest exact-double order). */
const INDEX_ORDER = 24;

export class SkyMap {
  readonly cellCount: number;
  readonly meta: SkyMapMeta;
  /** Σ ρ_k A_k (not forced to 1). */
  readonly totalProbability: number;
  private readonly orders: Uint8Array;
  private readonly ipix: Float64Array;
  private readonly starts24: Float64Array;
  private readonly ends24: Float64Array;
  private readonly density: Float64Array;
  private readonly areaSr: Float64Array;
  private readonly distMu: Float64Array | undefined;
  private readonly distSigma: Float64Array | undefined;
  private readonly distNorm: Float64Array | undefined;
  /** Greedy credible level of each cell (spatial order). */
  private readonly levels: Float64Array;
  /** Searched area (sr) of each cell (spatial order). */
  private readonly searchedSr: Float64Array;
  /** Cell indices in greedy order, with cumulative probability and area (sr). */
  private readonly greedy: Uint32Array;
  private readonly cumProb: Float64Array;
  private readonly cumAreaSr: Float64Array;

  /**
   * `greedyHint` (internal, for normalised()): a greedy order of the same cells in spatial order,
   * used when it is still one for these densities (checked in one pass), else sorted afresh.
   */
  constructor(
    cells: SkyMapCells,
    meta: SkyMapMeta = { ordering: 'NUNIQ', header: {} },
    greedyHint?: Uint32Array,
  ) {
    const n = cells.orders.length;
    if (cells.ipix.length !== n || cells.densityPerSr.length !== n) {
      throw new CoincideError('FITS_MALFORMED', 'sky map columns differ in length');
    }
    if (n === 0) throw new CoincideError('FITS_MALFORMED', 'sky map has no cells');
    this.cellCount = n;
    this.meta = meta;
    // Spatial order: by order-24 start (distinct integers in a valid map; equal ones are found
    // overlapping below). Maps are mostly given in it already (flat maps, maps written back
    // out): then nothing is sorted.
    const inOrders = cells.orders;
    const inIpix = cells.ipix;
    const inDensity = cells.densityPerSr;
    const starts = new Float64Array(n);
    let inOrder = true;
    for (let i = 0; i < n; i++) {
      const order = inOrders[i] as number;
      const d = inDensity[i] as number;
      if (order > INDEX_ORDER) throw new CoincideError('FITS_MALFORMED', `sky map cell order ${order} > 24`);
      if (!(d >= 0) || d === Infinity)
        throw new CoincideError('FITS_MALFORMED', `sky map density ${d} at row ${i}`);
      starts[i] = (inIpix[i] as number) * (POW4[INDEX_ORDER - order] as number);
      if (i > 0 && !((starts[i] as number) > (starts[i - 1] as number))) inOrder = false;
    }
    const spatial = inOrder ? undefined : radixOrder(starts);
    const gather = (src: Float64Array): Float64Array => {
      if (!spatial) return src.slice();
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = src[spatial[k] as number] as number;
      return out;
    };
    const orders = new Uint8Array(n);
    for (let k = 0; k < n; k++) orders[k] = inOrders[spatial ? (spatial[k] as number) : k] as number;
    const ipix = gather(inIpix);
    const starts24 = spatial ? gather(starts) : starts;
    const ends24 = new Float64Array(n);
    const areaSr = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const order = orders[k] as number;
      ends24[k] = (starts24[k] as number) + (POW4[INDEX_ORDER - order] as number);
      areaSr[k] = (4 * Math.PI) / (12 * (POW4[order] as number));
      if (k > 0 && (starts24[k] as number) < (ends24[k - 1] as number)) {
        throw new CoincideError('FITS_MALFORMED', 'sky map cells overlap');
      }
    }
    const density = gather(inDensity);
    // Greedy order: density descending; ties by NUNIQ descending (numpy sorts the structured
    // array by PROBDENSITY then UNIQ, and crossmatch reverses it).
    const greedy =
      greedyHint && !spatial && isGreedyOrder(greedyHint, density, orders, ipix)
        ? greedyHint.slice()
        : greedyOrder(density, orders);
    const cumProb = new Float64Array(n);
    const cumAreaSr = new Float64Array(n);
    const levels = new Float64Array(n);
    const searchedSr = new Float64Array(n);
    let p = 0;
    let a = 0;
    for (let g = 0; g < n; g++) {
      const k = greedy[g] as number;
      p += (density[k] as number) * (areaSr[k] as number);
      a += areaSr[k] as number;
      cumProb[g] = p;
      cumAreaSr[g] = a;
      levels[k] = p;
      searchedSr[k] = a;
    }
    this.totalProbability = p;
    this.orders = orders;
    this.ipix = ipix;
    this.starts24 = starts24;
    this.ends24 = ends24;
    this.areaSr = areaSr;
    this.density = density;
    this.distMu = cells.distMuMpc && gather(cells.distMuMpc);
    this.distSigma = cells.distSigmaMpc && gather(cells.distSigmaMpc);
    this.distNorm = cells.distNormPerMpc2 && gather(cells.distNormPerMpc2);
    this.greedy = greedy;
    this.cumProb = cumProb;
    this.cumAreaSr = cumAreaSr;
    this.levels = levels;
    this.searchedSr = searchedSr;
  }

  /** Index (spatial order) of the cell holding the point, or −1 where the map has no cell. */
  cellAt(point: SkyPoint): number {
    const idx = point.index24;
    const starts = this.starts24;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] as number) <= idx) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && idx < (this.ends24[hi] as number) ? hi : -1;
  }

  /** Greedy credible level (searched probability) at a prepared point; 1 outside the map. */
  credibleLevelAtPoint(point: SkyPoint): number {
    return this.credibleLevelOfCell(this.cellAt(point));
  }

  /** Credible level of cell `k` (an index from cellAt; −1, outside every cell, is level 1). */
  credibleLevelOfCell(k: number): number {
    return k < 0 ? 1 : (this.levels[k] as number);
  }

  /** Searched area (deg²) of cell `k` from cellAt: the area of all cells at least as probable. */
  searchedAreaDeg2OfCell(k: number): number {
    const areaSr = k < 0 ? this.cumAreaSr[this.cellCount - 1] : this.searchedSr[k];
    return (areaSr as number) * DEG2_PER_SR;
  }

  /** Density (per sr, not renormalised) of cell `k` from cellAt; 0 outside every cell. */
  densityPerSrOfCell(k: number): number {
    return k < 0 ? 0 : (this.density[k] as number);
  }

  credibleLevelAt(raDeg: number, decDeg: number): number {
    return this.credibleLevelAtPoint(preparePoint(raDeg, decDeg));
  }

  /** Searched area (deg²) at a position: the area of all cells at least as probable. */
  searchedAreaDeg2At(raDeg: number, decDeg: number): number {
    return this.searchedAreaDeg2OfCell(this.cellAt(preparePoint(raDeg, decDeg)));
  }

  densityPerSrAtPoint(point: SkyPoint): number {
    return this.densityPerSrOfCell(this.cellAt(point));
  }

  densityPerSrAt(raDeg: number, decDeg: number): number {
    return this.densityPerSrAtPoint(preparePoint(raDeg, decDeg));
  }

  /** Density per deg²: ρ_sr / (180/π)². */
  densityPerDeg2At(raDeg: number, decDeg: number): number {
    return this.densityPerSrAt(raDeg, decDeg) / DEG2_PER_SR;
  }

  hasDistance(): boolean {
    return this.distMu !== undefined && this.distSigma !== undefined && this.distNorm !== undefined;
  }

  /**
   * Distance posterior along a line of sight (ligo.skymap ansatz, Singer et al. 2016):
   * p(r | Ω) = DISTNORM(Ω) · r² · N(r; DISTMU(Ω), DISTSIGMA(Ω)) per Mpc, with
   * N(r; μ, σ) = exp(−(r − μ)²/(2σ²)) / (σ √(2π)). Undefined where the map has no distance
   * layers, outside the map, or where the layers are not finite (ligo.skymap writes inf/NaN).
   */
  distanceAt(raDeg: number, decDeg: number): DistancePosterior | undefined {
    if (!this.distMu || !this.distSigma || !this.distNorm) return undefined;
    const k = this.cellAt(preparePoint(raDeg, decDeg));
    if (k < 0) return undefined;
    const mu = this.distMu[k] as number;
    const sigma = this.distSigma[k] as number;
    const norm = this.distNorm[k] as number;
    if (!Number.isFinite(mu) || !Number.isFinite(sigma) || !Number.isFinite(norm) || sigma <= 0)
      return undefined;
    const pdf = (r: number): number => {
      if (r <= 0) return 0;
      const u = (r - mu) / sigma;
      return (norm * r * r * Math.exp(-0.5 * u * u)) / (sigma * SQRT_2PI);
    };
    // Moments by the trapezoid rule over [max(0, μ − 10σ), μ + 10σ] (the Gaussian factor is
    // < 2e-22 beyond), 4000 steps.
    const lo = Math.max(0, mu - 10 * sigma);
    const hi = mu + 10 * sigma;
    const steps = 4000;
    const h = (hi - lo) / steps;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i <= steps; i++) {
      const r = lo + i * h;
      const w = (i === 0 || i === steps ? 0.5 : 1) * pdf(r);
      m0 += w;
      m1 += w * r;
      m2 += w * r * r;
    }
    const meanMpc = m1 / m0;
    const stdMpc = Math.sqrt(Math.max(0, m2 / m0 - meanMpc * meanMpc));
    return { distMuMpc: mu, distSigmaMpc: sigma, distNormPerMpc2: norm, pdfPerMpc: pdf, meanMpc, stdMpc };
  }

  /** Area (deg²) of the smallest region holding probability `level` (ligo.skymap interpolation). */
  credibleAreaDeg2(level: number): number {
    checkLevel(level);
    const cp = this.cumProb;
    const n = cp.length;
    if (level > (cp[n - 1] as number)) return 4 * Math.PI * DEG2_PER_SR; // numpy interp `right`
    // First g with cumProb[g] ≥ level; interpolate between (cp[g−1], A[g−1]) and (cp[g], A[g]).
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cp[mid] as number) < level) lo = mid + 1;
      else hi = mid;
    }
    const p1 = cp[lo] as number;
    const a1 = this.cumAreaSr[lo] as number;
    const p0 = lo > 0 ? (cp[lo - 1] as number) : 0;
    const a0 = lo > 0 ? (this.cumAreaSr[lo - 1] as number) : 0;
    const areaSr = p1 === p0 ? a1 : a0 + ((level - p0) * (a1 - a0)) / (p1 - p0);
    return areaSr * DEG2_PER_SR;
  }

  /** Number of cells whose credible level is ≤ level (they form the credible region). */
  credibleCellCount(level: number): number {
    checkLevel(level);
    let lo = 0;
    let hi = this.cellCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumProb[mid] as number) <= level) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The credible region at `level` as a MOC: every cell whose credible level is ≤ level. */
  credibleMoc(level: number): Moc {
    checkLevel(level);
    // Walk the cells in spatial order, merging neighbours, so the MOC is built from already
    // sorted order-24 ranges (no BigInt sort).
    const flat: number[] = [];
    for (let k = 0; k < this.cellCount; k++) {
      if ((this.levels[k] as number) > level) continue;
      const s = this.starts24[k] as number;
      const e = this.ends24[k] as number;
      if (flat.length > 0 && flat[flat.length - 1] === s) flat[flat.length - 1] = e;
      else flat.push(s, e);
    }
    return Moc.fromSortedRanges24(flat);
  }

  /** Centre of the most probable cell (highest density; ligo.skymap's mode). */
  maxProbPosition(): RaDec {
    const k = this.greedy[0] as number;
    return this.cellCentre(k);
  }

  /** Greatest probability density, per sr. */
  maxDensityPerSr(): number {
    return this.density[this.greedy[0] as number] as number;
  }

  /** Centre of cell k (spatial order). */
  cellCentre(k: number): RaDec {
    const order = this.orders[k] as number;
    const f = nestToFaceXY(order, this.ipix[k] as number, { face: 0, x: 0, y: 0 });
    const [x, y, z] = faceXYToVector(order, f.face, f.x + 0.5, f.y + 0.5);
    const raDeg = ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
    return { raDeg, decDeg: (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI };
  }

  /**
   * The same map scaled to total probability 1 (ρ_k / Σ ρ A), for maps that do not sum to 1
   * (e.g. the Swift sample sums to 0.99905). ligo-skymap-stats does not rescale, so neither
   * does reading a map.
   */
  normalised(): SkyMap {
    const total = this.totalProbability;
    if (!(total > 0)) throw new CoincideError('FITS_MALFORMED', 'sky map holds no probability');
    // This map's own arrays, in spatial order (the constructor copies what it keeps). Dividing
    // by the total keeps the greedy order, unless rounding makes two densities equal.
    return new SkyMap(
      {
        orders: this.orders,
        ipix: this.ipix,
        densityPerSr: this.density.map((d) => d / total),
        ...(this.distMu ? { distMuMpc: this.distMu } : {}),
        ...(this.distSigma ? { distSigmaMpc: this.distSigma } : {}),
        ...(this.distNorm ? { distNormPerMpc2: this.distNorm } : {}),
      },
      this.meta,
      this.greedy,
    );
  }

  /**
   * The cells in spatial order without copying (read-only by contract; for the overlap
   * integrals of src/join/overlap.ts): order, NESTED index, density (sr⁻¹) and the cell's
   * range [start, end) of order-24 NESTED indices.
   */
  cellView(): Readonly<{
    orders: Uint8Array;
    ipix: Float64Array;
    densityPerSr: Float64Array;
    starts24: Float64Array;
    ends24: Float64Array;
  }> {
    return {
      orders: this.orders,
      ipix: this.ipix,
      densityPerSr: this.density,
      starts24: this.starts24,
      ends24: this.ends24,
    };
  }

  /**
   * The map the join and `coincide skymap` use: this one when its probabilities sum to 1
   * within 1e-9, else normalised() (statistics.md §4: the Swift sample sums to 0.99905, which
   * would overstate its credible areas by 0.3–0.5 %).
   */
  forUse(): SkyMap {
    return Math.abs(this.totalProbability - 1) > 1e-9 ? this.normalised() : this;
  }

  /** A warning when the probabilities sum to 1 only within more than `tolerance` (default 1e-3). */
  probabilitySumWarning(tolerance = PROBABILITY_SUM_TOLERANCE): string | undefined {
    const total = this.totalProbability;
    if (Math.abs(total - 1) <= tolerance) return undefined;
    return `sky map probabilities sum to ${total.toPrecision(6)}, not 1 (off by more than ${tolerance}): renormalised`;
  }

  /** A copy of the cells (spatial order), e.g. to write the map back out. */
  cells(): SkyMapCells {
    return {
      orders: this.orders.slice(),
      ipix: this.ipix.slice(),
      densityPerSr: this.density.slice(),
      ...(this.distMu ? { distMuMpc: this.distMu.slice() } : {}),
      ...(this.distSigma ? { distSigmaMpc: this.distSigma.slice() } : {}),
      ...(this.distNorm ? { distNormPerMpc2: this.distNorm.slice() } : {}),
    };
  }
}

function checkLevel(level: number): void {
  if (!(level >= 0 && level <= 1))
    throw new CoincideError('SKY_BAD_REGION', `credible level ${level} is outside [0, 1]`);
}

/** 4^k for k = 0…24 (exact doubles). */
const POW4 = Float64Array.from({ length: INDEX_ORDER + 1 }, (_, k) => 4 ** k);

/**
 * True when `order` (a permutation of the cells, spatial order) is the greedy order of these
 * densities: density descending, equal densities by NUNIQ descending (order, then ipix).
 */
function isGreedyOrder(
  order: Uint32Array,
  density: Float64Array,
  orders: Uint8Array,
  ipix: Float64Array,
): boolean {
  if (order.length !== density.length) return false;
  for (let g = 1; g < order.length; g++) {
    const a = order[g - 1] as number;
    const b = order[g] as number;
    const da = density[a] as number;
    const db = density[b] as number;
    if (da > db) continue;
    if (da < db) return false;
    const oa = orders[a] as number;
    const ob = orders[b] as number;
    if (oa < ob || (oa === ob && (ipix[a] as number) <= (ipix[b] as number))) return false;
  }
  return true;
}

/**
 * Cell indices (spatial order) in greedy order: density descending, equal densities by NUNIQ
 * descending. NUNIQ = 4·4^order + ipix grows with the order first (every cell of order o + 1 has
 * a larger NUNIQ than any of order o) and then with ipix, which grows along the spatial order
 * within one order. So the cells are first put in NUNIQ-descending order by one counting pass
 * over the orders (the spatial order walked backwards), then stably sorted by density
 * descending (radix-order.ts): a strict total order, the same permutation as sorting by
 * (density, NUNIQ) descending.
 */
function greedyOrder(density: Float64Array, orders: Uint8Array): Uint32Array {
  const n = density.length;
  const perOrder = new Uint32Array(INDEX_ORDER + 1);
  for (let k = 0; k < n; k++) {
    const o = orders[k] as number;
    perOrder[o] = (perOrder[o] as number) + 1;
  }
  const next = new Uint32Array(INDEX_ORDER + 1);
  let at = 0;
  for (let o = INDEX_ORDER; o >= 0; o--) {
    next[o] = at;
    at += perOrder[o] as number;
  }
  const byUniqDescending = new Uint32Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const o = orders[k] as number;
    const slot = next[o] as number;
    next[o] = slot + 1;
    byUniqDescending[slot] = k;
  }
  return radixOrder(density, { descending: true, start: byUniqDescending });
}

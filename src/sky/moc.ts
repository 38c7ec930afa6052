/**
 * MOC (IVOA Multi-Order Coverage 2.0, space only): a set of HEALPix cells, held as normalised
 * (sorted, disjoint, non-adjacent) half-open ranges [start, end) of NESTED indices at order 29.
 *
 * Representation: one BigUint64Array [s0, e0, s1, e1, …]. Order-29 indices reach
 * 12·4^29 ≈ 3.5e18 > 2^53, so doubles cannot hold them; BigInt keeps the algebra exact.
 * Point tests are the hot path: when every boundary is a multiple of 4^5 (the MOC is no
 * deeper than order 24, true of every real localisation), the ranges are also kept as exact
 * doubles at order 24 and searched in Float64Arrays; otherwise the search compares BigInts.
 */
import { DEG2_PER_SR } from './angles.ts';
import { CoincideError } from '../errors.ts';
import { MAX_ORDER, ang2pixNestBig, checkOrder } from './healpix.ts';
import { POINT_INDEX_ORDER, preparePoint, type SkyPoint } from './sky-point.ts';

/** Number of order-29 cells on the sky: 12·4^29. */
export const ORDER29_CELLS = 12n << 58n;
const SHIFT_24_TO_29 = 10n; // 2·(29 − 24) bits
const AREA_ORDER29_SR = (4 * Math.PI) / (12 * 4 ** 29);

/** One HEALPix cell of a MOC (NESTED index at its order). */
export interface MocCell {
  order: number;
  ipix: bigint;
}

/** Trailing zero bits of 0 < v < 2^64 (two 32-bit words: no BigInt loop). */
function trailingZeros(v: bigint): number {
  const lo = Number(BigInt.asUintN(32, v));
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Number(BigInt.asUintN(32, v >> 32n));
  return 63 - Math.clz32(hi & -hi);
}

/** Bits of 0 < v < 2^64 up to its highest set bit. */
function bitLength(v: bigint): number {
  const hi = Number(v >> 32n);
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(v));
}

function shiftTo29(order: number): bigint {
  return BigInt(2 * (MAX_ORDER - order));
}

/** Sorts and merges arbitrary ranges (pairs in a flat array) into normalised form. */
function normalise(flat: readonly bigint[] | BigUint64Array): BigUint64Array {
  const n = flat.length / 2;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = flat[2 * i] as bigint;
    const e = flat[2 * i + 1] as bigint;
    if (e > s) order.push(i);
  }
  order.sort((a, b) => {
    const sa = flat[2 * a] as bigint;
    const sb = flat[2 * b] as bigint;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  const out: bigint[] = [];
  for (const i of order) {
    const s = flat[2 * i] as bigint;
    const e = flat[2 * i + 1] as bigint;
    const last = out.length - 1; // index of the previous range's end, −1 when none yet
    if (last >= 0 && s <= (out[last] as bigint)) {
      if (e > (out[last] as bigint)) out[last] = e;
    } else {
      out.push(s, e);
    }
  }
  return BigUint64Array.from(out);
}

/** Whether normalised order-29 ranges [s0, e0, s1, e1, …] hold the cell `index29` (binary search). */
export function rangesContainIndex29(r: BigUint64Array, index29: bigint): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((r[2 * mid] as bigint) <= index29) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && index29 < (r[2 * hi + 1] as bigint);
}

export class Moc {
  /** Normalised [start, end) pairs at order 29. */
  readonly ranges: BigUint64Array;
  private fast: { starts: Float64Array; ends: Float64Array } | null | undefined;

  private constructor(ranges: BigUint64Array) {
    this.ranges = ranges;
  }

  static empty(): Moc {
    return new Moc(new BigUint64Array(0));
  }

  static full(): Moc {
    return new Moc(BigUint64Array.of(0n, ORDER29_CELLS));
  }

  /** From any [start, end) ranges at order 29 (overlapping, unsorted or empty ones allowed). */
  static fromRanges29(flat: readonly bigint[] | BigUint64Array): Moc {
    if (flat.length % 2 !== 0) throw new CoincideError('SKY_BAD_REGION', 'MOC ranges come in pairs');
    for (const v of flat) {
      if (v < 0n || v > ORDER29_CELLS)
        throw new CoincideError('SKY_BAD_REGION', `MOC range bound ${v} is off the sky`);
    }
    return new Moc(normalise(flat));
  }

  /** From HEALPix cells at any orders (duplicates and nesting allowed). */
  static fromCells(cells: Iterable<MocCell>): Moc {
    const flat: bigint[] = [];
    for (const { order, ipix } of cells) {
      checkOrder(order);
      if (ipix < 0n || ipix >= 12n << BigInt(2 * order)) {
        throw new CoincideError('SKY_BAD_REGION', `cell ${ipix} is outside order ${order}`);
      }
      const shift = shiftTo29(order);
      flat.push(ipix << shift, (ipix + 1n) << shift);
    }
    return new Moc(normalise(flat));
  }

  /**
   * From [start, end) ranges of NESTED indices at order 24 given as exact doubles, already
   * sorted and disjoint (adjacent ones are merged here). Used by sky maps, whose cells are
   * kept at order 24.
   */
  static fromSortedRanges24(flat: ArrayLike<number>): Moc {
    const out: bigint[] = [];
    let prevEnd = -1;
    for (let i = 0; i < flat.length; i += 2) {
      const s = flat[i] as number;
      const e = flat[i + 1] as number;
      if (!(e > s) || s < prevEnd || !Number.isInteger(s) || !Number.isInteger(e)) {
        throw new CoincideError('SKY_BAD_REGION', 'order-24 ranges are not sorted, disjoint integers');
      }
      if (s === prevEnd) out[out.length - 1] = BigInt(e) << SHIFT_24_TO_29;
      else out.push(BigInt(s) << SHIFT_24_TO_29, BigInt(e) << SHIFT_24_TO_29);
      prevEnd = e;
    }
    for (const v of out)
      if (v > ORDER29_CELLS) throw new CoincideError('SKY_BAD_REGION', 'MOC range is off the sky');
    return new Moc(BigUint64Array.from(out));
  }

  get rangeCount(): number {
    return this.ranges.length / 2;
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  equals(other: Moc): boolean {
    if (other.ranges.length !== this.ranges.length) return false;
    for (let i = 0; i < this.ranges.length; i++) if (this.ranges[i] !== other.ranges[i]) return false;
    return true;
  }

  /** Number of order-29 cells covered. */
  cellCount29(): bigint {
    let total = 0n;
    for (let i = 0; i < this.ranges.length; i += 2)
      total += (this.ranges[i + 1] as bigint) - (this.ranges[i] as bigint);
    return total;
  }

  /** Solid angle: cells × 4π/(12·4^29) sr. */
  areaSr(): number {
    return Number(this.cellCount29()) * AREA_ORDER29_SR;
  }

  areaDeg2(): number {
    return this.areaSr() * DEG2_PER_SR;
  }

  union(other: Moc): Moc {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const flat = new BigUint64Array(this.ranges.length + other.ranges.length);
    flat.set(this.ranges, 0);
    flat.set(other.ranges, this.ranges.length);
    return new Moc(normalise(flat));
  }

  /** Two-pointer sweep over both sorted range lists. */
  intersection(other: Moc): Moc {
    const a = this.ranges;
    const b = other.ranges;
    const out: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const as = a[i] as bigint;
      const ae = a[i + 1] as bigint;
      const bs = b[j] as bigint;
      const be = b[j + 1] as bigint;
      const s = as > bs ? as : bs;
      const e = ae < be ? ae : be;
      if (s < e) out.push(s, e);
      if (ae < be) i += 2;
      else j += 2;
    }
    return new Moc(BigUint64Array.from(out));
  }

  complement(): Moc {
    const out: bigint[] = [];
    let cursor = 0n;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i] as bigint;
      if (s > cursor) out.push(cursor, s);
      cursor = this.ranges[i + 1] as bigint;
    }
    if (cursor < ORDER29_CELLS) out.push(cursor, ORDER29_CELLS);
    return new Moc(BigUint64Array.from(out));
  }

  difference(other: Moc): Moc {
    return this.intersection(other.complement());
  }

  /** The smallest MOC at `order` covering this one (range bounds rounded outwards). */
  degrade(order: number): Moc {
    checkOrder(order);
    const shift = shiftTo29(order);
    const flat = new BigUint64Array(this.ranges.length);
    for (let i = 0; i < this.ranges.length; i += 2) {
      flat[i] = ((this.ranges[i] as bigint) >> shift) << shift;
      flat[i + 1] = (((this.ranges[i + 1] as bigint) + (1n << shift) - 1n) >> shift) << shift;
    }
    return new Moc(normalise(flat));
  }

  /** The deepest order any range bound needs (0 for the empty MOC). */
  maxOrder(): number {
    let deepest = 0;
    for (const v of this.ranges) {
      if (v === 0n) continue;
      // A bound v needs order 29 − ⌊tz(v)/2⌋ (tz: trailing zero bits).
      const order = MAX_ORDER - (trailingZeros(v) >> 1);
      if (order > deepest) deepest = order;
    }
    return deepest;
  }

  /** The minimal list of cells (largest first within each range), e.g. for NUNIQ output. */
  cells(): MocCell[] {
    const out: MocCell[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) {
      let s = this.ranges[i] as bigint;
      const e = this.ranges[i + 1] as bigint;
      while (s < e) {
        // The largest cell that starts at s and ends by e: its order-29 size 4^(29−order) must
        // divide s (2·(29 − order) ≤ tz(s)) and fit in e − s (2·(29 − order) < bitLength(e − s)).
        const alignedLevels = s === 0n ? MAX_ORDER : Math.min(MAX_ORDER, trailingZeros(s) >> 1);
        const fittingLevels = (bitLength(e - s) - 1) >> 1;
        const order = MAX_ORDER - Math.min(alignedLevels, fittingLevels);
        const shift = shiftTo29(order);
        out.push({ order, ipix: s >> shift });
        s += 1n << shift;
      }
    }
    return out;
  }

  /** Whether the order-29 cell `index29` is covered (binary search). */
  containsIndex29(index29: bigint): boolean {
    return rangesContainIndex29(this.ranges, index29);
  }

  /** Whether (α, δ) lies in the MOC. */
  contains(raDeg: number, decDeg: number): boolean {
    return this.containsPoint(preparePoint(raDeg, decDeg));
  }

  /** Whether a prepared point lies in the MOC: binary search over order-24 doubles when exact. */
  containsPoint(point: SkyPoint): boolean {
    if (this.fast === undefined) this.fast = this.buildFastIndex();
    if (this.fast === null) return this.containsIndex29(ang2pixNestBig(MAX_ORDER, point.raDeg, point.decDeg));
    const { starts, ends } = this.fast;
    const idx = point.index24;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] as number) <= idx) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && idx < (ends[hi] as number);
  }

  private buildFastIndex(): { starts: Float64Array; ends: Float64Array } | null {
    const mask = (1n << SHIFT_24_TO_29) - 1n;
    const n = this.rangeCount;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.ranges[2 * i] as bigint;
      const e = this.ranges[2 * i + 1] as bigint;
      if ((s & mask) !== 0n || (e & mask) !== 0n) return null;
      starts[i] = Number(s >> SHIFT_24_TO_29);
      ends[i] = Number(e >> SHIFT_24_TO_29);
    }
    return { starts, ends };
  }
}

export { POINT_INDEX_ORDER };

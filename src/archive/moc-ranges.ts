/**
 * MOCs as stored by the archive: order-29 ranges as a BLOB of little-endian uint64 pairs, the
 * exact tests on those ranges, and the coarse cell ranges the R*-tree indexes.
 *
 * Index cells: order INDEX_ORDER = 10 (12·4^10 = 12 582 912 cells < 2^31, exact in rtree_i32;
 * cells ≈ 3.4′ across). A region whose order-10 cover has more than MAX_INDEX_RANGES ranges is
 * degraded order by order until it has at most that many (its cover only grows: the index gives
 * a superset of the matches, and the exact test on the stored ranges removes the extra ones).
 */
import { endianness } from 'node:os';
import { Moc, rangesContainIndex29 } from '../sky/moc.ts';

export const INDEX_ORDER = 10;
export const MAX_INDEX_ROWS = 64;
const SHIFT_INDEX_TO_29 = BigInt(2 * (29 - INDEX_ORDER));
const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeRanges(moc: Moc): Buffer {
  const ranges = moc.ranges;
  const buffer = Buffer.alloc(ranges.length * 8);
  // On a little-endian host the BigUint64Array's bytes are the BLOB: one copy, not a
  // writeBigUInt64LE per value (Buffer.alloc: a buffer of its own, never a slice of a pool).
  if (LITTLE_ENDIAN) buffer.set(new Uint8Array(ranges.buffer, ranges.byteOffset, ranges.length * 8));
  else for (let i = 0; i < ranges.length; i++) buffer.writeBigUInt64LE(ranges[i] as bigint, i * 8);
  return buffer;
}

/**
 * The order-29 ranges of a stored BLOB (normalised when stored). One copy of the bytes into an
 * aligned BigUint64Array (the BLOB is little-endian; on a big-endian host each value is read
 * instead): a region's BLOB holds up to tens of thousands of ranges, and reading them one
 * BigInt at a time made decoding cost more than every other step of a position query.
 */
export function decodeRanges(blob: Uint8Array): BigUint64Array {
  const out = new BigUint64Array(Math.floor(blob.byteLength / 8));
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(blob.subarray(0, out.length * 8));
    return out;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * 8, true);
  return out;
}

/** Whether stored ranges hold the order-29 index (the sky layer's binary search). */
export const rangesContain = rangesContainIndex29;

/**
 * Whether two sorted disjoint range lists share a cell: each range of the shorter list is
 * looked up by binary search in the longer one (O(m log n): a stored sky-map region has
 * thousands of ranges, a query a few dozen).
 */
export function rangesOverlap(a: BigUint64Array, b: BigUint64Array): boolean {
  const [small, large] = a.length <= b.length ? [a, b] : [b, a];
  for (let i = 0; i < small.length; i += 2) {
    if (rangeOverlaps(large, small[i] as bigint, small[i + 1] as bigint)) return true;
  }
  return false;
}

/** Whether sorted disjoint ranges share a cell with [start, end) (binary search). */
export function rangeOverlaps(ranges: BigUint64Array, start: bigint, end: bigint): boolean {
  // The first range whose end is after `start`; it overlaps iff it begins before `end`.
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ranges[2 * mid + 1] as bigint) <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length / 2 && (ranges[2 * lo] as bigint) < end;
}

/**
 * One row of the R*-tree: inclusive [first, last] order-INDEX_ORDER cells; `inside` when every
 * cell of it lies wholly inside the region (a point or a query MOC that touches such a row
 * overlaps the region: no exact test needed), else the row holds the region's boundary.
 */
export interface IndexRow {
  first: number;
  last: number;
  inside: boolean;
}

/** [start, end) of cells at the index's units, labelled inside or boundary. */
interface Segment {
  start: number;
  end: number;
  inside: boolean;
}

function pushSegment(out: Segment[], start: number, end: number, inside: boolean): void {
  if (end <= start) return;
  const last = out[out.length - 1];
  // Same label and touching (boundary cells of two ranges can be the same cell): one segment.
  if (last && last.inside === inside && start <= last.end) {
    if (end > last.end) last.end = end;
    return;
  }
  out.push({ start, end, inside });
}

/** The MOC at INDEX_ORDER: cells wholly covered (inside) and cells partly covered (boundary). */
function segmentsAtIndexOrder(moc: Moc): Segment[] {
  const out: Segment[] = [];
  const ranges = moc.ranges;
  const mask = (1n << SHIFT_INDEX_TO_29) - 1n;
  for (let i = 0; i < ranges.length; i += 2) {
    const s = ranges[i] as bigint;
    const e = ranges[i + 1] as bigint;
    const a = Number(s >> SHIFT_INDEX_TO_29);
    const b = Number((e + mask) >> SHIFT_INDEX_TO_29);
    const fa = Number((s + mask) >> SHIFT_INDEX_TO_29);
    const fb = Number(e >> SHIFT_INDEX_TO_29);
    if (fa < fb) {
      pushSegment(out, a, fa, false);
      pushSegment(out, fa, fb, true);
      pushSegment(out, fb, b, false);
    } else pushSegment(out, a, b, false);
  }
  return out;
}

/** The same segments on cells `unit` index cells wide (a coarser order), still in index units. */
function coarsen(segments: readonly Segment[], unit: number): Segment[] {
  const out: Segment[] = [];
  const floor = (v: number): number => Math.floor(v / unit) * unit;
  const ceil = (v: number): number => Math.ceil(v / unit) * unit;
  for (const { start, end, inside } of segments) {
    const fa = ceil(start);
    const fb = floor(end);
    if (inside && fa < fb) {
      pushSegment(out, floor(start), fa, false);
      pushSegment(out, fa, fb, true);
      pushSegment(out, fb, ceil(end), false);
    } else pushSegment(out, floor(start), ceil(end), false);
  }
  return out;
}

/**
 * The R*-tree rows of a region: its cells at INDEX_ORDER, inside and boundary runs apart, at
 * most `maxRows` of them: when there are more, the cells are taken one order coarser (runs
 * merge; cells that are no longer wholly inside become boundary) until they fit. The rows
 * cover the region (a superset: the exact test on the stored ranges decides boundary rows).
 */
export function indexRows(moc: Moc, maxRows: number = MAX_INDEX_ROWS): IndexRow[] {
  let segments = segmentsAtIndexOrder(moc);
  for (let order = INDEX_ORDER - 1; segments.length > maxRows && order >= 0; order--)
    segments = coarsen(segments, 4 ** (INDEX_ORDER - order));
  return segments.map((s) => ({ first: s.start, last: s.end - 1, inside: s.inside }));
}

/**
 * Inclusive [first, last] order-INDEX_ORDER cell ranges covering the MOC, at most `maxRanges`
 * of them (coarser orders merge neighbouring ranges): how a query MOC probes the R*-tree.
 */
export function indexRanges(moc: Moc, maxRanges: number): Array<[number, number]> {
  let order = INDEX_ORDER;
  let cover = moc.degrade(order);
  while (cover.rangeCount > maxRanges && order > 0) {
    order -= 1;
    cover = cover.degrade(order);
  }
  const out: Array<[number, number]> = [];
  for (let i = 0; i < cover.ranges.length; i += 2) {
    const first = Number((cover.ranges[i] as bigint) >> SHIFT_INDEX_TO_29);
    const end = Number((cover.ranges[i + 1] as bigint) >> SHIFT_INDEX_TO_29);
    out.push([first, end - 1]);
  }
  return out;
}

/** The order-29 [start, end) of inclusive index cells [first, last]. */
export function indexCellsTo29(first: number, last: number): [bigint, bigint] {
  return [BigInt(first) << SHIFT_INDEX_TO_29, BigInt(last + 1) << SHIFT_INDEX_TO_29];
}

/** The order-INDEX_ORDER cell holding an order-29 index. */
export function indexCellOf(index29: bigint): number {
  return Number(index29 >> SHIFT_INDEX_TO_29);
}

export { Moc };

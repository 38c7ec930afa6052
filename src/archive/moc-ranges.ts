/**
 * MOCs as stored by the archive: order-29 ranges as a BLOB of little-endian uint64 pairs, the
 * exact tests on those ranges, and the coarse cell ranges the R*-tree indexes.
 *
 * Index cells: order INDEX_ORDER = 10 (12·4^10 = 12 582 912 cells < 2^31, exact in rtree_i32;
 * cells ≈ 3.4′ across). A region whose order-10 cover has more than MAX_INDEX_RANGES ranges is
 * degraded order by order until it has at most that many (its cover only grows: the index gives
 * a superset of the matches, and the exact test on the stored ranges removes the extra ones).
 */
import { Moc, rangesContainIndex29 } from '../sky/moc.ts';

export const INDEX_ORDER = 10;
export const MAX_INDEX_RANGES = 64;
const SHIFT_INDEX_TO_29 = BigInt(2 * (29 - INDEX_ORDER));

export function encodeRanges(moc: Moc): Buffer {
  const ranges = moc.ranges;
  const buffer = Buffer.alloc(ranges.length * 8);
  for (let i = 0; i < ranges.length; i++) buffer.writeBigUInt64LE(ranges[i] as bigint, i * 8);
  return buffer;
}

/** The order-29 ranges of a stored BLOB (normalised when stored). */
export function decodeRanges(blob: Uint8Array): BigUint64Array {
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new BigUint64Array(view.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.readBigUInt64LE(i * 8);
  return out;
}

/** Whether stored ranges hold the order-29 index (the sky layer's binary search). */
export const rangesContain = rangesContainIndex29;

/** Whether two sorted disjoint range lists share a cell (two-pointer sweep). */
export function rangesOverlap(a: BigUint64Array, b: BigUint64Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const as = a[i] as bigint;
    const ae = a[i + 1] as bigint;
    const bs = b[j] as bigint;
    const be = b[j + 1] as bigint;
    if (as < be && bs < ae) return true;
    if (ae <= be) i += 2;
    else j += 2;
  }
  return false;
}

/**
 * Inclusive [first, last] order-INDEX_ORDER cell ranges covering the MOC, at most `maxRanges`
 * of them (coarser orders merge neighbouring ranges).
 */
export function indexRanges(moc: Moc, maxRanges: number = MAX_INDEX_RANGES): Array<[number, number]> {
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

/** The order-INDEX_ORDER cell holding an order-29 index. */
export function indexCellOf(index29: bigint): number {
  return Number(index29 >> SHIFT_INDEX_TO_29);
}

export { Moc };

/**
 * MOCs as stored by the archive: order-29 ranges as a BLOB of little-endian uint64 pairs, the
 * exact tests on those ranges, and the coarse cell ranges the R*-tree indexes.
 *
 * Index cells: order INDEX_ORDER = 10 (12·4^10 = 12 582 912 cells < 2^31, exact in rtree_i32;
 * cells ≈ 3.4′ across). A region whose order-10 cover has more than MAX_INDEX_ROWS ranges has
 * neighbouring ranges merged, cheapest first, until it has that many (indexRows: its cover only
 * grows, so the index gives a superset of the matches and the exact test on the stored ranges
 * removes the extra ones). Rows written under an earlier limit (64, degraded order by order
 * until 89a98d3) stay valid: each notice's rows cover its region on their own, whatever limit
 * made them, so an archive may hold both and needs no rebuild.
 */
import { endianness } from 'node:os';
import { Moc, rangesContainIndex29 } from '../sky/moc.ts';

export const INDEX_ORDER = 10;
/**
 * R*-tree rows per region and level at most. Each row costs ~5 µs to insert, and a 1–15° GBM
 * circle has ~38 order-10 ranges per level: at 64 the rows were the largest single cost of
 * `coincide archive import` (~0.2 ms of ~1 ms per document; 0.32 -> 0.14–0.17 ms of SQLite per
 * document at 16, a same-run microbenchmark on bench/archive.ts's 3,000 documents). The price
 * is paid by point queries: at 10^5 notices (bench/archive.ts), ~320 of the ~1,060 regions
 * that a 90 % point query finds are on merged (boundary) rows and need the exact test, against
 * ~1 at 64 (only the first page's are tested): p50 +8 %, p99 unchanged (300 queries per kind,
 * alternated per query on two archives of the same notices, load 4–5).
 */
export const MAX_INDEX_ROWS = 16;
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

/** Order-29 cells per order-24 cell, and 2^32 (the BLOB's values written as two 32-bit words). */
const CELLS_29_PER_24 = 4 ** 5;
const TWO_32 = 2 ** 32;

/**
 * encodeRanges of the MOC whose normalised ranges are `ranges24` at order 24 (exact doubles below
 * 12·4^24 < 2^52): each value × 4^5 (< 2^62, exact) written as its low and high 32-bit words,
 * little-endian: the same bytes without a BigInt per value.
 */
export function encodeRanges24(ranges24: Float64Array): Buffer {
  const buffer = Buffer.alloc(ranges24.length * 8);
  for (let i = 0; i < ranges24.length; i++) {
    const v = (ranges24[i] as number) * CELLS_29_PER_24;
    const high = Math.floor(v / TWO_32);
    buffer.writeUInt32LE(v - high * TWO_32, i * 8);
    buffer.writeUInt32LE(high, i * 8 + 4);
  }
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

/**
 * The segments of a range whose index cells are [a, b) (a = ⌊s⌋, b = ⌈e⌉ at INDEX_ORDER) and
 * whose wholly covered cells are [fa, fb) (fa = ⌈s⌉, fb = ⌊e⌋).
 */
function pushRange(out: Segment[], a: number, fa: number, fb: number, b: number): void {
  if (fa < fb) {
    pushSegment(out, a, fa, false);
    pushSegment(out, fa, fb, true);
    pushSegment(out, fb, b, false);
  } else pushSegment(out, a, b, false);
}

/** The MOC at INDEX_ORDER: cells wholly covered (inside) and cells partly covered (boundary). */
function segmentsAtIndexOrder(moc: Moc): Segment[] {
  const out: Segment[] = [];
  const ranges = moc.ranges;
  const mask = (1n << SHIFT_INDEX_TO_29) - 1n;
  for (let i = 0; i < ranges.length; i += 2) {
    const s = ranges[i] as bigint;
    const e = ranges[i + 1] as bigint;
    pushRange(
      out,
      Number(s >> SHIFT_INDEX_TO_29),
      Number((s + mask) >> SHIFT_INDEX_TO_29),
      Number(e >> SHIFT_INDEX_TO_29),
      Number((e + mask) >> SHIFT_INDEX_TO_29),
    );
  }
  return out;
}

/** Order-24 cells per INDEX_ORDER cell: 4^(24 − INDEX_ORDER) (a power of 2: exact divisions). */
const CELLS_24_PER_INDEX_CELL = 4 ** (24 - INDEX_ORDER);

/** segmentsAtIndexOrder of the MOC whose ranges are these order-24 ones (exact doubles). */
function segmentsAtIndexOrder24(ranges24: Float64Array): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < ranges24.length; i += 2) {
    const s = (ranges24[i] as number) / CELLS_24_PER_INDEX_CELL;
    const e = (ranges24[i + 1] as number) / CELLS_24_PER_INDEX_CELL;
    pushRange(out, Math.floor(s), Math.ceil(s), Math.floor(e), Math.ceil(e));
  }
  return out;
}

/**
 * The segments merged down to `maxRows`, cheapest merge first: merging two neighbours makes one
 * boundary segment over both and the gap between them, at a cost of the cells that a point
 * query then tests exactly and did not before (the gap's, and an inside neighbour's). Greedy on
 * a heap of the neighbour pairs (a pair whose segments changed since it was pushed is stale and
 * skipped). Merging only widens rows and clears `inside`: the rows still cover the region, and
 * an inside row still lies wholly in it.
 */
function mergeToLimit(segments: readonly Segment[], maxRows: number): Segment[] {
  const n = segments.length;
  if (n <= maxRows) return [...segments];
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const inside = new Uint8Array(n);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const segment = segments[i] as Segment;
    start[i] = segment.start;
    end[i] = segment.end;
    inside[i] = segment.inside ? 1 : 0;
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  /** Bumped when segment i, or the one after it, changes: heap entries of i pushed before are stale. */
  const version = new Int32Array(n);
  // n − 1 pairs at first, and at most 2 more per merge (n − 1 merges at most).
  const heap = new PairHeap(3 * n);
  const cost = (i: number, j: number): number =>
    (start[j] as number) -
    (end[i] as number) +
    (inside[i] === 1 ? (end[i] as number) - (start[i] as number) : 0) +
    (inside[j] === 1 ? (end[j] as number) - (start[j] as number) : 0);
  for (let i = 0; i + 1 < n; i++) heap.push(cost(i, i + 1), i, 0);
  let rows = n;
  while (rows > maxRows && heap.size > 0) {
    const i = heap.topItem();
    const pushedVersion = heap.topVersion();
    heap.pop();
    if (pushedVersion !== version[i] || next[i] === -1) continue;
    const j = next[i] as number;
    end[i] = end[j] as number;
    inside[i] = 0;
    next[i] = next[j] as number;
    if (next[j] !== -1) prev[next[j] as number] = i;
    version[j] = -1; // removed: its pairs never match again
    rows--;
    version[i] += 1;
    if (next[i] !== -1) heap.push(cost(i, next[i]), i, version[i]);
    const p = prev[i] as number;
    if (p !== -1) {
      version[p] = (version[p] as number) + 1;
      heap.push(cost(p, i), p, version[p]);
    }
  }
  const out: Segment[] = [];
  for (let i = 0; i !== -1; i = next[i] as number)
    out.push({ start: start[i] as number, end: end[i] as number, inside: inside[i] === 1 });
  return out;
}

/**
 * A binary min-heap of (cost, segment, version) in typed arrays of a fixed capacity, ties by
 * segment (a deterministic result).
 */
class PairHeap {
  private readonly costs: Float64Array;
  private readonly items: Int32Array;
  private readonly versions: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.costs = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
    this.versions = new Int32Array(capacity);
  }

  private less(a: number, b: number): boolean {
    const ca = this.costs[a] as number;
    const cb = this.costs[b] as number;
    return ca < cb || (ca === cb && (this.items[a] as number) < (this.items[b] as number));
  }

  private swap(a: number, b: number): void {
    const c = this.costs[a] as number;
    this.costs[a] = this.costs[b] as number;
    this.costs[b] = c;
    const i = this.items[a] as number;
    this.items[a] = this.items[b] as number;
    this.items[b] = i;
    const v = this.versions[a] as number;
    this.versions[a] = this.versions[b] as number;
    this.versions[b] = v;
  }

  push(cost: number, item: number, version: number): void {
    let k = this.size++;
    this.costs[k] = cost;
    this.items[k] = item;
    this.versions[k] = version;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  topItem(): number {
    return this.items[0] as number;
  }

  topVersion(): number {
    return this.versions[0] as number;
  }

  /** Removes the entry of least cost. */
  pop(): void {
    this.size--;
    this.swap(0, this.size);
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let least = k;
      if (l < this.size && this.less(l, least)) least = l;
      if (r < this.size && this.less(r, least)) least = r;
      if (least === k) return;
      this.swap(k, least);
      k = least;
    }
  }
}

/**
 * The R*-tree rows of a region: its cells at INDEX_ORDER, inside and boundary runs apart, at
 * most `maxRows` of them: when there are more, neighbouring runs are merged, cheapest first
 * (mergeToLimit). The rows cover the region (a superset: the exact test on the stored ranges
 * decides boundary rows).
 */
export function indexRows(moc: Moc, maxRows: number = MAX_INDEX_ROWS): IndexRow[] {
  return rowsOf(segmentsAtIndexOrder(moc), maxRows);
}

/**
 * indexRows of the MOC whose normalised ranges are `ranges24` at order 24 (mergeRanges24 of
 * sky/moc-build.ts), computed on doubles: no BigInt per range.
 */
export function indexRows24(ranges24: Float64Array, maxRows: number = MAX_INDEX_ROWS): IndexRow[] {
  return rowsOf(segmentsAtIndexOrder24(ranges24), maxRows);
}

function rowsOf(segments: readonly Segment[], maxRows: number): IndexRow[] {
  return mergeToLimit(segments, Math.max(1, maxRows)).map((s) => ({
    first: s.start,
    last: s.end - 1,
    inside: s.inside,
  }));
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

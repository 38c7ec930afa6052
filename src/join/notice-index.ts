/**
 * The spatial index of active notices: which active regions contain a position.
 *
 * Three stages, coarse to exact:
 *   1. rbush over the regions' coarse (RA, Dec) boxes;
 *   2. the region's cover at HEALPix order INDEX_ORDER (NESTED cells, a superset of the region);
 *   3. the region's exact `contains` (credible level ≤ CL).
 * Stage 1 keeps the cost independent of the number of regions; stage 2 rejects most box
 * false positives with one integer lookup; stage 3 is the definition.
 *
 * Fast path: with at most DIRECT_SCAN_MAX regions, stage 1 costs more than it saves (an rbush
 * search allocates and walks the tree for every alert), so stage 2 is one lookup: a table over
 * every cell at INDEX_ORDER whose bit k says whether the k-th region (in key order) covers the
 * cell; only the regions whose bits are set are tested exactly, in key order (bench/join.ts,
 * 10 regions: a set lookup per region per alert was most of the forward join's region test).
 */
import RBush from 'rbush';
import { ang2pixNest } from '../sky/healpix.ts';
import type { ActiveRegion, RaDecBox } from './active-region.ts';

/** Order of the fine cover (NSIDE 64, cells of 0.84 deg²). */
export const INDEX_ORDER = 6;

/**
 * Up to this many regions, `query` reads the covering regions from a table of cell masks instead
 * of searching rbush (16: one bit per region in a Uint16Array).
 */
export const DIRECT_SCAN_MAX = 16;
/** Cells at INDEX_ORDER: 12·4^order. */
const INDEX_CELLS = 12 * 4 ** INDEX_ORDER;

interface Entry<T> {
  key: string;
  region: ActiveRegion;
  /** The region's cover at INDEX_ORDER, built at the first position that falls in its boxes. */
  cells: Set<number> | undefined;
  value: T;
  boxes: Array<RaDecBox & { entry: Entry<T> }>;
}

/**
 * An entry's cover, built when first needed: a region no position falls near never builds one
 * (a warm start indexes thousands of notices at once; a large GBM circle's cover is ~2 ms and
 * thousands of cells).
 */
function coverOf<T>(entry: Entry<T>): Set<number> {
  entry.cells ??= entry.region.coverCells(INDEX_ORDER);
  return entry.cells;
}

export class NoticeIndex<T> {
  private readonly tree = new RBush<RaDecBox & { entry: Entry<T> }>();
  private readonly entries = new Map<string, Entry<T>>();
  /** The entries in key order, for the direct scan (rebuilt on change; changes are rare). */
  private ordered: Array<Entry<T>> | undefined;
  /** Per cell at INDEX_ORDER, bit k set when `ordered[k]`'s cover holds the cell (rebuilt with it). */
  private masks: Uint16Array | undefined;

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces the region of `key`. */
  upsert(key: string, region: ActiveRegion, value: T): void {
    this.remove(key);
    const entry: Entry<T> = { key, region, value, cells: undefined, boxes: [] };
    entry.boxes = region.boxes.map((b) => ({ ...b, entry }));
    this.tree.load(entry.boxes);
    this.entries.set(key, entry);
    this.ordered = undefined;
    this.masks = undefined;
  }

  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    for (const box of entry.boxes) this.tree.remove(box);
    this.entries.delete(key);
    this.ordered = undefined;
    this.masks = undefined;
    return true;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * The values whose regions contain (raDeg, decDeg), ordered by key. `cell` is the position's
   * NESTED cell at INDEX_ORDER when the caller has it already.
   */
  query(raDeg: number, decDeg: number, cell?: number): T[] {
    if (this.entries.size <= DIRECT_SCAN_MAX)
      return this.scan(raDeg, decDeg, cell ?? ang2pixNest(INDEX_ORDER, raDeg, decDeg));
    const hits = this.tree.search({ minX: raDeg, maxX: raDeg, minY: decDeg, maxY: decDeg });
    if (hits.length === 0) return [];
    const at = cell ?? ang2pixNest(INDEX_ORDER, raDeg, decDeg);
    const found = new Map<string, T>();
    for (const { entry } of hits) {
      if (found.has(entry.key) || !coverOf(entry).has(at)) continue;
      if (entry.region.contains(raDeg, decDeg)) found.set(entry.key, entry.value);
    }
    if (found.size <= 1) return [...found.values()];
    return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  /** The fast path: the regions whose covers hold `cell` (one table read), then `contains`, in key order. */
  private scan(raDeg: number, decDeg: number, cell: number): T[] {
    if (this.ordered === undefined || this.masks === undefined) {
      this.ordered = [...this.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      this.masks = new Uint16Array(INDEX_CELLS);
      for (let k = 0; k < this.ordered.length; k++) {
        const bit = 1 << k;
        for (const c of coverOf(this.ordered[k] as Entry<T>)) this.masks[c] = (this.masks[c] ?? 0) | bit;
      }
    }
    let mask = this.masks[cell] ?? 0;
    if (mask === 0) return [];
    let out: T[] | undefined;
    for (let k = 0; mask !== 0; k++, mask >>>= 1) {
      if ((mask & 1) === 0) continue;
      const entry = this.ordered[k] as Entry<T>;
      if (entry.region.contains(raDeg, decDeg)) (out ??= []).push(entry.value);
    }
    return out ?? [];
  }

  values(): IterableIterator<T> {
    return [...this.entries.values()].map((e) => e.value)[Symbol.iterator]();
  }
}

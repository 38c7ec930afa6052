/**
 * The spatial index of active notices: which active regions contain a position.
 *
 * Three stages, coarse to exact:
 *   1. rbush over the regions' coarse (RA, Dec) boxes;
 *   2. the region's cover at HEALPix order INDEX_ORDER (NESTED cells, a superset of the region);
 *   3. the region's exact `contains` (credible level ≤ CL).
 * Stage 1 keeps the cost independent of the number of regions; stage 2 rejects most box
 * false positives with one integer lookup; stage 3 is the definition.
 */
import RBush from 'rbush';
import { ang2pixNest } from '../sky/healpix.ts';
import type { ActiveRegion, RaDecBox } from './active-region.ts';

/** Order of the fine cover (NSIDE 64, cells of 0.84 deg²). */
export const INDEX_ORDER = 6;

interface Entry<T> {
  key: string;
  region: ActiveRegion;
  cells: Set<number>;
  value: T;
  boxes: Array<RaDecBox & { entry: Entry<T> }>;
}

export class NoticeIndex<T> {
  private readonly tree = new RBush<RaDecBox & { entry: Entry<T> }>();
  private readonly entries = new Map<string, Entry<T>>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces the region of `key`. */
  upsert(key: string, region: ActiveRegion, value: T): void {
    this.remove(key);
    const entry: Entry<T> = { key, region, value, cells: region.coverCells(INDEX_ORDER), boxes: [] };
    entry.boxes = region.boxes.map((b) => ({ ...b, entry }));
    this.tree.load(entry.boxes);
    this.entries.set(key, entry);
  }

  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    for (const box of entry.boxes) this.tree.remove(box);
    this.entries.delete(key);
    return true;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /** The values whose regions contain (raDeg, decDeg), ordered by key. */
  query(raDeg: number, decDeg: number): T[] {
    const hits = this.tree.search({ minX: raDeg, maxX: raDeg, minY: decDeg, maxY: decDeg });
    if (hits.length === 0) return [];
    const cell = ang2pixNest(INDEX_ORDER, raDeg, decDeg);
    const found = new Map<string, T>();
    for (const { entry } of hits) {
      if (found.has(entry.key) || !entry.cells.has(cell)) continue;
      if (entry.region.contains(raDeg, decDeg)) found.set(entry.key, entry.value);
    }
    if (found.size <= 1) return [...found.values()];
    return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  values(): IterableIterator<T> {
    return [...this.entries.values()].map((e) => e.value)[Symbol.iterator]();
  }
}

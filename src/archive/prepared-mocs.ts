/**
 * What the archive index stores for a notice's regions, derived from its MOCs before any
 * database write: per credible level, the stored ranges (BLOB), the R*-tree rows and the
 * bounding cap (the shape's own when it gave one: notice-mocs.ts circleMocCap). A pure function of the MOCs (structured-cloneable result), so that
 * `coincide archive import` derives it in its worker threads (import-pool.ts) and the writing
 * thread only inserts.
 */
import type { Notice } from '../notices/notice.ts';
import { encodeRanges, encodeRanges24, indexRows, indexRows24, type IndexRow } from './moc-ranges.ts';
import { shapeRegions, type NoticeMocs } from './notice-mocs.ts';
import { regionCap, type RegionCap } from './region-cap.ts';

export interface PreparedLevel {
  levelPct: number;
  /** encodeRanges of the level's MOC (archive_mocs.ranges). */
  ranges: Uint8Array;
  rows: IndexRow[];
  /** Undefined for an empty MOC. */
  cap: RegionCap | undefined;
}

export interface PreparedMocs {
  /** archive_notices.moc_status: 'indexed', 'none' or 'failed: <reason>'. */
  status: string;
  levels: PreparedLevel[];
}

export function prepareMocs(mocs: NoticeMocs): PreparedMocs {
  if (mocs.status === 'failed') return { status: `failed: ${mocs.reason}`.slice(0, 500), levels: [] };
  if (mocs.status === 'none') return { status: 'none', levels: [] };
  const levels: PreparedLevel[] = [];
  for (const [levelPct, moc] of mocs.mocs)
    levels.push({
      levelPct,
      ranges: encodeRanges(moc),
      rows: indexRows(moc),
      cap: moc.isEmpty() ? undefined : (mocs.caps?.get(levelPct) ?? regionCap(moc)),
    });
  return { status: 'indexed', levels };
}

/**
 * prepareMocs(shapeMocs(notice, levelsPct)), derived for a circle from its order-24 ranges
 * (encodeRanges24, indexRows24: the same bytes and rows, no Moc and no BigInt per range);
 * undefined for a sky-map notice.
 */
export function prepareShape(notice: Notice, levelsPct: readonly number[]): PreparedMocs | undefined {
  const shape = shapeRegions(notice, levelsPct);
  if (shape?.status !== 'circle') return shape === undefined ? undefined : prepareMocs(shape);
  const levels: PreparedLevel[] = [];
  levelsPct.forEach((levelPct, i) => {
    if (levelsPct.indexOf(levelPct) !== i) return; // once per level, as shapeMocs' map
    const ranges24 = shape.ranges24[i] as Float64Array;
    levels.push({
      levelPct,
      ranges: encodeRanges24(ranges24),
      rows: indexRows24(ranges24),
      cap: ranges24.length === 0 ? undefined : shape.caps[i],
    });
  });
  return { status: 'indexed', levels };
}

/**
 * What the archive index stores for a notice's regions, derived from its MOCs before any
 * database write: per credible level, the stored ranges (BLOB), the R*-tree rows and the
 * bounding cap (the shape's own when it gave one: notice-mocs.ts circleMocCap). A pure function of the MOCs (structured-cloneable result), so that
 * `coincide archive import` derives it in its worker threads (import-pool.ts) and the writing
 * thread only inserts.
 */
import { encodeRanges, indexRows, type IndexRow } from './moc-ranges.ts';
import type { NoticeMocs } from './notice-mocs.ts';
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

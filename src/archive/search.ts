/**
 * Searching the archive: filters on the indexed columns, position queries through the MOC
 * R*-tree, keyset (cursor) pagination in trigger-time order.
 *
 * Position semantics (at credible level `levelPct`, on the stored MOCs):
 * - point:  notices whose credible region contains the point (its order-29 cell);
 * - cone:   notices whose credible region shares a cell with the cone's MOC (inclusive: it
 *           covers the cone; its depth follows the radius);
 * - moc:    notices whose credible region shares a cell with the given MOC.
 * The R*-tree of coarse cell ranges gives the candidates (a superset); each candidate is then
 * tested exactly on its stored order-29 ranges. Notices with no region, or whose sky map could
 * not be read, never match a position query.
 */
import { CoincideError } from '../errors.ts';
import { raDecToVector } from '../sky/angles.ts';
import { ang2pixNestBig } from '../sky/healpix.ts';
import { mocFromCircle, defaultOrderForSize } from '../sky/moc-build.ts';
import type { Moc } from '../sky/moc.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { ROWS_PER_NOTICE } from './archive-index.ts';
import {
  decodeRanges,
  indexCellOf,
  indexCellsTo29,
  indexRanges,
  rangeOverlaps,
  rangesContain,
  rangesOverlap,
} from './moc-ranges.ts';
import { regionCap, regionCaps, type RegionCap } from './region-cap.ts';

export type PositionQuery =
  | { kind: 'point'; raDeg: number; decDeg: number }
  | { kind: 'cone'; raDeg: number; decDeg: number; radiusDeg: number }
  | { kind: 'moc'; moc: Moc };

export interface ArchiveQuery {
  triggerFromMjd?: number;
  triggerToMjd?: number;
  /** Unix ms, inclusive bounds. */
  receivedFromMs?: number;
  receivedToMs?: number;
  messengers?: readonly string[];
  observatories?: readonly string[];
  instruments?: readonly string[];
  noticeTypes?: readonly string[];
  roles?: readonly string[];
  alertTypes?: readonly string[];
  /** true: notices of triggers that have a retraction; false: of triggers that have none. */
  retracted?: boolean;
  farMinHz?: number;
  farMaxHz?: number;
  pAstroMin?: number;
  pAstroMax?: number;
  /** Case-insensitive substring of the event name or trigger id. */
  text?: string;
  triggerId?: string;
  position?: PositionQuery;
  /** Credible level of position queries, percent (default 90). */
  levelPct?: number;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
  /** Only notices this accepts (given the stored Notice JSON): e.g. what a token may see. */
  visible?: (noticeJson: string) => boolean;
}

export interface ArchiveHit {
  noticeId: number;
  eventId: number;
  receivedAtMs: number;
  triggerTimeMjd: number;
  /** The stored Notice JSON text (spliced into responses, not re-serialised). */
  json: string;
}

export interface ArchivePage {
  hits: ArchiveHit[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 10_000;

interface Cursor {
  t: number;
  id: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.t, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2) {
      const [t, id] = value as unknown[];
      if (typeof t === 'number' && Number.isFinite(t) && Number.isInteger(id)) return { t, id: id as number };
    }
  } catch {
    // fall through
  }
  throw new CoincideError('BAD_REQUEST', 'cursor is not one this server issued');
}

interface Row {
  notice_id: number;
  event_id: number;
  received_at_ms: number;
  trigger_time_mjd: number;
}

/** The MOC a position query is tested against (cone: inclusive, pixels about r/16 across). */
function queryMoc(position: Exclude<PositionQuery, { kind: 'point' }>): Moc {
  if (position.kind === 'moc') return position.moc;
  return mocFromCircle(position.raDeg, position.decDeg, position.radiusDeg, {
    maxOrder: defaultOrderForSize(position.radiusDeg),
    inclusive: true,
  });
}

/**
 * The bounding caps of a position query (region-cap.ts): radius 0 about a point; for a cone,
 * the cap of the MOC tested (an inclusive cone's MOC reaches beyond the cone); for a MOC, one
 * cap per piece of it (regionCaps: the one cap of two distant discs would be most of the sky).
 */
function queryCaps(position: PositionQuery, moc: Moc | undefined): RegionCap[] {
  if (position.kind === 'point')
    return [{ centre: raDecToVector(position.raDeg, position.decDeg), radiusRad: 0 }];
  if (moc === undefined) return [];
  if (position.kind === 'moc') return regionCaps(moc);
  const cap = regionCap(moc);
  return cap ? [cap] : [];
}

/**
 * R*-tree rows a position query reads before it gives up on them for a walk in trigger-time
 * order with the bounding caps: a point or cone that falls in thousands of large regions finds
 * tens of rows of each (bench/archive.ts: ~85 000 rows, ~1 s, for a 1–10° cone at 10^5
 * notices), while the walk stops after `limit` matches.
 */
export const RTREE_ROW_BUDGET = 1000;

/**
 * A point query's rows are its matches (one row per region holding the point), a cone's or a
 * MOC's are tens per match (the rows of large regions that it touches): a point keeps to the
 * R*-tree up to this many times the budget (bench/archive.ts: at 10^5 notices a point is in
 * ~1 100 regions, and the R*-tree then answers faster than the walk).
 */
const POINT_BUDGET_FACTOR = 4;

export interface ArchiveSearch {
  search(query: ArchiveQuery): ArchivePage;
  /** The stored raw bytes of an event. */
  eventBytes(eventId: number): Buffer | undefined;
}

export function createArchiveSearch(
  db: SqliteDatabase,
  options: {
    levelsPct: readonly number[];
    /** R*-tree rows a position query reads before it walks the bounding caps (default RTREE_ROW_BUDGET). */
    rtreeRowBudget?: number;
  },
): ArchiveSearch {
  const rowBudget = options.rtreeRowBudget ?? RTREE_ROW_BUDGET;
  const probe = db.prepare(
    `SELECT id, min_cell, max_cell, inside FROM archive_moc_index
     WHERE min_level <= ? AND max_level >= ? AND min_cell <= ? AND max_cell >= ? LIMIT ?`,
  );
  probe.raw();
  const countProbe = db
    .prepare(
      `SELECT count(*) FROM (SELECT 1 FROM archive_moc_index
       WHERE min_level <= ? AND max_level >= ? AND min_cell <= ? AND max_cell >= ? LIMIT ?)`,
    )
    .pluck();
  const selectMoc = db
    .prepare('SELECT ranges FROM archive_mocs WHERE notice_id = ? AND level_pct = ?')
    .pluck();
  const selectBytes = db.prepare('SELECT bytes FROM events WHERE id = ?').pluck();
  const selectJson = db.prepare('SELECT json FROM notices WHERE id = ?').pluck();

  /**
   * Candidate notices from the R*-tree: every notice with a row touching one of `ranges`, and
   * whether it is already known to match: it has an `inside` row that `overlaps` accepts (a
   * row whose cells lie wholly in the region and that meets the query); the others need the
   * exact test on their stored ranges. Undefined when the rows exceed RTREE_ROW_BUDGET: the
   * query meets so much of the archive that walking it in trigger-time order is faster.
   */
  const candidates = (
    levelPct: number,
    ranges: ReadonlyArray<readonly [number, number]>,
    overlaps: (first: number, last: number) => boolean,
    budget: number,
  ): Map<number, boolean> | undefined => {
    const found = new Map<number, boolean>();
    let rows = 0;
    if (Number.isFinite(budget) && ranges.length > 1) {
      // Counted in SQLite first: a query over the budget (most MOC queries at 10^5 notices)
      // gives up without building a row in JavaScript.
      let counted = 0;
      for (const [first, last] of ranges) {
        counted += countProbe.get(levelPct, levelPct, last, first, budget - counted + 1) as number;
        if (counted > budget) return undefined;
      }
    }
    for (const [first, last] of ranges) {
      // all() (one call into SQLite per probe) is several times faster than iterate() here.
      const limit = Number.isFinite(budget) ? budget - rows + 1 : -1; // -1: no LIMIT
      const probed = probe.all(levelPct, levelPct, last, first, limit) as Array<
        [number, number, number, number]
      >;
      rows += probed.length;
      if (rows > budget) return undefined;
      for (const [id, minCell, maxCell, inside] of probed) {
        const noticeId = Math.floor(id / ROWS_PER_NOTICE);
        if (found.get(noticeId) === true) continue;
        found.set(noticeId, inside === 1 && overlaps(minCell, maxCell));
      }
    }
    return found;
  };

  const search = (query: ArchiveQuery): ArchivePage => {
    const limit = Math.min(query.limit ?? DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
    if (!Number.isInteger(limit) || limit < 1)
      throw new CoincideError('BAD_REQUEST', 'limit must be an integer ≥ 1');
    const levelPct = query.levelPct ?? 90;
    const where: string[] = [];
    const params: unknown[] = [];
    const range = (column: string, min: number | undefined, max: number | undefined): void => {
      if (min !== undefined) {
        where.push(`${column} >= ?`);
        params.push(min);
      }
      if (max !== undefined) {
        where.push(`${column} <= ?`);
        params.push(max);
      }
    };
    const oneOf = (column: string, values: readonly string[] | undefined): void => {
      if (values === undefined || values.length === 0) return;
      where.push(`${column} COLLATE NOCASE IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    range('a.trigger_time_mjd', query.triggerFromMjd, query.triggerToMjd);
    range('a.received_at_ms', query.receivedFromMs, query.receivedToMs);
    range('a.far_hz', query.farMinHz, query.farMaxHz);
    range('a.p_astro', query.pAstroMin, query.pAstroMax);
    oneOf('a.messenger', query.messengers);
    oneOf('a.observatory', query.observatories);
    oneOf('a.instrument', query.instruments);
    oneOf('a.notice_type', query.noticeTypes);
    oneOf('a.role', query.roles);
    oneOf('a.alert_type', query.alertTypes);
    if (query.triggerId !== undefined) {
      where.push('a.trigger_id = ?');
      params.push(query.triggerId);
    }
    if (query.retracted !== undefined) {
      where.push(
        `a.trigger_id ${query.retracted ? '' : 'NOT '}IN (SELECT trigger_id FROM archive_notices WHERE alert_type = 'retraction')`,
      );
    }
    if (query.text !== undefined && query.text !== '') {
      const pattern = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(a.event_name LIKE ? ESCAPE '\\' OR a.trigger_id LIKE ? ESCAPE '\\')");
      params.push(pattern, pattern);
    }

    // Position: candidates from the R*-tree (or, when it holds too many, the bounding caps),
    // then the exact test on each row fetched.
    let exact: ((noticeId: number) => boolean) | undefined;
    let from = 'archive_notices a';
    /** The table whose (trigger_time_mjd, notice_id) orders the rows. */
    let order = 'a';
    if (query.position) {
      if (!options.levelsPct.includes(levelPct)) {
        throw new CoincideError(
          'BAD_REQUEST',
          `level must be one of the indexed credible levels: ${options.levelsPct.join(', ')}`,
        );
      }
      const position = query.position;
      let found: Map<number, boolean> | undefined;
      let test: (blob: Buffer) => boolean;
      let moc: Moc | undefined;
      if (position.kind === 'point') {
        const index29 = ang2pixNestBig(29, position.raDeg, position.decDeg);
        const cell = indexCellOf(index29);
        // A notice's rows at one level are disjoint: the point is in one of them at most.
        found = candidates(levelPct, [[cell, cell]], () => true, POINT_BUDGET_FACTOR * rowBudget);
        test = (blob) => rangesContain(decodeRanges(blob), index29);
      } else {
        const queried = queryMoc(position);
        moc = queried;
        const ranges = queried.ranges;
        // An inside row matches when the query itself (not its coarse cover) meets its cells.
        found = candidates(
          levelPct,
          indexRanges(queried, 128),
          (first, last) => rangeOverlaps(ranges, ...indexCellsTo29(first, last)),
          rowBudget,
        );
        test = (blob) => rangesOverlap(decodeRanges(blob), ranges);
      }
      exact = (noticeId) => {
        if (found?.get(noticeId) === true) return true;
        const blob = selectMoc.get(noticeId, levelPct) as Buffer | undefined;
        return blob !== undefined && test(blob);
      };
      if (found !== undefined) {
        if (found.size === 0) return { hits: [] };
        where.push('a.notice_id IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify([...found.keys()]));
      } else {
        // Dense: every notice in trigger-time order, most rejected by the bounding caps.
        const caps = queryCaps(position, moc);
        if (caps.length === 0) return { hits: [] };
        // The caps first, in their (trigger time, notice) order: one ordered pass over them.
        from = 'archive_caps g CROSS JOIN archive_notices a ON a.notice_id = g.notice_id';
        where.push('g.level_pct = ?');
        params.push(levelPct);
        range('g.trigger_time_mjd', query.triggerFromMjd, query.triggerToMjd);
        order = 'g';
        // A region's cap meets one of the query's caps.
        const meets: string[] = [];
        for (const cap of caps) {
          const [x, y, z] = cap.centre;
          meets.push(
            '(g.x * ? + g.y * ? + g.z * ? >= g.cos_radius * ? - g.sin_radius * ? OR g.radius_rad + ? >= ?)',
          );
          params.push(x, y, z, Math.cos(cap.radiusRad), Math.sin(cap.radiusRad), cap.radiusRad, Math.PI);
        }
        where.push(`(${meets.join(' OR ')})`);
      }
    }

    const desc = query.order === 'desc';
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor);
      where.push(
        desc
          ? `(${order}.trigger_time_mjd < ? OR (${order}.trigger_time_mjd = ? AND ${order}.notice_id < ?))`
          : `(${order}.trigger_time_mjd > ? OR (${order}.trigger_time_mjd = ? AND ${order}.notice_id > ?))`,
      );
      params.push(c.t, c.t, c.id);
    }
    const direction = desc ? 'DESC' : 'ASC';
    // The notice JSON is read only for rows that pass the exact test (most candidates of a
    // position query fail it; reading their JSON cost more than the test).
    const sql = `SELECT a.notice_id, a.event_id, a.received_at_ms, a.trigger_time_mjd
      FROM ${from}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order}.trigger_time_mjd ${direction}, ${order}.notice_id ${direction}`;
    const statement = db.prepare(sql);
    const hits: ArchiveHit[] = [];
    let more = false;
    // Iterate: rows failing the exact position test are skipped without a second query.
    for (const row of statement.iterate(...params) as IterableIterator<Row>) {
      if (exact && !exact(row.notice_id)) continue;
      const json = selectJson.get(row.notice_id) as string | undefined;
      if (json === undefined) continue;
      if (query.visible && !query.visible(json)) continue;
      if (hits.length === limit) {
        more = true;
        break;
      }
      hits.push({
        noticeId: row.notice_id,
        eventId: row.event_id,
        receivedAtMs: row.received_at_ms,
        triggerTimeMjd: row.trigger_time_mjd,
        json,
      });
    }
    const last = hits[hits.length - 1];
    return more && last
      ? { hits, nextCursor: encodeCursor({ t: last.triggerTimeMjd, id: last.noticeId }) }
      : { hits };
  };

  return {
    search,
    eventBytes: (eventId) => selectBytes.get(eventId) as Buffer | undefined,
  };
}

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
import { ang2pixNestBig } from '../sky/healpix.ts';
import { mocFromCircle, defaultOrderForSize } from '../sky/moc-build.ts';
import type { Moc } from '../sky/moc.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { ROWS_PER_NOTICE } from './archive-index.ts';
import { decodeRanges, indexCellOf, indexRanges, rangesContain, rangesOverlap } from './moc-ranges.ts';

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
function queryMoc(position: PositionQuery): Moc | undefined {
  if (position.kind === 'moc') return position.moc;
  if (position.kind === 'cone')
    return mocFromCircle(position.raDeg, position.decDeg, position.radiusDeg, {
      maxOrder: defaultOrderForSize(position.radiusDeg),
      inclusive: true,
    });
  return undefined;
}

export interface ArchiveSearch {
  search(query: ArchiveQuery): ArchivePage;
  /** The stored raw bytes of an event. */
  eventBytes(eventId: number): Buffer | undefined;
}

export function createArchiveSearch(
  db: SqliteDatabase,
  options: { levelsPct: readonly number[] },
): ArchiveSearch {
  const probe = db.prepare(
    'SELECT id FROM archive_moc_index WHERE min_level <= ? AND max_level >= ? AND min_cell <= ? AND max_cell >= ?',
  );
  probe.pluck();
  const selectMoc = db
    .prepare('SELECT ranges FROM archive_mocs WHERE notice_id = ? AND level_pct = ?')
    .pluck();
  const selectBytes = db.prepare('SELECT bytes FROM events WHERE id = ?').pluck();
  const selectJson = db.prepare('SELECT json FROM notices WHERE id = ?').pluck();

  /** Candidate notice ids from the R*-tree: every notice with an index range touching one of `ranges`. */
  const candidates = (levelPct: number, ranges: ReadonlyArray<readonly [number, number]>): number[] => {
    const ids = new Set<number>();
    for (const [first, last] of ranges) {
      for (const id of probe.all(levelPct, levelPct, last, first) as number[])
        ids.add(Math.floor(id / ROWS_PER_NOTICE));
    }
    return [...ids];
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

    // Position: candidates from the R*-tree, then the exact test on each row fetched.
    let exact: ((noticeId: number) => boolean) | undefined;
    if (query.position) {
      if (!options.levelsPct.includes(levelPct)) {
        throw new CoincideError(
          'BAD_REQUEST',
          `level must be one of the indexed credible levels: ${options.levelsPct.join(', ')}`,
        );
      }
      const position = query.position;
      let ids: number[];
      if (position.kind === 'point') {
        const index29 = ang2pixNestBig(29, position.raDeg, position.decDeg);
        const cell = indexCellOf(index29);
        ids = candidates(levelPct, [[cell, cell]]);
        exact = (noticeId) => {
          const blob = selectMoc.get(noticeId, levelPct) as Buffer | undefined;
          return blob !== undefined && rangesContain(decodeRanges(blob), index29);
        };
      } else {
        const moc = queryMoc(position) as Moc;
        const ranges = moc.ranges;
        ids = candidates(levelPct, indexRanges(moc, 128));
        exact = (noticeId) => {
          const blob = selectMoc.get(noticeId, levelPct) as Buffer | undefined;
          return blob !== undefined && rangesOverlap(decodeRanges(blob), ranges);
        };
      }
      if (ids.length === 0) return { hits: [] };
      where.push('a.notice_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(ids));
    }

    const desc = query.order === 'desc';
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor);
      where.push(
        desc
          ? '(a.trigger_time_mjd < ? OR (a.trigger_time_mjd = ? AND a.notice_id < ?))'
          : '(a.trigger_time_mjd > ? OR (a.trigger_time_mjd = ? AND a.notice_id > ?))',
      );
      params.push(c.t, c.t, c.id);
    }
    const direction = desc ? 'DESC' : 'ASC';
    // The notice JSON is read only for rows that pass the exact test (most candidates of a
    // position query fail it; reading their JSON cost more than the test).
    const sql = `SELECT a.notice_id, a.event_id, a.received_at_ms, a.trigger_time_mjd
      FROM archive_notices a
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY a.trigger_time_mjd ${direction}, a.notice_id ${direction}`;
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

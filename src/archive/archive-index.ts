/**
 * The archive's search index over the stored notices (tables: src/store/migrations/archive.ts).
 *
 * The index is derived data: `notices` is the record. `catchUp()` indexes, in notices.id order,
 * every stored notice above the last one indexed (its cursor is committed with the rows, so a
 * crash re-indexes at most one batch and never skips one); the live service calls it after each
 * ingested notice, `coincide archive import` after each batch. Sky maps load asynchronously,
 * so a batch derives its MOCs first and then writes its rows in one short transaction.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Coincidence } from '../join/coincidence.ts';
import type { Notice } from '../notices/notice.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { archiveCoincidenceValues, INSERT_ARCHIVE_COINCIDENCE } from './coincidence-rows.ts';
import { originalReceivedLookup } from './import.ts';
import { decodeRanges, indexRows, Moc } from './moc-ranges.ts';
import { noticeRefs, type NoticeRef } from './notice-refs.ts';
import { prepareMocs, type PreparedLevel, type PreparedMocs } from './prepared-mocs.ts';
import { regionCap } from './region-cap.ts';
import { DEFAULT_ARCHIVE_LEVELS_PCT, noticeMocs, type NoticeMocs, type SkyMapSource } from './notice-mocs.ts';

/** Rows of the R*-tree per notice: ids are notice_id·ROWS_PER_NOTICE + k. */
export const ROWS_PER_NOTICE = 1024;
const CURSOR_KEY = 'indexed-notice-id';
const OUTBOX_CURSOR_KEY = 'captured-outbox-seq';
/** Set by migration archive-004 while the R*-tree is rebuilt from archive_mocs (removed when done). */
const REBUILD_CURSOR_KEY = 'moc-index-rebuilt-notice-id';

export interface ArchiveIndexOptions {
  db: SqliteDatabase;
  /** Credible levels indexed, percent (default 50 and 90). */
  levelsPct?: readonly number[];
  /** Loads the map of a sky-map notice (absent: sky-map notices are indexed without a region). */
  loadSkyMap?: SkyMapSource;
  /** Raw bytes of a stored event by id (for maps embedded in the event). */
  eventBytes?: (eventId: number) => Uint8Array | undefined;
  /**
   * Aborted: a catch-up in progress stops after the notice it is on (what it has done is
   * written; the rest is indexed by the next catch-up, e.g. at the next start).
   */
  signal?: AbortSignal;
  /**
   * When a notice was first received, when it is not the store's receipt time (default: the
   * time recorded by `coincide archive import`, import.ts).
   */
  originalReceivedMs?: (eventId: number, storedReceivedMs: number) => number;
}

export interface IndexedRow {
  noticeId: number;
  eventId: number;
  receivedAtMs: number;
  notice: Notice;
}

/** What the index stores of a notice besides its regions (a Notice is one). */
export type IndexedNotice = Pick<
  Notice,
  | 'ivorn'
  | 'role'
  | 'triggerId'
  | 'eventName'
  | 'messenger'
  | 'observatory'
  | 'instrument'
  | 'noticeType'
  | 'alertType'
  | 'revision'
  | 'triggerTimeMjd'
  | 'farHz'
  | 'pAstro'
> & { region: { type: Notice['region']['type'] } };

/** A stored notice's index row data: its columns and links (noticeRefs), derived already. */
export interface PreparedRow {
  noticeId: number;
  eventId: number;
  receivedAtMs: number;
  notice: IndexedNotice;
  refs: readonly NoticeRef[];
}

interface NoticeRow {
  id: number;
  event_id: number;
  received_at_ms: number;
  /** Null when the notice is indexed already. */
  json: string | null;
}

export interface ArchiveIndex {
  readonly levelsPct: readonly number[];
  /** Indexes every stored notice not yet indexed; resolves with how many it indexed. */
  catchUp(batchSize?: number): Promise<number>;
  /** Writes the rows of notices whose MOCs are already derived (one transaction). */
  write(rows: ReadonlyArray<{ row: IndexedRow; mocs: NoticeMocs }>): void;
  /**
   * Writes the rows of notices whose index data are already prepared (prepared-mocs.ts), in
   * the caller's transaction, without moving the cursor: the next catch-up passes over them
   * (it skips notices already indexed). How `coincide archive import` indexes as it stores.
   */
  writePrepared(rows: ReadonlyArray<{ row: PreparedRow; prepared: PreparedMocs }>): void;
  /**
   * Finishes the rebuild of the R*-tree from the stored ranges that migration archive-004 asks
   * for (the catch-up's first step). writePrepared's callers call it first: a rebuild pending
   * when they write would later rebuild their rows again (every row, on a new database).
   */
  completeRebuild(batchSize?: number): void;
  /** The last notices.id indexed. */
  cursor(): number;
  /** Removes the index rows of notices no longer stored (after a prune); returns how many. */
  removeOrphans(): number;
  /** Counts of indexed notices by MOC status. */
  stats(): Record<string, number>;
}

export function createArchiveIndex(options: ArchiveIndexOptions): ArchiveIndex {
  const { db } = options;
  const levelsPct = options.levelsPct ?? DEFAULT_ARCHIVE_LEVELS_PCT;
  const originalReceivedMs = options.originalReceivedMs ?? originalReceivedLookup(db);
  const selectCursor = db.prepare('SELECT value FROM archive_state WHERE key = ?').pluck();
  const upsertCursor = db.prepare(
    'INSERT INTO archive_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  // Notices already indexed (by an import, as it stored them: writePrepared) are passed over:
  // their JSON is not even read.
  const selectNotices = db.prepare(
    `SELECT n.id, n.event_id, n.received_at_ms,
       CASE WHEN a.notice_id IS NULL THEN n.json END AS json
     FROM notices n LEFT JOIN archive_notices a ON a.notice_id = n.id
     WHERE n.id > ? ORDER BY n.id LIMIT ?`,
  );
  const insertNotice = db.prepare(`INSERT OR REPLACE INTO archive_notices
    (notice_id, event_id, trigger_id, event_name, ivorn, role, messenger, observatory, instrument,
     notice_type, alert_type, revision, trigger_time_mjd, received_at_ms, far_hz, p_astro,
     region_type, moc_status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertMoc = db.prepare(
    'INSERT OR REPLACE INTO archive_mocs (notice_id, level_pct, ranges, index_rows) VALUES (?, ?, ?, ?)',
  );
  const insertRef = db.prepare(
    'INSERT OR IGNORE INTO archive_refs (notice_id, trigger_id, kind, value, role) VALUES (?, ?, ?, ?, ?)',
  );
  const selectOutbox = db.prepare(
    `SELECT seq, type, json, created_ms FROM serve_outbox
     WHERE seq > ? AND type IN ('coincidence', 'withdrawn') ORDER BY seq LIMIT ?`,
  );
  const insertCoincidence = db.prepare(`INSERT OR IGNORE ${INSERT_ARCHIVE_COINCIDENCE}`);
  const insertIndexRow = db.prepare(
    'INSERT OR REPLACE INTO archive_moc_index (id, min_level, max_level, min_cell, max_cell, inside) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectStoredMocs = db.prepare(
    `SELECT m.notice_id, m.level_pct, m.ranges, a.trigger_time_mjd
     FROM archive_mocs m JOIN archive_notices a ON a.notice_id = m.notice_id
     WHERE m.notice_id > ? AND m.notice_id <= (
       SELECT max(notice_id) FROM (SELECT DISTINCT notice_id FROM archive_mocs WHERE notice_id > ? ORDER BY notice_id LIMIT ?)
     ) ORDER BY m.notice_id, m.level_pct`,
  );
  const updateIndexRows = db.prepare(
    'UPDATE archive_mocs SET index_rows = ? WHERE notice_id = ? AND level_pct = ?',
  );
  const deleteState = db.prepare('DELETE FROM archive_state WHERE key = ?');
  const insertCap = db.prepare(
    `INSERT OR REPLACE INTO archive_caps
       (level_pct, trigger_time_mjd, notice_id, x, y, z, radius_rad, cos_radius, sin_radius)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let running: Promise<number> | undefined;
  /** Catch-ups asked for: one asked for during a pass runs another pass after it. */
  let requests = 0;

  const cursor = (): number => Number(selectCursor.get(CURSOR_KEY) ?? 0);

  const writeOne = (row: PreparedRow, prepared: PreparedMocs): void => {
    const n = row.notice;
    insertNotice.run(
      row.noticeId,
      row.eventId,
      n.triggerId,
      n.eventName ?? null,
      n.ivorn,
      n.role,
      n.messenger,
      n.observatory,
      n.instrument,
      n.noticeType,
      n.alertType,
      n.revision ?? null,
      n.triggerTimeMjd,
      Math.round(row.receivedAtMs),
      n.farHz ?? null,
      n.pAstro ?? null,
      n.region.type,
      prepared.status,
    );
    for (const ref of row.refs) insertRef.run(row.noticeId, n.triggerId, ref.kind, ref.value, ref.role);
    let k = 0;
    for (const level of prepared.levels) {
      writeLevelRows(row.noticeId, n.triggerTimeMjd, level, k);
      k += level.rows.length;
      insertMoc.run(row.noticeId, level.levelPct, level.ranges, level.rows.length);
    }
  };

  /** Writes the R*-tree rows of one region from row k of its notice on, and its bounding cap. */
  const writeLevelRows = (
    noticeId: number,
    triggerTimeMjd: number,
    level: Pick<PreparedLevel, 'levelPct' | 'rows' | 'cap'>,
    k: number,
  ): void => {
    const { cap, levelPct: pct } = level;
    if (cap) {
      const [x, y, z] = cap.centre;
      const r = cap.radiusRad;
      insertCap.run(pct, triggerTimeMjd, noticeId, x, y, z, r, Math.cos(r), Math.sin(r));
    }
    for (const [i, r] of level.rows.entries())
      insertIndexRow.run(noticeId * ROWS_PER_NOTICE + k + i, pct, pct, r.first, r.last, r.inside ? 1 : 0);
  };

  /**
   * After migration archive-004: the R*-tree rows of every stored region, rebuilt from its
   * stored ranges (no MOC is derived again), a batch of notices per transaction, resumable.
   */
  const rebuildIndexRows = (batchSize: number): void => {
    for (;;) {
      const from = selectCursor.get(REBUILD_CURSOR_KEY) as number | undefined;
      if (from === undefined) return;
      const batch = selectStoredMocs.all(from, from, batchSize) as Array<{
        notice_id: number;
        level_pct: number;
        ranges: Buffer;
        trigger_time_mjd: number;
      }>;
      db.transaction(() => {
        let k = 0;
        let previous = -1;
        for (const m of batch) {
          if (m.notice_id !== previous) k = 0;
          previous = m.notice_id;
          const moc = Moc.fromRanges29(decodeRanges(m.ranges));
          const rows = indexRows(moc);
          writeLevelRows(
            m.notice_id,
            m.trigger_time_mjd,
            { levelPct: m.level_pct, rows, cap: regionCap(moc) },
            k,
          );
          updateIndexRows.run(rows.length, m.notice_id, m.level_pct);
          k += rows.length;
        }
        if (batch.length === 0) deleteState.run(REBUILD_CURSOR_KEY);
        else upsertCursor.run(REBUILD_CURSOR_KEY, previous);
      })();
    }
  };

  const write: ArchiveIndex['write'] = (rows) => {
    if (rows.length === 0) return;
    db.transaction(() => {
      for (const { row, mocs } of rows) writeOne({ ...row, refs: noticeRefs(row.notice) }, prepareMocs(mocs));
      const last = rows[rows.length - 1]?.row.noticeId ?? 0;
      if (last > cursor()) upsertCursor.run(CURSOR_KEY, last);
    })();
  };

  const writePrepared: ArchiveIndex['writePrepared'] = (rows) => {
    for (const { row, prepared } of rows) writeOne(row, prepared);
  };

  /** Copies the coincidences published since the last copy from the outbox (which is pruned). */
  const captureCoincidences = (batchSize: number): number => {
    let total = 0;
    for (;;) {
      const rows = selectOutbox.all(Number(selectCursor.get(OUTBOX_CURSOR_KEY) ?? 0), batchSize) as Array<{
        seq: number;
        json: string;
        created_ms: number;
      }>;
      if (rows.length === 0) return total;
      db.transaction(() => {
        for (const r of rows) {
          const c = JSON.parse(r.json) as Coincidence;
          insertCoincidence.run(...archiveCoincidenceValues(r.seq, c, r.created_ms, r.json));
        }
        upsertCursor.run(OUTBOX_CURSOR_KEY, rows[rows.length - 1]?.seq ?? 0);
      })();
      total += rows.length;
    }
  };

  const runCatchUp = async (batchSize: number): Promise<number> => {
    rebuildIndexRows(batchSize);
    captureCoincidences(batchSize);
    let total = 0;
    for (;;) {
      if (options.signal?.aborted) return total;
      const rows = selectNotices.all(cursor(), batchSize) as NoticeRow[];
      if (rows.length === 0) return total;
      const prepared: Array<{ row: IndexedRow; mocs: NoticeMocs }> = [];
      const lastId = rows[rows.length - 1]?.id ?? 0;
      for (const r of rows) {
        if (r.json === null) continue; // indexed already
        // A turn of the event loop per notice: building MOCs is CPU work, and a batch of them
        // must not hold up sockets (VTP acks) and timers for seconds; and stop() is heard.
        await nextTurn();
        if (options.signal?.aborted) break;
        const notice = JSON.parse(r.json) as Notice;
        const row: IndexedRow = {
          noticeId: r.id,
          eventId: r.event_id,
          receivedAtMs: originalReceivedMs(r.event_id, r.received_at_ms),
          notice,
        };
        const rawEvent = notice.region.type === 'skymap' ? options.eventBytes?.(r.event_id) : undefined;
        const mocs = await noticeMocs(notice, levelsPct, {
          ...(options.loadSkyMap ? { loadSkyMap: options.loadSkyMap } : {}),
          ...(rawEvent ? { rawEvent } : {}),
        });
        prepared.push({ row, mocs });
      }
      if (options.signal?.aborted) {
        write(prepared);
        total += prepared.length;
        return total;
      }
      write(prepared);
      // Past the batch, the notices already indexed at its end included.
      if (lastId > cursor()) upsertCursor.run(CURSOR_KEY, lastId);
      total += prepared.length;
    }
  };

  const catchUp: ArchiveIndex['catchUp'] = (batchSize = 500) => {
    // One catch-up at a time; a call during one runs another pass after it.
    requests += 1;
    if (running) return running;
    running = (async () => {
      let total = 0;
      let served = -1;
      while (served !== requests && options.signal?.aborted !== true) {
        served = requests;
        total += await runCatchUp(batchSize);
      }
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const removeOrphans = (): number =>
    db.transaction(() => {
      const orphans = db
        .prepare(
          'SELECT a.notice_id FROM archive_notices a LEFT JOIN notices n ON n.id = a.notice_id WHERE n.id IS NULL',
        )
        .pluck()
        .all() as number[];
      const selectMocRows = db.prepare('SELECT index_rows FROM archive_mocs WHERE notice_id = ?').pluck();
      const deleteIndexRow = db.prepare('DELETE FROM archive_moc_index WHERE id = ?');
      for (const noticeId of orphans) {
        const total = (selectMocRows.all(noticeId) as number[]).reduce((a, b) => a + b, 0);
        for (let k = 0; k < total; k++) deleteIndexRow.run(noticeId * ROWS_PER_NOTICE + k);
        db.prepare('DELETE FROM archive_mocs WHERE notice_id = ?').run(noticeId);
        db.prepare('DELETE FROM archive_caps WHERE notice_id = ?').run(noticeId);
        db.prepare('DELETE FROM archive_notices WHERE notice_id = ?').run(noticeId);
        db.prepare('DELETE FROM archive_refs WHERE notice_id = ?').run(noticeId);
      }
      return orphans.length;
    })();

  const stats = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of db
      .prepare(
        "SELECT CASE WHEN moc_status LIKE 'failed%' THEN 'failed' ELSE moc_status END AS s, count(*) AS n FROM archive_notices GROUP BY s",
      )
      .all() as Array<{ s: string; n: number }>)
      out[r.s] = r.n;
    return out;
  };

  return {
    levelsPct,
    catchUp,
    write,
    writePrepared,
    completeRebuild: (batchSize = 500) => {
      rebuildIndexRows(batchSize);
    },
    cursor,
    removeOrphans,
    stats,
  };
}

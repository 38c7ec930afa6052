/**
 * `coincide archive import --coincidences`: the coincidences among the notices an import
 * stored, computed as `coincide replay` computes them (the same records, event-time order and
 * engine: replay/replay.ts `sortRecords`, `feedRecord`) and written to the archive's
 * coincidence table, never to the live outbox: nothing is emitted, and the coincidences appear
 * in event groups (event-groups.ts) and `GET /v1/...` like captured live ones.
 *
 * Rows: archive_coincidences.seq is the live outbox's seq for captured coincidences (≥ 1,
 * archive-index.ts); replayed ones take seqs from REPLAY_SEQ_BASE upwards, below every outbox
 * seq, so that a replay never takes a seq the live capture will use, and later replays (and
 * any live revision of the same pair) order after earlier ones. created_ms is the event time
 * of the record that produced the coincidence (when a live service would have emitted it).
 * One transaction per REPLAY_BATCH coincidences.
 */
import { createJoinEngine, type JoinEngineOptions } from '../join/engine.ts';
import type { Coincidence } from '../join/coincidence.ts';
import { noticeReplayRecord } from '../replay/decode-input.ts';
import { feedRecord, sortRecords } from '../replay/replay.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { mjdToUnixMs } from '../time/mjd.ts';
import { archiveCoincidenceValues, INSERT_ARCHIVE_COINCIDENCE } from './coincidence-rows.ts';
import type { ImportedNotice } from './import.ts';

/** First seq of replayed coincidences (−2^52: exact in a double, far below any outbox seq). */
export const REPLAY_SEQ_BASE = -(2 ** 52);
const SEQ_KEY = 'replayed-coincidence-seq';
const REPLAY_BATCH = 1000;

export interface ImportReplaySummary {
  notices: number;
  coincidences: number;
  /** Notices whose embedded sky map could not be read (joined on time only), with why. */
  warnings: Array<{ name: string; message: string }>;
}

export function replayImportedNotices(options: {
  db: SqliteDatabase;
  notices: readonly ImportedNotice[];
  engine?: JoinEngineOptions;
}): ImportReplaySummary {
  const { db } = options;
  const credibleLevel = options.engine?.credibleLevel ?? 0.9;
  const warnings: ImportReplaySummary['warnings'] = [];
  const records = sortRecords(
    options.notices.map((n) => {
      const record = noticeReplayRecord(n.notice, n.bytes, n.name, { credibleLevel });
      if (record.kind === 'notice' && record.regionError)
        warnings.push({
          name: n.name,
          message: `sky map not used, joined on time only: ${record.regionError}`,
        });
      return record;
    }),
  );
  const selectSeq = db.prepare('SELECT value FROM archive_state WHERE key = ?').pluck();
  const upsertSeq = db.prepare(
    'INSERT INTO archive_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const insert = db.prepare(`INSERT ${INSERT_ARCHIVE_COINCIDENCE}`);
  const write = db.transaction((rows: Array<{ c: Coincidence; createdMs: number }>) => {
    let seq = Number(selectSeq.get(SEQ_KEY) ?? REPLAY_SEQ_BASE - 1);
    for (const { c, createdMs } of rows) {
      seq += 1;
      insert.run(...archiveCoincidenceValues(seq, c, createdMs, JSON.stringify(c)));
    }
    upsertSeq.run(SEQ_KEY, seq);
  });
  const engine = createJoinEngine(options.engine);
  let pending: Array<{ c: Coincidence; createdMs: number }> = [];
  let coincidences = 0;
  for (const record of records) {
    const createdMs = Math.round(mjdToUnixMs(record.eventTimeMjd));
    for (const c of feedRecord(engine, record)) {
      pending.push({ c, createdMs });
      coincidences++;
    }
    if (pending.length >= REPLAY_BATCH) {
      write(pending);
      pending = [];
    }
  }
  if (pending.length > 0) write(pending);
  return { notices: records.length, coincidences, warnings };
}

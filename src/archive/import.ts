/**
 * Bulk loading of past notices into the archive (`coincide archive import`): files, folders,
 * tar archives (an export of this archive included) or a GCN Kafka topic from a time.
 *
 * Each document is normalised (notices/parse-notice.ts, the parser the live ingest uses) and
 * stored as an event and its notice, de-duplicated by SHA-256 like live events, many documents
 * per transaction. Imported notices are stored marked delivered (notices.outbox_seq = 0,
 * joined = 1; migrations/trust.ts): they never reach the live stream and never join live, so a
 * running or restarted service emits no coincidence for them. The archive index then catches up
 * on them (archive-index.ts).
 *
 * Times: events.received_at_ms is the import time (retention counts from it); the time the
 * notice was first received (an export's `coincide.receivedAtMs`, else the document's
 * publication time, else its trigger time) goes to archive_imports and is what archive searches
 * on received time see.
 * Documents that are not notices are skipped and counted; unreadable ones are reported to
 * `onFailure` and counted, never stop the import.
 */
import { isCoincideError, describeError } from '../errors.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import type { Notice } from '../notices/notice.ts';
import { publicationTimeMjd } from '../replay/decode-input.ts';
import type { InputDocument } from '../replay/inputs.ts';
import { sha256Hex } from '../store/event-store.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { mjdToUnixMs } from '../time/mjd.ts';

/** PAX header names of an export's entries. */
export const PAX_RECEIVED_MS = 'coincide.receivedAtMs';
export const PAX_INPUT = 'coincide.input';
export const PAX_PEER = 'coincide.peer';

export interface ImportSummary {
  documents: number;
  stored: number;
  duplicates: number;
  notNotices: number;
  failures: number;
}

export interface ImportOptions {
  db: SqliteDatabase;
  /** Import time (events.received_at_ms). */
  nowMs: () => number;
  /** Where the documents come from (archive_imports.source). */
  source: string;
  /** Documents per transaction (default 1000). */
  batchSize?: number;
  onFailure?: (name: string, message: string) => void;
  /** After each committed batch (e.g. to index it, or show progress). */
  onBatch?: (summary: ImportSummary) => Promise<void> | void;
}

interface Prepared {
  doc: InputDocument;
  notice: Notice;
  sha256: string;
  originalMs: number;
}

function originalReceivedMs(doc: InputDocument, notice: Notice): number {
  const fromExport = Number(doc.pax?.[PAX_RECEIVED_MS]);
  if (Number.isFinite(fromExport) && fromExport > 0) return Math.round(fromExport);
  const head = doc.bytes.subarray(0, 65_536).toString('utf8');
  const published = publicationTimeMjd(head);
  return Math.round(mjdToUnixMs(published ?? notice.triggerTimeMjd));
}

export interface ArchiveImporter {
  /** Adds one document (committed with its batch). */
  add(doc: InputDocument): Promise<void>;
  /** Commits what is pending; resolves with the totals. */
  finish(): Promise<ImportSummary>;
}

export function createArchiveImporter(options: ImportOptions): ArchiveImporter {
  const { db } = options;
  const batchSize = options.batchSize ?? 1000;
  const summary: ImportSummary = { documents: 0, stored: 0, duplicates: 0, notNotices: 0, failures: 0 };
  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO events (sha256, ivorn, role, bytes, received_at_ms, peer, input)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNotice = db.prepare(
    `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json, outbox_seq, joined)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1)`,
  );
  const insertImport = db.prepare(
    'INSERT OR REPLACE INTO archive_imports (event_id, original_received_ms, source) VALUES (?, ?, ?)',
  );
  let batch: Prepared[] = [];

  const commit = db.transaction((items: Prepared[]) => {
    const nowMs = Math.round(options.nowMs());
    for (const item of items) {
      const { doc, notice } = item;
      const result = insertEvent.run(
        item.sha256,
        notice.ivorn,
        notice.role,
        doc.bytes,
        nowMs,
        doc.pax?.[PAX_PEER] ?? doc.name,
        doc.pax?.[PAX_INPUT] ?? 'archive-import',
      );
      if (result.changes === 0) {
        summary.duplicates++;
        continue;
      }
      const eventId = Number(result.lastInsertRowid);
      insertNotice.run(
        eventId,
        notice.ivorn,
        notice.triggerId,
        notice.revision ?? null,
        notice.noticeType,
        nowMs,
        JSON.stringify(notice),
      );
      insertImport.run(eventId, item.originalMs, options.source);
      summary.stored++;
    }
  });

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    commit(items);
    await options.onBatch?.({ ...summary });
  };

  return {
    async add(doc) {
      summary.documents++;
      let notice: Notice;
      try {
        notice = parseNoticeDocument(doc.bytes, { fileName: doc.name });
      } catch (error) {
        if (isCoincideError(error) && error.code === 'NOTICE_UNSUPPORTED') summary.notNotices++;
        else {
          summary.failures++;
          options.onFailure?.(doc.name, describeError(error));
        }
        return;
      }
      batch.push({
        doc,
        notice,
        sha256: sha256Hex(doc.bytes),
        originalMs: originalReceivedMs(doc, notice),
      });
      if (batch.length >= batchSize) await flush();
    },
    async finish() {
      await flush();
      return { ...summary };
    },
  };
}

/** The time a stored event was first received: its import record's, else the store's. */
export function originalReceivedLookup(db: SqliteDatabase): (eventId: number, storedMs: number) => number {
  const select = db.prepare('SELECT original_received_ms FROM archive_imports WHERE event_id = ?').pluck();
  return (eventId, storedMs) => {
    const value = select.get(eventId) as number | undefined;
    return value ?? storedMs;
  };
}

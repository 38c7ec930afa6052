/**
 * The writes of the event store, as plain data: what a group commit applies in one transaction.
 * The same statements run in the calling thread (event-writer.ts, inline) or in the writer
 * thread (event-writer-thread.ts), so both paths write exactly the same rows.
 *
 *   insert-event   INSERT OR IGNORE the raw event (sha256 UNIQUE: a second copy of the same
 *                  bytes is reported 'duplicate'), with its notice when it was normalised before
 *                  the insert (JSON notices), and `normalised` = 0 when its normalisation is still
 *                  to be done after the ack (the durable "pending" mark, see migrations/events.ts).
 *   complete-normalisation
 *                  the deferred normalisation of a stored event: its notice (if it has one) and
 *                  normalised = 1, together.
 * Ops carry only structured-clonable values (they cross a worker_threads port).
 */
import type { Notice } from '../notices/notice.ts';
import type { SqliteDatabase } from './database.ts';

/** The columns of one notice row, computed by the caller (JSON.stringify happens before the op). */
export interface NoticeRowValues {
  ivorn: string;
  triggerId: string;
  revision: number | null;
  noticeType: string;
  json: string;
}

/** The notice row of `notice`. */
export function noticeRow(notice: Notice): NoticeRowValues {
  return {
    ivorn: notice.ivorn,
    triggerId: notice.triggerId,
    revision: notice.revision ?? null,
    noticeType: notice.noticeType,
    json: JSON.stringify(notice),
  };
}

export interface InsertEventOp {
  op: 'insert-event';
  sha256: string;
  ivorn: string;
  role: string;
  bytes: Uint8Array;
  receivedAtMs: number;
  peer: string;
  input: string;
  notice?: NoticeRowValues;
  /** False: the event still has to be normalised (after the ack). */
  normalised: boolean;
  /** The source's trust verdict (src/trust/trust-policy.ts); stored as events.trusted. */
  trusted: boolean;
  /**
   * With `normalised` false, to a writer thread connected to the normalisation thread
   * (event-writer-thread.ts): once its insert has committed, it hands the event to that thread
   * and commits the notice it sends back.
   */
  normaliseAfterCommit?: boolean;
}

export interface CompleteNormalisationOp {
  op: 'complete-normalisation';
  eventId: number;
  receivedAtMs: number;
  /** Absent: the event is not a notice (or could not be normalised); it is only marked done. */
  notice?: NoticeRowValues;
}

export type WriteOp = InsertEventOp | CompleteNormalisationOp;

export type WriteResult =
  { status: 'stored'; eventId: number } | { status: 'duplicate'; eventId: number } | { status: 'completed' };

/** Prepares the statements once; the returned function applies a batch in one transaction. */
export function prepareEventWrites(db: SqliteDatabase): (ops: readonly WriteOp[]) => WriteResult[] {
  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO events (sha256, ivorn, role, bytes, received_at_ms, peer, input, normalised, trusted)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNotice = db.prepare(
    `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const markNormalised = db.prepare('UPDATE events SET normalised = 1 WHERE id = ?');
  const selectIdBySha = db.prepare('SELECT id FROM events WHERE sha256 = ?').pluck();

  const writeNotice = (eventId: number, receivedAtMs: number, notice: NoticeRowValues): void => {
    insertNotice.run(
      eventId,
      notice.ivorn,
      notice.triggerId,
      notice.revision,
      notice.noticeType,
      Math.round(receivedAtMs),
      notice.json,
    );
  };

  const apply = (op: WriteOp): WriteResult => {
    if (op.op === 'complete-normalisation') {
      if (op.notice) writeNotice(op.eventId, op.receivedAtMs, op.notice);
      markNormalised.run(op.eventId);
      return { status: 'completed' };
    }
    const info = insertEvent.run(
      op.sha256,
      op.ivorn,
      op.role,
      Buffer.from(op.bytes.buffer, op.bytes.byteOffset, op.bytes.byteLength),
      Math.round(op.receivedAtMs),
      op.peer,
      op.input,
      op.normalised ? 1 : 0,
      op.trusted ? 1 : 0,
    );
    if (info.changes === 0) return { status: 'duplicate', eventId: Number(selectIdBySha.get(op.sha256)) };
    const eventId = Number(info.lastInsertRowid);
    if (op.notice) writeNotice(eventId, op.receivedAtMs, op.notice);
    return { status: 'stored', eventId };
  };

  const transaction = db.transaction((ops: readonly WriteOp[]) => ops.map(apply));
  const configured = Number(db.pragma('synchronous', { simple: true }));
  const NORMAL = 1;
  // Prepared once (db.pragma() compiles its statement on every call).
  const syncNormal = db.prepare(`PRAGMA synchronous = ${NORMAL}`);
  const syncConfigured = db.prepare(`PRAGMA synchronous = ${Math.floor(configured)}`);
  return (ops) => {
    /**
     * A batch of nothing but completed normalisations commits without fsync (synchronous=NORMAL
     * for that one transaction; in WAL mode it still survives a process crash, and the next
     * FULL commit's fsync of the WAL makes it power-safe too). Nothing is acked on it: a notice
     * is derived data, and one lost to a power cut leaves its event pending, normalised again at
     * the next start. Without this, every event would cost two fsyncs (the raw event, then its
     * notice), and a lone author would wait for the second one before its next submission.
     */
    if (configured > NORMAL && ops.every((op) => op.op === 'complete-normalisation')) {
      syncNormal.run();
      try {
        return transaction(ops);
      } finally {
        syncConfigured.run();
      }
    }
    return transaction(ops);
  };
}

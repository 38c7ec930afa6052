/**
 * Exactly-once from commit to stream for notices and the join's outputs.
 *
 * A notice is committed by the event store (in its writer thread); its stream message and the
 * coincidences and withdrawals it causes are appended to the outbox afterwards, in this thread.
 * A crash in between would leave a stored notice that never reaches the stream. So every outbox
 * append that delivers a notice also marks the notice, in the SAME transaction:
 *   notices.outbox_seq = the seq of its stream message   (published)
 *   notices.joined     = 1 once the join's outputs for it are appended (or it is not joined)
 * and `undelivered()` lists, oldest first, the notices a crash left with either mark missing, for
 * the app to deliver again at start-up (migrations/trust.ts). Either both the rows and the mark
 * commit, or neither does: no notice is lost and none is appended twice.
 */
import type { Notice } from '../notices/notice.ts';
import type { Outbox, OutboxMessageType, OutboxRecord } from '../sinks/outbox.ts';
import type { SqliteDatabase } from './database.ts';

export interface OutboxItem {
  type: OutboxMessageType;
  data: unknown;
  triggerId?: string;
}

export interface DeliveryMarks {
  /** The stored event whose notice these items deliver. */
  eventId: number;
  /** The index in `items` of the notice's own stream message (marks it published). */
  noticeIndex?: number;
  /** True: the join's outputs for the notice are among `items` (or it is not joined). */
  joined?: boolean;
}

export interface UndeliveredNotice {
  eventId: number;
  notice: Notice;
  receivedAtMs: number;
  /** False: its stream message is still to be appended. */
  published: boolean;
  /** False: the join's outputs for it are still to be appended. */
  joined: boolean;
  /** The source trust verdict stored with its event (events.trusted). */
  trusted: boolean;
}

export interface NoticeDelivery {
  /**
   * Appends `items` and sets the notice's marks, in one transaction; returns the records.
   * `alsoInTransaction` runs in that same transaction (an input's own progress, e.g. how far an
   * optical file has been joined: store/optical-files.ts).
   */
  commit(items: readonly OutboxItem[], marks?: DeliveryMarks, alsoInTransaction?: () => void): OutboxRecord[];
  /** Notices a crash left unpublished or unjoined, oldest first. */
  undelivered(): UndeliveredNotice[];
}

interface UndeliveredRow {
  event_id: number;
  json: string;
  received_at_ms: number;
  outbox_seq: number | null;
  joined: number | null;
  trusted: number;
}

export function createNoticeDelivery(options: { db: SqliteDatabase; outbox: Outbox }): NoticeDelivery {
  const { db, outbox } = options;
  const markPublished = db.prepare('UPDATE notices SET outbox_seq = ? WHERE event_id = ?');
  const markJoined = db.prepare('UPDATE notices SET joined = 1 WHERE event_id = ?');
  const selectUndelivered = db.prepare(
    `SELECT n.event_id, n.json, n.received_at_ms, n.outbox_seq, n.joined, e.trusted
       FROM notices n JOIN events e ON e.id = n.event_id
      WHERE n.outbox_seq IS NULL OR n.joined IS NULL
      ORDER BY n.id`,
  );
  // better-sqlite3: appendMany's own transaction nests as a savepoint inside this one.
  const commit = db.transaction(
    (items: readonly OutboxItem[], marks?: DeliveryMarks, alsoInTransaction?: () => void): OutboxRecord[] => {
      const records = outbox.appendMany(items);
      alsoInTransaction?.();
      if (marks) {
        const record = marks.noticeIndex === undefined ? undefined : records[marks.noticeIndex];
        if (record) markPublished.run(record.seq, marks.eventId);
        if (marks.joined) markJoined.run(marks.eventId);
      }
      return records;
    },
  );
  return {
    commit: (items, marks, alsoInTransaction) =>
      items.length === 0 && !marks && !alsoInTransaction ? [] : commit(items, marks, alsoInTransaction),
    undelivered: () =>
      (selectUndelivered.all() as UndeliveredRow[]).map((row) => ({
        eventId: row.event_id,
        notice: JSON.parse(row.json) as Notice,
        receivedAtMs: row.received_at_ms,
        published: row.outbox_seq !== null,
        joined: row.joined !== null,
        trusted: row.trusted === 1,
      })),
  };
}

/**
 * The durable, de-duplicating store of raw events and their normalised Notices (SQLite).
 *
 * `putEvent` resolves only after the INSERT has COMMITTED (WAL, synchronous=FULL): callers ack
 * after it resolves, never before. Writes are group-committed: the puts of one event-loop turn
 * go to the writer together at the end of that turn (setImmediate: no timer), and every write
 * asked for while a transaction is being committed goes into the one transaction after it (one
 * fsync for all of them); all of a transaction's promises resolve together. With
 * `writer: 'thread'` the transactions run in a worker thread (event-writer.ts), so the main
 * thread is not blocked by fsync, and the writer is pipelined: a turn's puts are posted to it
 * at once, also during a commit, and the thread gathers what arrived during a commit into the
 * next transaction itself (no round trip to this thread between two commits).
 * De-duplication: events.sha256 is UNIQUE and the INSERT is `OR IGNORE`, so of any number of
 * concurrent puts of the same bytes exactly one is 'stored'.
 * Deferred normalisation: a put with `pendingNormalisation` leaves the event marked as not yet
 * normalised; `completeNormalisation` later stores its notice and clears the mark in one
 * transaction, and `pendingNormalisation()` lists the events a crash left in between.
 * Retention: `prune(nowMs)` forgets events (and their notices) older than `retentionMs`
 * (default 30 days, like Comet's event DB MAX_AGE); a forgotten event is "unseen" again.
 */
import * as crypto from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { CoincideError, isCoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import type { SqliteDatabase } from './database.ts';
import {
  createInlineWriter,
  createThreadWriter,
  type EventWriter,
  type EventWriterMode,
} from './event-writer.ts';
import { noticeRow, type WriteOp, type WriteResult } from './event-writes.ts';

/** Comet's MAX_AGE: duplicates are recognised for 30 days. */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

export type EventInput = 'vtp-receiver' | 'vtp-subscriber' | 'gcn-kafka' | 'replay' | (string & {});

export interface NewEvent {
  bytes: Uint8Array;
  /** SHA-256 of bytes, lowercase hex; computed when omitted. */
  sha256?: string;
  ivorn: string;
  role: string;
  receivedAtMs: number;
  /** host:port, Kafka topic, file name... */
  peer: string;
  input: EventInput;
  /** Normalised notice, stored in the same transaction. */
  notice?: Notice;
  /** The source's trust verdict (src/trust/trust-policy.ts); default true. */
  trusted?: boolean;
  /**
   * True: the event is stored marked "not yet normalised", to be completed after the ack with
   * `completeNormalisation` (or found by `pendingNormalisation()` after a crash).
   */
  pendingNormalisation?: boolean;
}

export interface StoredEvent {
  id: number;
  sha256: string;
  ivorn: string;
  role: string;
  bytes: Buffer;
  receivedAtMs: number;
  peer: string;
  input: string;
  /** The source's trust verdict when it was accepted (events.trusted). */
  trusted: boolean;
}

export interface StoredNotice {
  id: number;
  eventId: number;
  receivedAtMs: number;
  notice: Notice;
}

export interface PutEventResult {
  /** 'stored': newly committed; 'duplicate': the same bytes were already stored. */
  status: 'stored' | 'duplicate';
  eventId: number;
  sha256: string;
  /**
   * For a stored event put with `pendingNormalisation` in a store whose writer has it normalised
   * (`normaliser`): resolves once it has been normalised and its notice committed (absent
   * when it is not a notice); rejects when that commit failed (the event then
   * stays pending, for resumePending at the next start).
   */
  normalised?: Promise<WriterNormalisation>;
}

/** What the normalisation of a stored event, handed over by the writer, gave. */
export interface WriterNormalisation {
  notice?: Notice;
  /** Why the event could not be normalised (other than not being a notice): stored without one. */
  warning?: string;
}

export interface EventStoreOptions {
  db: SqliteDatabase;
  retentionMs?: number;
  /**
   * Where commits run (event-writer.ts): default 'inline'; 'thread' needs a database file. An
   * EventWriter object may be given instead (tests observe or hold back commits with one).
   */
  writer?: EventWriterMode | EventWriter;
  /**
   * With writer 'thread': a port to the normalisation thread (ingest/normalisation-thread.ts
   * `writerPort`, the other end). The writer thread hands it each event put with
   * `pendingNormalisation` right after its commit and commits the notice it sends back
   * (store/event-normalisation.ts), and `putEvent` gives `normalised`. Absent: the caller
   * normalises and calls `completeNormalisation`.
   */
  normaliser?: MessagePort;
}

/**
 * One-shot crypto.hash where Node has it (>= 20.12): no Hash object per event, 1.7 against
 * 3.5 µs (bench/vtp-stages.ts); package.json allows any Node 20, hence the fallback.
 */
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;
export const sha256Hex: (bytes: Uint8Array) => string = oneShotHash
  ? (bytes) => oneShotHash('sha256', bytes, 'hex')
  : (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

interface EventRow {
  id: number;
  sha256: string;
  ivorn: string;
  role: string;
  bytes: Buffer;
  received_at_ms: number;
  peer: string;
  input: string;
  trusted: number;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    sha256: row.sha256,
    ivorn: row.ivorn,
    role: row.role,
    bytes: row.bytes,
    receivedAtMs: row.received_at_ms,
    peer: row.peer,
    input: row.input,
    trusted: row.trusted !== 0,
  };
}

interface Pending {
  op: WriteOp;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

export class EventStore {
  readonly retentionMs: number;
  private readonly db: SqliteDatabase;
  private readonly writer: EventWriter;
  private readonly insertNotice;
  private readonly selectIdBySha;
  private readonly selectKeyBySha;
  private readonly selectById;
  private readonly selectBySha;
  private readonly selectPending;
  private readonly selectLastPendingId;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /**
   * The writes asked of the writer and not yet settled. A writer that is not pipelined has at
   * most one: writes asked for meanwhile wait here for the next one.
   */
  private readonly writing = new Set<Promise<void>>();
  private closed = false;
  private transactions = 0;

  constructor(options: EventStoreOptions) {
    this.db = options.db;
    this.retentionMs = options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    const writer = options.writer ?? 'inline';
    this.writer =
      writer === 'thread'
        ? createThreadWriter(this.db, options.normaliser ? { normaliser: options.normaliser } : {})
        : writer === 'inline'
          ? createInlineWriter(this.db)
          : writer;
    this.insertNotice = this.db.prepare(
      `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectIdBySha = this.db.prepare('SELECT id FROM events WHERE sha256 = ?').pluck();
    this.selectKeyBySha = this.db.prepare('SELECT id, ivorn FROM events WHERE sha256 = ?');
    // Prepared once: these run on the ingest path (duplicate checks), not only in queries.
    this.selectById = this.db.prepare('SELECT * FROM events WHERE id = ?');
    this.selectBySha = this.db.prepare('SELECT * FROM events WHERE sha256 = ?');
    this.selectPending = this.db.prepare(
      'SELECT * FROM events WHERE normalised = 0 AND id > ? ORDER BY id LIMIT ?',
    );
    this.selectLastPendingId = this.db.prepare('SELECT max(id) FROM events WHERE normalised = 0').pluck();
  }

  /**
   * Resolves once the writer takes writes at once (a writer thread has started); puts made
   * before are queued, not refused. Rejects with STORE_WRITE if the writer thread could not start.
   */
  ready(): Promise<void> {
    return this.writer.ready();
  }

  /** Durably stores one event (and its notice); resolves after COMMIT. */
  async putEvent(event: NewEvent): Promise<PutEventResult> {
    const sha256 = event.sha256 ?? sha256Hex(event.bytes);
    const normalisedBy = event.pendingNormalisation === true ? this.writer.normalised : undefined;
    const result = await this.enqueue({
      op: 'insert-event',
      sha256,
      ivorn: event.ivorn,
      role: event.role,
      bytes: event.bytes,
      receivedAtMs: event.receivedAtMs,
      peer: event.peer,
      input: event.input,
      ...(event.notice ? { notice: noticeRow(event.notice) } : {}),
      normalised: event.pendingNormalisation !== true,
      trusted: event.trusted ?? true,
      ...(normalisedBy ? { normaliseAfterCommit: true } : {}),
    });
    if (result.status === 'completed') throw new Error('unreachable: an insert completed nothing');
    if (!normalisedBy || result.status !== 'stored')
      return { status: result.status, eventId: result.eventId, sha256 };
    const normalised = normalisedBy(result.eventId).then((done): WriterNormalisation => {
      if (done.failure !== undefined) {
        throw new CoincideError('STORE_WRITE', `could not commit a notice: ${done.failure}`, {
          retriable: true,
        });
      }
      return {
        ...(done.json !== undefined ? { notice: JSON.parse(done.json) as Notice } : {}),
        ...(done.warning !== undefined ? { warning: done.warning } : {}),
      };
    });
    normalised.catch(() => undefined); // reported to whoever awaits it; not unhandled meanwhile
    return { status: result.status, eventId: result.eventId, sha256, normalised };
  }

  /**
   * Ends the deferred normalisation of a stored event: stores its notice (none when it is not a
   * notice) and clears its pending mark, in one transaction; resolves after COMMIT.
   */
  async completeNormalisation(eventId: number, receivedAtMs: number, notice?: Notice): Promise<void> {
    await this.enqueue({
      op: 'complete-normalisation',
      eventId,
      receivedAtMs,
      ...(notice ? { notice: noticeRow(notice) } : {}),
    });
  }

  /** Stored events whose normalisation is still to be done, oldest first (ids above `afterId`). */
  pendingNormalisation(limit = 1000, afterId = 0): StoredEvent[] {
    return (this.selectPending.all(afterId, limit) as EventRow[]).map(toStoredEvent);
  }

  /** The id of the newest event whose normalisation is still to be done, 0 when none is. */
  lastPendingNormalisationId(): number {
    return Number(this.selectLastPendingId.get() ?? 0);
  }

  /**
   * The id and ivorn of the event stored with these bytes (by SHA-256), if any: the ingest path's
   * duplicate check, which reads neither the bytes nor the rest of the row.
   */
  storedKey(sha256: string): { id: number; ivorn: string } | undefined {
    return this.selectKeyBySha.get(sha256) as { id: number; ivorn: string } | undefined;
  }

  /** True when these bytes (by SHA-256) are stored. */
  hasSha256(sha256: string): boolean {
    return this.selectIdBySha.get(sha256) !== undefined;
  }

  private enqueue(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new CoincideError('STORE_WRITE', 'the event store is closed'));
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      // A write in progress of a writer that is not pipelined flushes the queue when it ends;
      // otherwise wait for the end of this turn, so that every put of this turn goes together.
      if (!this.flushScheduled && (this.writer.pipelined === true || this.writing.size === 0)) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  /**
   * Batches asked of the writer so far (each one COMMIT, one fsync, at most; a pipelined writer
   * may commit several in one): the group commit's measure.
   */
  get transactionCount(): number {
    return this.transactions;
  }

  /** Writes every queued op in one transaction (group commit), then settles their promises. */
  private flush(): void {
    if (this.queue.length === 0) return;
    if (this.writing.size > 0 && this.writer.pipelined !== true) return;
    const batch = this.queue;
    this.queue = [];
    this.transactions += 1;
    const written: Promise<void> = this.writer
      .write(batch.map((p) => p.op))
      .then(
        (results) => {
          batch.forEach((p, i) => {
            p.resolve(results[i] as WriteResult);
          });
        },
        (cause: unknown) => {
          const error = isCoincideError(cause)
            ? cause
            : new CoincideError('STORE_WRITE', 'could not commit events', { cause, retriable: true });
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.writing.delete(written);
        this.flush(); // not pipelined: what arrived during this commit goes in the next one, now
      });
    this.writing.add(written);
  }

  /** Attaches a notice to an already stored event (e.g. one normalised later). */
  putNotice(eventId: number, receivedAtMs: number, notice: Notice): void {
    const row = noticeRow(notice);
    this.insertNotice.run(
      eventId,
      row.ivorn,
      row.triggerId,
      row.revision,
      row.noticeType,
      Math.round(receivedAtMs),
      row.json,
    );
  }

  getEvent(eventId: number): StoredEvent | undefined {
    const row = this.selectById.get(eventId) as EventRow | undefined;
    return row ? toStoredEvent(row) : undefined;
  }

  getEventBySha256(sha256: string): StoredEvent | undefined {
    const row = this.selectBySha.get(sha256) as EventRow | undefined;
    return row ? toStoredEvent(row) : undefined;
  }

  /** Every stored event with this ivorn, oldest first (GCN sends 1.1 and 2.0 copies with one ivorn). */
  eventsByIvorn(ivorn: string): StoredEvent[] {
    return (
      this.db
        .prepare('SELECT * FROM events WHERE ivorn = ? ORDER BY received_at_ms, id')
        .all(ivorn) as EventRow[]
    ).map(toStoredEvent);
  }

  /** The most recent events, newest first. */
  recentEvents(limit = 100): StoredEvent[] {
    return (this.db.prepare('SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit) as EventRow[]).map(
      toStoredEvent,
    );
  }

  /** Every notice of one trigger, in arrival order. */
  noticesByTriggerId(triggerId: string): StoredNotice[] {
    return this.mapNotices(
      this.db
        .prepare('SELECT * FROM notices WHERE trigger_id = ? ORDER BY received_at_ms, id')
        .all(triggerId) as NoticeRow[],
    );
  }

  /**
   * The notices that re-seed the join at start-up, in one query: those of the ivorns of the last
   * `limit` events that came from a trusted source, ordered by each ivorn's oldest such event,
   * then arrival. (One query per event, reading whole event rows, was most of a 10,000-event
   * warm start.)
   */
  warmStartNotices(limit: number): StoredNotice[] {
    return this.mapNotices(
      this.db
        .prepare(
          `WITH recent AS (SELECT id, ivorn, trusted FROM events ORDER BY id DESC LIMIT ?),
                first AS (SELECT ivorn, min(id) AS first_id FROM recent WHERE trusted != 0 GROUP BY ivorn)
           SELECT n.* FROM notices n JOIN first f ON n.ivorn = f.ivorn
           ORDER BY f.first_id, n.received_at_ms, n.id`,
        )
        .all(limit) as NoticeRow[],
    );
  }

  noticesByIvorn(ivorn: string): StoredNotice[] {
    return this.mapNotices(
      this.db
        .prepare('SELECT * FROM notices WHERE ivorn = ? ORDER BY received_at_ms, id')
        .all(ivorn) as NoticeRow[],
    );
  }

  countEvents(): number {
    return Number(this.db.prepare('SELECT count(*) FROM events').pluck().get());
  }

  /** Forgets events received before `nowMs - retentionMs` (and their notices); returns how many. */
  prune(nowMs: number, retentionMs: number = this.retentionMs): number {
    const cutoffMs = nowMs - retentionMs;
    return this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM notices WHERE event_id IN (SELECT id FROM events WHERE received_at_ms < ?)')
        .run(cutoffMs);
      return this.db.prepare('DELETE FROM events WHERE received_at_ms < ?').run(cutoffMs).changes;
    })();
  }

  /**
   * Stops accepting writes; resolves once every write already asked for has committed and the
   * writer thread (if any) has stopped. With the inline writer, the queued writes are committed
   * before this returns.
   */
  async drain(): Promise<void> {
    this.closed = true;
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
    await this.writer.close();
  }

  /** Stops accepting writes after committing those already asked for (see drain()). */
  close(): void {
    void this.drain();
  }

  private mapNotices(rows: NoticeRow[]): StoredNotice[] {
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      receivedAtMs: row.received_at_ms,
      notice: JSON.parse(row.json) as Notice,
    }));
  }
}

interface NoticeRow {
  id: number;
  event_id: number;
  received_at_ms: number;
  json: string;
}

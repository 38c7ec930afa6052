/**
 * The durable, de-duplicating store of raw events and their normalised Notices (SQLite).
 *
 * `putEvent` resolves only after the INSERT has COMMITTED (WAL, synchronous=FULL): callers ack
 * after it resolves, never before. Concurrent puts are group-committed: every put queued while
 * the event loop is busy is written in one transaction (one fsync) on the next turn, then all of
 * their promises resolve together. De-duplication: events.sha256 is UNIQUE and the INSERT is
 * `OR IGNORE`, so of any number of concurrent puts of the same bytes exactly one is 'stored'.
 * Retention: `prune(nowMs)` forgets events (and their notices) older than `retentionMs`
 * (default 30 days, like Comet's event DB MAX_AGE); a forgotten event is "unseen" again.
 */
import { createHash } from 'node:crypto';
import { CoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import type { SqliteDatabase } from './database.ts';

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
}

export interface EventStoreOptions {
  db: SqliteDatabase;
  retentionMs?: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface EventRow {
  id: number;
  sha256: string;
  ivorn: string;
  role: string;
  bytes: Buffer;
  received_at_ms: number;
  peer: string;
  input: string;
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
  };
}

interface Pending {
  event: NewEvent & { sha256: string };
  resolve: (result: PutEventResult) => void;
  reject: (error: unknown) => void;
}

export class EventStore {
  readonly retentionMs: number;
  private readonly db: SqliteDatabase;
  private readonly insertEvent;
  private readonly insertNotice;
  private readonly selectIdBySha;
  private readonly selectById;
  private readonly selectBySha;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;

  constructor(options: EventStoreOptions) {
    this.db = options.db;
    this.retentionMs = options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    this.insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO events (sha256, ivorn, role, bytes, received_at_ms, peer, input)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertNotice = this.db.prepare(
      `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectIdBySha = this.db.prepare('SELECT id FROM events WHERE sha256 = ?').pluck();
    // Prepared once: these run on the ingest path (duplicate checks), not only in queries.
    this.selectById = this.db.prepare('SELECT * FROM events WHERE id = ?');
    this.selectBySha = this.db.prepare('SELECT * FROM events WHERE sha256 = ?');
  }

  /** Durably stores one event (and its notice); resolves after COMMIT. */
  putEvent(event: NewEvent): Promise<PutEventResult> {
    if (this.closed) return Promise.reject(new CoincideError('STORE_WRITE', 'the event store is closed'));
    const withSha = { ...event, sha256: event.sha256 ?? sha256Hex(event.bytes) };
    return new Promise<PutEventResult>((resolve, reject) => {
      this.queue.push({ event: withSha, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flush();
        });
      }
    });
  }

  /** True when these bytes (by SHA-256) are stored. */
  hasSha256(sha256: string): boolean {
    return this.selectIdBySha.get(sha256) !== undefined;
  }

  /** Writes every queued put in one transaction (group commit), then settles their promises. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let results: PutEventResult[];
    try {
      results = this.db.transaction(() => batch.map((p) => this.writeOne(p.event)))();
    } catch (cause) {
      const error = new CoincideError('STORE_WRITE', 'could not commit events', { cause, retriable: true });
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      p.resolve(results[i] as PutEventResult);
    });
  }

  private writeOne(event: NewEvent & { sha256: string }): PutEventResult {
    const info = this.insertEvent.run(
      event.sha256,
      event.ivorn,
      event.role,
      Buffer.from(event.bytes.buffer, event.bytes.byteOffset, event.bytes.byteLength),
      Math.round(event.receivedAtMs),
      event.peer,
      event.input,
    );
    if (info.changes === 0) {
      return {
        status: 'duplicate',
        eventId: Number(this.selectIdBySha.get(event.sha256)),
        sha256: event.sha256,
      };
    }
    const eventId = Number(info.lastInsertRowid);
    if (event.notice) this.writeNotice(eventId, event.receivedAtMs, event.notice);
    return { status: 'stored', eventId, sha256: event.sha256 };
  }

  private writeNotice(eventId: number, receivedAtMs: number, notice: Notice): void {
    this.insertNotice.run(
      eventId,
      notice.ivorn,
      notice.triggerId,
      notice.revision ?? null,
      notice.noticeType,
      Math.round(receivedAtMs),
      JSON.stringify(notice),
    );
  }

  /** Attaches a notice to an already stored event (e.g. one normalised later). */
  putNotice(eventId: number, receivedAtMs: number, notice: Notice): void {
    this.writeNotice(eventId, receivedAtMs, notice);
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

  /** Stops accepting puts after writing those already queued. */
  close(): void {
    this.flush();
    this.closed = true;
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

/** Comet's PRUNE_INTERVAL: forget expired events every 6 hours. */
export const PRUNE_INTERVAL_MS = 6 * 3600 * 1000;

/**
 * Prunes `store` now and then every `intervalMs` (default PRUNE_INTERVAL_MS), with times from
 * `clock`; returns a function that stops it. Failures are reported to `onError`, never thrown.
 */
export function schedulePrune(
  store: EventStore,
  clock: { nowMs(): number },
  options: {
    intervalMs?: number;
    onPruned?: (count: number) => void;
    onError?: (error: unknown) => void;
  } = {},
): () => void {
  const run = (): void => {
    try {
      const count = store.prune(clock.nowMs());
      options.onPruned?.(count);
    } catch (error) {
      options.onError?.(error);
    }
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? PRUNE_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/**
 * The webhook subscriptions, their cursors and their dead deliveries, in the service's SQLite
 * file (tables in store/migrations/webhooks.ts).
 *
 * Secrets live here in clear, next to the API tokens' hashes, so the database file (and its WAL
 * and shared-memory files, which SQLite creates with the database's mode) is made 0600 when the
 * store opens it. Secrets are returned only to the delivery workers and never by list().
 */
import { chmodSync } from 'node:fs';
import type { Clock } from '../clock.ts';
import { CoincideError } from '../errors.ts';
import { parseStreamFilters } from '../sinks/websocket-filter.ts';
import { DATABASE_FILE_MODE, type SqliteDatabase } from '../store/database.ts';
import { parseWebhookFormat, type WebhookSource, type WebhookSubscription } from './subscription.ts';

export interface WebhookRow extends WebhookSubscription {
  cursorSeq: number;
  delivered: number;
  createdMs: number;
  updatedMs: number;
}

export interface DeadSummary {
  count: number;
  lastDeadMs: number;
  lastSeq: number;
  lastError: string;
}

export interface DeadDelivery {
  subscriptionId: string;
  seq: number;
  type: string;
  deadMs: number;
  attempts: number;
  error: string;
}

export interface CursorUpdate {
  seq: number;
  /** Deliveries acknowledged since the last save. */
  delivered: number;
}

export interface WebhookStore {
  list(): WebhookRow[];
  get(id: string): WebhookRow | undefined;
  /** (id, updatedMs) of every row: a cheap way for a running service to see edits. */
  versions(): Map<string, number>;
  /** Adds a subscription whose cursor starts at `startAtSeq` (messages after it are delivered). */
  add(subscription: WebhookSubscription, startAtSeq: number): WebhookRow;
  /** Removes a subscription added from the command line; refuses one from the configuration. */
  remove(id: string): boolean;
  /**
   * Makes the configuration's subscriptions the rows of source 'config': new ones start at
   * `startAtSeq`, changed ones keep their cursor, ones no longer configured are removed.
   */
  syncConfig(subscriptions: readonly WebhookSubscription[], startAtSeq: number): void;
  /** Moves several cursors forward in one transaction (one disk sync). */
  saveCursors(updates: ReadonlyMap<string, CursorUpdate>): void;
  /** Records a dead delivery and moves the cursor past it, in one transaction. */
  recordDead(dead: DeadDelivery): void;
  deadSummaries(): Map<string, DeadSummary>;
  /** Forgets dead deliveries recorded before `olderThanMs` (Unix ms); returns how many. */
  pruneDead(olderThanMs: number): number;
  recentDead(id: string, limit: number): DeadDelivery[];
}

interface Row {
  id: string;
  url: string;
  format: string;
  filters: string;
  secret: string | null;
  source: WebhookSource;
  created_ms: number;
  updated_ms: number;
  cursor_seq: number;
  delivered: number;
}

function toRow(row: Row): WebhookRow {
  return {
    id: row.id,
    url: row.url,
    format: parseWebhookFormat(row.format),
    filters: parseStreamFilters(JSON.parse(row.filters)),
    ...(row.secret === null ? {} : { secret: row.secret }),
    source: row.source,
    cursorSeq: row.cursor_seq,
    delivered: row.delivered,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}

/** Narrows the database and its WAL/SHM files to DATABASE_FILE_MODE even when they existed before (openDatabase only sets it on files it creates): they hold webhook secrets. */
export function keepDatabasePrivate(db: SqliteDatabase): void {
  if (db.memory) return;
  for (const path of [db.name, `${db.name}-wal`, `${db.name}-shm`]) {
    try {
      chmodSync(path, DATABASE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export function createWebhookStore(options: { db: SqliteDatabase; clock: Clock }): WebhookStore {
  const { db, clock } = options;
  keepDatabasePrivate(db);
  const columns = 'id, url, format, filters, secret, source, created_ms, updated_ms, cursor_seq, delivered';
  const all = db.prepare(`SELECT ${columns} FROM webhook_subscriptions ORDER BY id`);
  const one = db.prepare(`SELECT ${columns} FROM webhook_subscriptions WHERE id = ?`);
  const versions = db.prepare('SELECT id, updated_ms FROM webhook_subscriptions');
  const insert = db.prepare(
    `INSERT INTO webhook_subscriptions (${columns}) VALUES (@id, @url, @format, @filters, @secret, @source, @now, @now, @cursor, 0)`,
  );
  const update = db.prepare(
    `UPDATE webhook_subscriptions SET url = @url, format = @format, filters = @filters, secret = @secret,
     updated_ms = @now WHERE id = @id`,
  );
  const deleteOne = db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?');
  const deleteDead = db.prepare('DELETE FROM webhook_dead WHERE subscription_id = ?');
  const moveCursor = db.prepare(
    'UPDATE webhook_subscriptions SET cursor_seq = MAX(cursor_seq, ?), delivered = delivered + ? WHERE id = ?',
  );
  const insertDead = db.prepare(
    `INSERT OR REPLACE INTO webhook_dead (subscription_id, seq, type, dead_ms, attempts, error)
     VALUES (@subscriptionId, @seq, @type, @deadMs, @attempts, @error)`,
  );
  const deadSummary = db.prepare(
    `SELECT d.subscription_id AS id, COUNT(*) AS count, MAX(d.dead_ms) AS lastDeadMs, MAX(d.seq) AS lastSeq,
       (SELECT error FROM webhook_dead e WHERE e.subscription_id = d.subscription_id ORDER BY e.seq DESC LIMIT 1) AS lastError
     FROM webhook_dead d GROUP BY d.subscription_id`,
  );
  const pruneDead = db.prepare('DELETE FROM webhook_dead WHERE dead_ms < ?');
  const recentDead = db.prepare(
    `SELECT subscription_id AS subscriptionId, seq, type, dead_ms AS deadMs, attempts, error
     FROM webhook_dead WHERE subscription_id = ? ORDER BY seq DESC LIMIT ?`,
  );

  const params = (s: WebhookSubscription, cursor: number): Record<string, unknown> => ({
    id: s.id,
    url: s.url,
    format: s.format,
    filters: JSON.stringify(s.filters),
    secret: s.secret ?? null,
    source: s.source,
    now: clock.nowMs(),
    cursor,
  });
  const same = (row: WebhookRow, s: WebhookSubscription): boolean =>
    row.url === s.url &&
    row.format === s.format &&
    JSON.stringify(row.filters) === JSON.stringify(s.filters) &&
    row.secret === s.secret;

  const get = (id: string): WebhookRow | undefined => {
    const row = one.get(id) as Row | undefined;
    return row ? toRow(row) : undefined;
  };

  const sync = db.transaction((subscriptions: readonly WebhookSubscription[], startAtSeq: number) => {
    const wanted = new Set(subscriptions.map((s) => s.id));
    for (const row of (all.all() as Row[]).map(toRow)) {
      if (row.source === 'config' && !wanted.has(row.id)) {
        deleteOne.run(row.id);
        deleteDead.run(row.id);
      }
    }
    for (const s of subscriptions) {
      const existing = get(s.id);
      if (!existing) insert.run(params(s, startAtSeq));
      else if (existing.source !== 'config') {
        throw new CoincideError(
          'CONFIG_INVALID',
          `webhook id "${s.id}" of the configuration is already used by a subscription added with \`coincide webhooks add\``,
        );
      } else if (!same(existing, s)) update.run(params(s, existing.cursorSeq));
    }
  });

  const saveCursorsTransaction = db.transaction((updates: ReadonlyMap<string, CursorUpdate>) => {
    for (const [id, u] of updates) moveCursor.run(u.seq, u.delivered, id);
  });
  const configured = Number(db.pragma('synchronous', { simple: true }));
  const NORMAL = 1;
  /**
   * Cursors commit without fsync (synchronous=NORMAL for that transaction, as the event writer
   * does for derived data): in WAL mode the commit still survives a process crash, and the next
   * FULL commit's fsync makes it power-safe. A cursor lost to a power cut only re-delivers
   * messages (same Idempotency-Key); an fsync per batch on the event loop would delay the stream.
   */
  const saveCursors = (updates: ReadonlyMap<string, CursorUpdate>): void => {
    if (db.memory || configured <= NORMAL) {
      saveCursorsTransaction(updates);
      return;
    }
    db.pragma(`synchronous = ${NORMAL}`);
    try {
      saveCursorsTransaction(updates);
    } finally {
      db.pragma(`synchronous = ${configured}`);
    }
  };
  const recordDead = db.transaction((dead: DeadDelivery) => {
    insertDead.run(dead);
    moveCursor.run(dead.seq, 0, dead.subscriptionId);
  });

  return {
    list: () => (all.all() as Row[]).map(toRow),
    get,
    versions: () =>
      new Map((versions.all() as Array<{ id: string; updated_ms: number }>).map((r) => [r.id, r.updated_ms])),
    add(subscription, startAtSeq) {
      if (get(subscription.id)) {
        throw new CoincideError('CONFIG_INVALID', `a webhook with id "${subscription.id}" already exists`);
      }
      insert.run(params(subscription, startAtSeq));
      keepDatabasePrivate(db);
      return get(subscription.id) as WebhookRow;
    },
    remove(id) {
      const existing = get(id);
      if (!existing) return false;
      if (existing.source === 'config') {
        throw new CoincideError(
          'CONFIG_INVALID',
          `webhook "${id}" is defined in the configuration; remove it there`,
        );
      }
      db.transaction(() => {
        deleteOne.run(id);
        deleteDead.run(id);
      })();
      return true;
    },
    syncConfig(subscriptions, startAtSeq) {
      sync(subscriptions, startAtSeq);
      keepDatabasePrivate(db);
    },
    saveCursors(updates) {
      if (updates.size > 0) saveCursors(updates);
    },
    recordDead(dead) {
      recordDead(dead);
    },
    deadSummaries: () =>
      new Map(
        (deadSummary.all() as Array<DeadSummary & { id: string }>).map(({ id, ...summary }) => [id, summary]),
      ),
    pruneDead: (olderThanMs) => pruneDead.run(olderThanMs).changes,
    recentDead: (id, limit) => recentDead.all(id, limit) as DeadDelivery[],
  };
}

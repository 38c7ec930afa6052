/**
 * The durable outbox: every message the service sends to clients (notice, coincidence,
 * withdrawn) is first appended here, in SQLite, and gets its `seq` from the row id.
 *
 * A WebSocket client that reconnects (or finds the server restarted) sends `since: seq` and
 * is replayed every row after it: no gap, no duplicate. Rows are committed (WAL,
 * synchronous=FULL) before they are broadcast, so a seq a client has seen survives a crash.
 * seq comes from an AUTOINCREMENT key, so it increases monotonically and is never reused,
 * even after pruning.
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../store/database.ts';
import type { Clock } from '../clock.ts';

export type OutboxMessageType = 'notice' | 'coincidence' | 'withdrawn';
/** Prepared query statements kept (one per SQL text). */
const MAX_STATEMENTS = 64;
const MESSAGE_TYPES: readonly OutboxMessageType[] = ['notice', 'coincidence', 'withdrawn'];

export interface OutboxRecord {
  seq: number;
  type: OutboxMessageType;
  /** The message's data, as the JSON text that was stored (sent verbatim to clients). */
  json: string;
  createdMs: number;
  /**
   * Cluster mode's merged stream only (src/cluster/merged-stream.ts): where the message is in the
   * output topics ("topic/partition" and offset) and the stream cursor vector after it (JSON).
   */
  position?: { part: string; offset: number; vector: string };
}

export interface OutboxQuery {
  /** Only rows with seq > afterSeq. */
  afterSeq?: number;
  /** Only rows with seq < beforeSeq. */
  beforeSeq?: number;
  /** The highest seqs first (ORDER BY seq DESC): the newest `limit` rows instead of the oldest. */
  newestFirst?: boolean;
  /** Only rows of these triggers (one query for many: the console's first page asks for a thousand). */
  triggerIds?: readonly string[];
  /** Of the rows that match, only the latest (highest seq) of each trigger. */
  latestPerTrigger?: boolean;
  types?: readonly OutboxMessageType[];
  triggerId?: string;
  /** Only rows created at or after this time (Unix ms). */
  sinceMs?: number;
  limit?: number;
  /**
   * Rows without their data: `json` is '' (for a caller that keeps the data by seq, as the
   * console's compact records do: reading 10,000 rows' keys takes 9 ms, with their JSON 56-83 ms).
   */
  withoutJson?: boolean;
}

export interface Outbox {
  /** Appends one message durably and returns its record (with its new seq). */
  append(type: OutboxMessageType, data: unknown, triggerId?: string): OutboxRecord;
  /**
   * Appends several messages in ONE transaction (one disk sync instead of one per message:
   * a notice that matches hundreds of buffered alerts must not block for hundreds of syncs).
   */
  appendMany(
    items: ReadonlyArray<{ type: OutboxMessageType; data: unknown; triggerId?: string }>,
  ): OutboxRecord[];
  /** Rows after `afterSeq`, in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): OutboxRecord[];
  /** The highest seq ever assigned (0 when empty). */
  lastSeq(): number;
  query(query: OutboxQuery): OutboxRecord[];
  /** Deletes rows older than `olderThanMs`; returns how many. seqs are never reused. */
  prune(olderThanMs: number): number;
}

interface Row {
  seq: number;
  type: OutboxMessageType;
  json: string;
  created_ms: number;
}

function toRecord(row: Row): OutboxRecord {
  return { seq: row.seq, type: row.type, json: row.json, createdMs: row.created_ms };
}

/** JSON with BigInt as decimal strings (64-bit ids must never pass through a double). */
export function toJson(data: unknown): string {
  return JSON.stringify(data, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

/**
 * The SELECT of an OutboxQuery over an outbox-shaped table (columns seq, type, trigger_id,
 * created_ms; also cluster mode's merged stream, src/cluster/merged-stream.ts).
 */
export function outboxQuerySql(
  table: string,
  columns: string,
  query: OutboxQuery,
): { sql: string; params: Array<string | number> } {
  const where: string[] = ['seq > ?'];
  const params: Array<string | number> = [query.afterSeq ?? 0];
  // Every row has one of the message types: asking for all of them filters nothing, and without
  // the filter SQLite walks the key in seq order instead of reading every row to sort them.
  const everyType = MESSAGE_TYPES.every((type) => query.types?.includes(type) === true);
  if (query.types && query.types.length > 0 && !everyType) {
    where.push(`type IN (${query.types.map(() => '?').join(', ')})`);
    params.push(...query.types);
  }
  if (query.triggerId !== undefined) {
    where.push('trigger_id = ?');
    params.push(query.triggerId);
  }
  if (query.triggerIds !== undefined) {
    where.push('trigger_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.triggerIds));
  }
  if (query.sinceMs !== undefined) {
    where.push('created_ms >= ?');
    params.push(query.sinceMs);
  }
  if (query.beforeSeq !== undefined) {
    where.push('seq < ?');
    params.push(query.beforeSeq);
  }
  const limit = Math.max(1, Math.min(query.limit ?? 1000, 10_000));
  const order = query.newestFirst === true ? 'seq DESC' : 'seq';
  const condition =
    query.latestPerTrigger === true
      ? `seq IN (SELECT MAX(seq) FROM ${table} WHERE ${where.join(' AND ')} GROUP BY trigger_id)`
      : where.join(' AND ');
  const selected =
    query.withoutJson === true
      ? columns
          .split(',')
          .map((column) => (column.trim() === 'json' ? "'' AS json" : column.trim()))
          .join(', ')
      : columns;
  return {
    sql: `SELECT ${selected} FROM ${table} WHERE ${condition} ORDER BY ${order} LIMIT ${limit}`,
    params,
  };
}

export function createOutbox(options: { db: SqliteDatabase; clock: Clock }): Outbox {
  const { db, clock } = options;
  const insert = db.prepare(
    'INSERT INTO serve_outbox (type, json, trigger_id, created_ms) VALUES (?, ?, ?, ?) RETURNING seq',
  );
  const after = db.prepare(
    'SELECT seq, type, json, created_ms FROM serve_outbox WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  // sqlite_sequence keeps the AUTOINCREMENT high-water mark even when every row is pruned.
  const last = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'serve_outbox'");
  const prune = db.prepare('DELETE FROM serve_outbox WHERE created_ms < ?');
  const statements = new Map<string, Statement>();

  const append = (type: OutboxMessageType, data: unknown, triggerId?: string): OutboxRecord => {
    const json = toJson(data);
    const createdMs = clock.nowMs();
    const row = insert.get(type, json, triggerId ?? null, createdMs) as { seq: number };
    return { seq: row.seq, type, json, createdMs };
  };
  const appendAll = db.transaction(
    (items: ReadonlyArray<{ type: OutboxMessageType; data: unknown; triggerId?: string }>): OutboxRecord[] =>
      items.map((item) => append(item.type, item.data, item.triggerId)),
  );

  return {
    append,
    appendMany: (items) => (items.length === 0 ? [] : appendAll(items)),
    readAfter(afterSeq, limit) {
      return (after.all(afterSeq, limit) as Row[]).map(toRecord);
    },
    lastSeq() {
      const row = last.get() as { seq: number } | undefined;
      return row?.seq ?? 0;
    },
    query(query) {
      const { sql, params } = outboxQuerySql('serve_outbox', 'seq, type, json, created_ms', query);
      let statement = statements.get(sql);
      if (statement === undefined) {
        // A handful of shapes (conditions and limit) in use: prepared once each, not per call
        // (the console's first page asks for a thousand triggers' latest notices in a row).
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return (statement.all(...params) as Row[]).map(toRecord);
    },
    prune(olderThanMs) {
      return prune.run(olderThanMs).changes;
    },
  };
}

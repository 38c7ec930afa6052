/**
 * Tables of the `coincide serve` area: the durable outbox behind WebSocket resume, the API
 * tokens (hashes only), and the last VOEvent sent for each coincidence (so a withdrawal can
 * cite it).
 */
import type { Migration } from './migration.ts';

export const SERVE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'serve-001-outbox',
    // AUTOINCREMENT: a seq is never reused, even after the oldest rows are pruned, so a
    // client's `since` always means the same position.
    sql: `CREATE TABLE serve_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL,
      json TEXT NOT NULL,
      trigger_id TEXT,
      created_ms INTEGER NOT NULL
    );
    CREATE INDEX serve_outbox_type_seq ON serve_outbox (type, seq);
    CREATE INDEX serve_outbox_trigger ON serve_outbox (trigger_id, seq);
    CREATE INDEX serve_outbox_created ON serve_outbox (created_ms);`,
  },
  {
    id: 'serve-002-tokens',
    sql: `CREATE TABLE serve_tokens (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL UNIQUE,
      created_ms INTEGER NOT NULL,
      revoked_ms INTEGER
    );`,
  },
  {
    id: 'serve-003-voevent-out',
    sql: `CREATE TABLE serve_voevent_out (
      coincidence_id TEXT PRIMARY KEY,
      ivorn TEXT NOT NULL,
      seq INTEGER NOT NULL
    );`,
  },
  {
    id: 'serve-004-sink-cursors',
    // The last outbox seq each relayed sink (e.g. Kafka) has delivered: a restart resumes after it.
    sql: `CREATE TABLE serve_sink_cursors (
      sink TEXT PRIMARY KEY,
      seq INTEGER NOT NULL
    );`,
  },
];

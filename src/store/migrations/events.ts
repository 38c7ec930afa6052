/**
 * Tables of the VTP / ingest area: raw events exactly as received, and their normalised Notices.
 *
 * events.sha256 (SHA-256 of the payload bytes, lowercase hex) is UNIQUE: it is the de-duplication
 * key (VTP 2.0 §8 "the same message" is byte identity; Comet keys on a hash of the whole payload).
 * events.normalised = 0 marks an acked event whose normalisation has not been done yet.
 */
import type { Migration } from './migration.ts';

export const EVENT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'vtp-001-events',
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        ivorn TEXT NOT NULL,
        role TEXT NOT NULL,
        bytes BLOB NOT NULL,
        received_at_ms INTEGER NOT NULL,
        peer TEXT NOT NULL,
        input TEXT NOT NULL
      );
      CREATE INDEX events_ivorn ON events (ivorn);
      CREATE INDEX events_received_at ON events (received_at_ms);
      CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        ivorn TEXT NOT NULL,
        trigger_id TEXT NOT NULL,
        revision INTEGER,
        notice_type TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX notices_trigger_id ON notices (trigger_id, received_at_ms);
      CREATE INDEX notices_ivorn ON notices (ivorn);
      CREATE INDEX notices_event_id ON notices (event_id);
    `,
  },
  {
    // Normalisation runs after the ack (src/ingest/ingest-event.ts): the raw event row is the
    // durable record, and `normalised` = 0 marks one whose Notice is still to be made. Rows that
    // existed before were normalised inline, hence DEFAULT 1. The partial index keeps the start-up
    // scan for pending rows cheap (it holds only the few pending ones).
    id: 'vtp-002-pending-normalisation',
    sql: `
      ALTER TABLE events ADD COLUMN normalised INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX events_pending_normalisation ON events (id) WHERE normalised = 0;
    `,
  },
];

/**
 * Tables of the Fink area.
 *
 * join_optical_details: the alert values a coincidence carries besides the join fields
 * (magnitudes, ZTF rb, Fink's added values: src/store/optical-buffer.ts), one row per buffered
 * object, for the alert the buffer keeps (same keep-the-earliest rule). Apart from
 * join_optical_buffer so that the backward join's range scans keep reading narrow rows; read by
 * object key only for the alerts a join matched.
 */
import type { Migration } from './migration.ts';

export const FINK_MIGRATIONS: readonly Migration[] = [
  {
    id: 'fink-001-optical-details',
    sql: `
      CREATE TABLE join_optical_details (
        object_key TEXT PRIMARY KEY,
        first_detection_mjd REAL NOT NULL,
        time_mjd REAL NOT NULL,
        alert_id TEXT NOT NULL,
        details TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX join_optical_details_time ON join_optical_details (first_detection_mjd);
    `,
  },
];

/**
 * Tables of the join area.
 *
 * join_optical_buffer: the optical buffer (src/store/optical-buffer.ts): one row per optical
 * object (survey:objectId) holding the join fields of its earliest qualifying alert, indexed by HEALPix cell
 * (NESTED, order 6) and first-detection time (MJD) for backward joins, and by first-detection
 * time alone for retention.
 */
import type { Migration } from './migration.ts';

export const JOIN_MIGRATIONS: readonly Migration[] = [
  {
    id: 'join-001-optical-buffer',
    sql: `
      CREATE TABLE join_optical_buffer (
        object_key TEXT PRIMARY KEY,
        cell INTEGER NOT NULL,
        first_detection_mjd REAL NOT NULL,
        time_mjd REAL NOT NULL,
        alert_id TEXT NOT NULL,
        alert_json TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX join_optical_buffer_cell_time ON join_optical_buffer (cell, first_detection_mjd);
      CREATE INDEX join_optical_buffer_time ON join_optical_buffer (first_detection_mjd);
    `,
  },
  {
    // The buffer is a cache of the optical stream: rebuilt with only the fields the backward join
    // reads (no JSON per row: 5× smaller rows, no stringify/parse).
    id: 'join-002-optical-buffer-columns',
    sql: `
      DROP TABLE join_optical_buffer;
      CREATE TABLE join_optical_buffer (
        object_key TEXT PRIMARY KEY,
        cell INTEGER NOT NULL,
        first_detection_mjd REAL NOT NULL,
        time_mjd REAL NOT NULL,
        alert_id TEXT NOT NULL,
        ra_deg REAL NOT NULL,
        dec_deg REAL NOT NULL,
        band TEXT NOT NULL,
        reliability REAL
      ) WITHOUT ROWID;
      CREATE INDEX join_optical_buffer_cell_time ON join_optical_buffer (cell, first_detection_mjd);
      CREATE INDEX join_optical_buffer_time ON join_optical_buffer (first_detection_mjd);
    `,
  },
];

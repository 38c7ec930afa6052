/**
 * Tables of the join area.
 *
 * join_optical_buffer: the optical buffer (src/store/optical-buffer.ts): one row per optical
 * object (survey:objectId) holding the join fields of its earliest qualifying alert, stored in
 * (HEALPix cell (NESTED, order 6), first-detection time (MJD)) order for backward joins, unique
 * by object key for the per-object upsert, and indexed by first-detection time for retention.
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
  {
    // Clustered by (cell, first detection): a backward join reads each cell range of a region's
    // cover as one contiguous run of table pages. Keyed by object, each candidate row cost one
    // more B-tree descent into the table (10M rows: ~8 µs a row, most of a join's latency).
    id: 'join-003-optical-buffer-clustered',
    sql: `
      CREATE TABLE join_optical_buffer_clustered (
        object_key TEXT NOT NULL UNIQUE,
        cell INTEGER NOT NULL,
        first_detection_mjd REAL NOT NULL,
        time_mjd REAL NOT NULL,
        alert_id TEXT NOT NULL,
        ra_deg REAL NOT NULL,
        dec_deg REAL NOT NULL,
        band TEXT NOT NULL,
        reliability REAL,
        PRIMARY KEY (cell, first_detection_mjd, object_key)
      ) WITHOUT ROWID;
      INSERT INTO join_optical_buffer_clustered
        (object_key, cell, first_detection_mjd, time_mjd, alert_id, ra_deg, dec_deg, band, reliability)
        SELECT object_key, cell, first_detection_mjd, time_mjd, alert_id, ra_deg, dec_deg, band, reliability
        FROM join_optical_buffer ORDER BY cell, first_detection_mjd, object_key;
      DROP TABLE join_optical_buffer;
      ALTER TABLE join_optical_buffer_clustered RENAME TO join_optical_buffer;
      CREATE INDEX join_optical_buffer_time ON join_optical_buffer (first_detection_mjd);
    `,
  },
];

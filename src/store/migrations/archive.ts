/**
 * Tables of the archive area (src/archive): a search index over the stored notices, derived
 * from the `notices` table (never the source of truth: it can be rebuilt from it).
 *
 * archive_notices: one row per stored notice (notice_id = notices.id) with the searchable
 *   fields as columns. received_at_ms is when the notice was first received anywhere (for an
 *   import: the time in the export, else the publication time); events.received_at_ms is when
 *   this store got it (retention runs on that).
 * archive_mocs: the credible region of each notice at each indexed level (percent), as
 *   normalised order-29 HEALPix ranges, little-endian uint64 pairs [start, end).
 * archive_moc_index: an R*-tree (SQLite rtree_i32) of the same regions as cell ranges at
 *   order ≤ 10 (12·4^10 < 2^31 cells, so exact 32-bit integers), one row per range, the level
 *   as a second dimension; its id is notice_id·1024 + k, so a row names its notice and a
 *   notice's rows are found by id. Position queries probe it (no scan), then check candidates
 *   against archive_mocs.
 *   Since archive-004 each row also says whether its cells lie wholly inside the region
 *   (`inside`, an auxiliary column): a query touching such a row needs no exact test.
 * archive_caps (archive-004): the bounding cap of each region (src/archive/region-cap.ts):
 *   centre unit vector (x, y, z), radius and its cosine and sine, for position queries that
 *   match too many regions for the R*-tree to be the faster path. Keyed by level and trigger
 *   time (a copy of archive_notices'), so that such a query reads it in one ordered pass.
 * archive_state: the archive's cursors (the last notices.id indexed; while the R*-tree is
 *   rebuilt from archive_mocs after archive-004, the last notice_id rebuilt).
 * archive_refs: what links a notice to other triggers (src/archive/notice-refs.ts): its own
 *   identities (ivorn, trigger id, event name) and its references (cited ivorns, the external
 *   trigger of an LVK coincidence, a GCN ref_ID), as (kind, value) rows; two triggers sharing a
 *   row are linked. Indexed by (kind, value) for the links and by trigger for the walk.
 * archive_coincidences: every coincidence and withdrawal the service published (copied from the
 *   outbox, which is pruned, by seq), with the trigger ids on both sides for the event groups.
 * archive_imports: events loaded by `coincide archive import`: when each was first received
 *   (from an export's metadata, else its publication time) and where it was imported from.
 */
import type { Migration } from './migration.ts';

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'archive-001-notice-index',
    sql: `
      CREATE TABLE archive_notices (
        notice_id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL,
        trigger_id TEXT NOT NULL,
        event_name TEXT,
        ivorn TEXT NOT NULL,
        role TEXT NOT NULL,
        messenger TEXT NOT NULL,
        observatory TEXT NOT NULL,
        instrument TEXT NOT NULL,
        notice_type TEXT NOT NULL,
        alert_type TEXT NOT NULL,
        revision INTEGER,
        trigger_time_mjd REAL NOT NULL,
        received_at_ms INTEGER NOT NULL,
        far_hz REAL,
        p_astro REAL,
        region_type TEXT NOT NULL,
        moc_status TEXT NOT NULL
      );
      CREATE INDEX archive_notices_trigger_time ON archive_notices (trigger_time_mjd, notice_id);
      CREATE INDEX archive_notices_received ON archive_notices (received_at_ms);
      CREATE INDEX archive_notices_trigger ON archive_notices (trigger_id, alert_type);
      CREATE INDEX archive_notices_event_name ON archive_notices (event_name);
      CREATE INDEX archive_notices_event ON archive_notices (event_id);
      CREATE TABLE archive_mocs (
        notice_id INTEGER NOT NULL,
        level_pct INTEGER NOT NULL,
        ranges BLOB NOT NULL,
        index_rows INTEGER NOT NULL,
        PRIMARY KEY (notice_id, level_pct)
      ) WITHOUT ROWID;
      CREATE VIRTUAL TABLE archive_moc_index USING rtree_i32(id, min_level, max_level, min_cell, max_cell);
      CREATE TABLE archive_state (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    id: 'archive-002-imports',
    sql: `
      CREATE TABLE archive_imports (
        event_id INTEGER PRIMARY KEY,
        original_received_ms INTEGER NOT NULL,
        source TEXT NOT NULL
      );
    `,
  },
  {
    id: 'archive-003-event-groups',
    sql: `
      CREATE TABLE archive_refs (
        notice_id INTEGER NOT NULL,
        trigger_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (kind, value, trigger_id, notice_id)
      ) WITHOUT ROWID;
      CREATE INDEX archive_refs_trigger ON archive_refs (trigger_id);
      CREATE TABLE archive_coincidences (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        pair_type TEXT NOT NULL,
        tier TEXT,
        trigger_id TEXT NOT NULL,
        counterpart_trigger_id TEXT,
        created_ms INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX archive_coincidences_id ON archive_coincidences (id, seq);
      CREATE INDEX archive_coincidences_trigger ON archive_coincidences (trigger_id);
      CREATE INDEX archive_coincidences_counterpart ON archive_coincidences (counterpart_trigger_id);
    `,
  },
];

/** Appended after every earlier area's migrations (archive-004 came later than them). */
export const ARCHIVE_SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    // The R*-tree with an `inside` flag per row (src/archive/moc-ranges.ts indexRows), and the
    // bounding cap of each region (region-cap.ts). Both are derived from archive_mocs:
    // archive-index.ts rebuilds them from the stored ranges, by notice_id from the cursor set
    // here, before it indexes anything new.
    id: 'archive-004-moc-index-inside',
    sql: `
      DROP TABLE archive_moc_index;
      CREATE VIRTUAL TABLE archive_moc_index USING rtree_i32(id, min_level, max_level, min_cell, max_cell, +inside);
      CREATE TABLE archive_caps (
        level_pct INTEGER NOT NULL,
        trigger_time_mjd REAL NOT NULL,
        notice_id INTEGER NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        z REAL NOT NULL,
        radius_rad REAL NOT NULL,
        cos_radius REAL NOT NULL,
        sin_radius REAL NOT NULL,
        PRIMARY KEY (level_pct, trigger_time_mjd, notice_id)
      ) WITHOUT ROWID;
      CREATE INDEX archive_caps_notice ON archive_caps (notice_id);
      INSERT OR REPLACE INTO archive_state (key, value) VALUES ('moc-index-rebuilt-notice-id', 0);
    `,
  },
];

/**
 * Tables of cluster mode (src/app/cluster.ts, docs/scaling.md):
 * - cluster_instance: this instance's id when none is configured (a random id, kept so that a
 *   restarted instance finds its own consumer groups again);
 * - cluster_buffer_owner: which optical topic partition each buffered object came from, so
 *   that a revoked partition's rows can be dropped from join_optical_buffer;
 * - cluster_stream: the merged output stream (notices and coincidences read back from the
 *   output topics), what WebSocket and REST serve in cluster mode; `part` is "topic/partition",
 *   `off` the message offset, `vector` the stream cursor (highest offset per part) after the row;
 * - cluster_stream_seen: (part, record id, content digest) of every row kept, so that a repeat
 *   with identical content (another instance's copy) is recognised as a duplicate.
 */
import type { Migration } from './migration.ts';

export const CLUSTER_MIGRATIONS: readonly Migration[] = [
  {
    id: 'cluster-001-instance-buffer-stream',
    sql: `CREATE TABLE cluster_instance (id TEXT NOT NULL);
    CREATE TABLE cluster_buffer_owner (
      object_key TEXT PRIMARY KEY,
      part TEXT NOT NULL,
      first_detection_mjd REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX cluster_buffer_owner_part ON cluster_buffer_owner (part);
    CREATE INDEX cluster_buffer_owner_time ON cluster_buffer_owner (first_detection_mjd);
    CREATE TABLE cluster_stream (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL,
      json TEXT NOT NULL,
      trigger_id TEXT,
      created_ms INTEGER NOT NULL,
      part TEXT NOT NULL,
      off INTEGER NOT NULL,
      vector TEXT NOT NULL
    );
    CREATE INDEX cluster_stream_type_seq ON cluster_stream (type, seq);
    CREATE INDEX cluster_stream_trigger ON cluster_stream (trigger_id, seq);
    CREATE INDEX cluster_stream_created ON cluster_stream (created_ms);
    CREATE INDEX cluster_stream_part_off ON cluster_stream (part, off);
    CREATE TABLE cluster_stream_seen (
      part TEXT NOT NULL,
      id TEXT NOT NULL,
      digest TEXT NOT NULL,
      PRIMARY KEY (part, id, digest)
    ) WITHOUT ROWID;`,
  },
];

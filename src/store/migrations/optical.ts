/**
 * Tables of the optical inputs' progress (exactly-once from an optical file to the stream).
 *
 * optical_files: one row per alert file of `--optical-path` that the service has read from,
 *   keyed by its path. `signature` is the file's size and modification time when it was read
 *   ("size:mtimeMs"); `alerts_done` how many of its alerts (in file order) have been joined, with
 *   their coincidences appended to the outbox and the alerts in the optical buffer, in the same
 *   transaction that sets it (src/store/optical-files.ts); `done` 1 once all of them have. After a
 *   restart, a file with the same signature resumes at `alerts_done` (skipped when done); a file
 *   whose signature changed is read again from its first alert.
 */
import type { Migration } from './migration.ts';

export const OPTICAL_MIGRATIONS: readonly Migration[] = [
  {
    id: 'optical-001-file-progress',
    sql: `
      CREATE TABLE optical_files (
        path TEXT PRIMARY KEY,
        signature TEXT NOT NULL,
        alerts_done INTEGER NOT NULL,
        done INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

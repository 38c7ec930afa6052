/**
 * How far the service has read each optical alert file (table optical_files,
 * migrations/optical.ts). `position` is where to resume a file after a restart; `mark` records
 * progress and must run inside the transaction that appends the coincidences of those alerts
 * and writes them to the optical buffer (app.ts, `onOpticalFileChunk`), so that after a crash a
 * file resumes exactly after the last alert whose outputs are committed: none is joined twice,
 * none is skipped.
 */
import type { SqliteDatabase } from './database.ts';

/** Where to resume a file: 'done', or the index of its first alert not yet joined. */
export type OpticalFilePosition = number | 'done';

export interface OpticalFileMark {
  path: string;
  /** "size:mtimeMs" of the file as read. */
  signature: string;
  alertsDone: number;
  done: boolean;
}

export interface OpticalFiles {
  /** 0 for a file never read, or read with another signature (rewritten: read again). */
  position(path: string, signature: string): OpticalFilePosition;
  /** Records progress; call it inside the transaction that commits those alerts' outputs. */
  mark(mark: OpticalFileMark, nowMs: number): void;
}

export function createOpticalFiles(db: SqliteDatabase): OpticalFiles {
  const select = db.prepare('SELECT signature, alerts_done, done FROM optical_files WHERE path = ?');
  const upsert = db.prepare(`
    INSERT INTO optical_files (path, signature, alerts_done, done, updated_at_ms) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (path) DO UPDATE SET signature = excluded.signature, alerts_done = excluded.alerts_done,
      done = excluded.done, updated_at_ms = excluded.updated_at_ms`);
  return {
    position(path, signature) {
      const row = select.get(path) as { signature: string; alerts_done: number; done: number } | undefined;
      if (!row || row.signature !== signature) return 0;
      return row.done === 1 ? 'done' : row.alerts_done;
    },
    mark(mark, nowMs) {
      upsert.run(mark.path, mark.signature, mark.alertsDone, mark.done ? 1 : 0, nowMs);
    },
  };
}

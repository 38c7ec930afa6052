/**
 * Opening the one SQLite file (better-sqlite3) in WAL mode and bringing its schema up to date.
 *
 * Durability: WAL with synchronous=FULL, so a committed transaction survives a process kill
 * and a power cut; an event is acknowledged only after its INSERT has committed.
 *
 * Privacy: the file holds private alerts and token hashes, so a new database is created 0600
 * (owner only); SQLite creates its -wal and -shm files with the database file's permissions.
 */
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CoincideError } from '../errors.ts';
import { ALL_MIGRATIONS, type Migration } from './migrations/index.ts';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** Path of the SQLite file, or ':memory:'. */
  path: string;
  readonly?: boolean;
  migrations?: readonly Migration[];
  /** Milliseconds to wait on a locked database before failing. */
  busyTimeoutMs?: number;
}

/** Owner read/write only. */
export const DATABASE_FILE_MODE = 0o600;

/** Creates the database file 0600 when it does not exist yet (an existing file keeps its mode). */
function createPrivateFile(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  try {
    // O_CREAT | O_EXCL: only a file this call creates gets the mode; umask can only narrow it.
    closeSync(openSync(path, 'wx', DATABASE_FILE_MODE));
  } catch {
    // EEXIST: an existing database. Anything else (no such folder, no permission) is left for
    // SQLite's open below to report as it always has.
  }
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  if (!(options.readonly ?? false)) createPrivateFile(options.path);
  const db = new Database(options.path, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, options.migrations ?? ALL_MIGRATIONS);
  }
  return db;
}

/**
 * Applies, in list order, every migration whose id is not yet recorded in `schema_migrations`.
 * Each migration runs in its own transaction with its id recorded, so a crash leaves either
 * the old or the new schema, never half of one.
 */
export function applyMigrations(db: SqliteDatabase, migrations: readonly Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(
    db
      .prepare('SELECT id FROM schema_migrations')
      .all()
      .map((row) => (row as { id: string }).id),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.id, new Date().toISOString());
      })();
    } catch (cause) {
      throw new CoincideError('STORE_MIGRATION', `migration ${migration.id} failed`, { cause });
    }
    newlyApplied.push(migration.id);
  }
  return newlyApplied;
}

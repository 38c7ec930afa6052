/**
 * A real ingest path for GCN tests: a temp SQLite file, the event store, and the shared
 * ingestor with the same VOEvent normaliser as the app (src/app.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { createEventIngestor, type EventIngestor } from '../../src/ingest/ingest-event.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';

export interface TempIngest {
  dir: string;
  dbPath: string;
  db: SqliteDatabase;
  store: EventStore;
  ingestor: EventIngestor;
  /** Notices handed downstream (onNotice), in order. */
  notices: Notice[];
  close(): void;
}

/** The app's normaliser (src/app.ts): VOEvent XML or GCN/LVK JSON, by the first byte. */
export function normaliseLikeTheApp(bytes: Buffer): Notice {
  return parseNoticeDocument(bytes);
}

export function openIngest(dbPath?: string): TempIngest {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-gcn-'));
  const path = dbPath ?? join(dir, 'coincide.db');
  const db = openDatabase({ path });
  const store = new EventStore({ db });
  const notices: Notice[] = [];
  const ingestor = createEventIngestor({
    store,
    normalise: normaliseLikeTheApp,
    logger: silentLogger,
    clock: systemClock,
    onNotice: (notice) => {
      notices.push(notice);
    },
  });
  return {
    dir,
    dbPath: path,
    db,
    store,
    ingestor,
    notices,
    close() {
      store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A distinct, valid VOEvent: a real sample with its ivorn (and so its bytes) made unique. */
export function variantOf(sample: Buffer, n: number): Buffer {
  const text = sample.toString('utf8');
  const changed = text.replace(/ivorn="([^"]+)"/, (_m, ivorn: string) => `ivorn="${ivorn}_v${n}"`);
  if (changed === text) throw new Error('the sample has no ivorn attribute');
  return Buffer.from(changed, 'utf8');
}

/** Polls until the predicate holds (bounded: fails after timeoutMs). */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

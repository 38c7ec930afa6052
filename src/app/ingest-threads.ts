/**
 * The service's event store and normalisation thread, connected (issue 14).
 *
 * Commits run in a writer thread (store/event-writer.ts): fsync never stalls the event loop, and
 * submissions that arrive during a commit share the next one. VOEvents are normalised after
 * their ack by the normalisation thread, at nice 10 (ingest/normalisation-thread.ts), to which
 * the writer thread hands each event it has committed, over a port of their own
 * (store/event-normalisation.ts): the main thread relays nothing between them. The same thread
 * normalises, for the main thread, JSON notices before they are stored and the events a crash
 * left pending. An in-memory database has no writer thread: the ingest path relays then.
 */
import { MessageChannel } from 'node:worker_threads';
import { createThreadedNormaliser, type ThreadedNormaliser } from '../ingest/normalisation-thread.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { EventStore } from '../store/event-store.ts';

export interface IngestThreads {
  store: EventStore;
  normaliser: ThreadedNormaliser;
}

export function createIngestThreads(db: SqliteDatabase): IngestThreads {
  if (db.memory)
    return { store: new EventStore({ db, writer: 'inline' }), normaliser: createThreadedNormaliser() };
  const channel = new MessageChannel();
  // The normalisation thread first, so that its start-up overlaps the writer's.
  const normaliser = createThreadedNormaliser({ writerPort: channel.port2 });
  return { store: new EventStore({ db, writer: 'thread', normaliser: channel.port1 }), normaliser };
}

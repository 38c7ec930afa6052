/**
 * Bulk loading of past notices into the archive (`coincide archive import`): files, folders,
 * tar archives (an export of this archive included) or a GCN Kafka topic from a time.
 *
 * Each document is prepared (import-prepare.ts: normalised by the parser the live ingest uses,
 * and, when an archive index is given and the region needs no sky map, its index data derived)
 * and stored as an event and its notice, de-duplicated by SHA-256 like live events, with its
 * index rows, many documents per transaction. Preparing is CPU work: with `threads` > 0, the
 * threads (import-pool.ts) start at the POOL_START_DOCUMENTS-th document, this thread preparing
 * every document while they start (at most POOL_MIN_DOCUMENTS); after that documents go in runs
 * to the threads while they have fewer than RUNS_PER_THREAD runs each in flight, and this thread
 * prepares the other runs itself between its writes (it never waits while there is a run to
 * prepare): the work balances itself between the threads and this one. Results are written in
 * input order.
 * Imported notices are stored marked delivered (notices.outbox_seq = 0, joined = 1;
 * migrations/trust.ts): they never reach the live stream and never join live, so a running or
 * restarted service emits no coincidence for them. The archive index's next catch-up passes
 * over the notices indexed here and indexes the others (sky maps, whose maps it loads).
 *
 * Times: events.received_at_ms is the import time (retention counts from it); the time the
 * notice was first received (an export's `coincide.receivedAtMs`, else the document's
 * publication time, else its trigger time) goes to archive_imports and is what archive searches
 * on received time see.
 * Documents that are not notices are skipped and counted; unreadable ones are reported to
 * `onFailure` and counted, never stop the import.
 */
import type { Notice } from '../notices/notice.ts';
import type { InputDocument } from '../replay/inputs.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { ArchiveIndex } from './archive-index.ts';
import {
  PAX_INPUT,
  PAX_PEER,
  PAX_RECEIVED_MS,
  PreparedRegionCache,
  prepareImportDocument,
  preparedNotice,
  type PreparedDocument,
  type PreparedNotice,
} from './import-prepare.ts';
import { createImportPool, type ImportPool } from './import-pool.ts';

export { PAX_INPUT, PAX_PEER, PAX_RECEIVED_MS };

/** The document at which the pool's threads are started (a small import never starts them). */
export const POOL_START_DOCUMENTS = 64;
/**
 * Documents prepared in the calling thread at most before the pool takes over: while its threads
 * start (~0.1–0.5 s) this thread prepares every run itself, up to this document, then waits for them.
 */
export const POOL_MIN_DOCUMENTS = 256;
/** Documents per request to a thread. */
const DOCUMENTS_PER_RUN = 32;
/**
 * Runs in flight per pool thread before this thread prepares the next run itself: enough to keep
 * a thread busy while this one writes a batch (DEFAULT_BATCH_SIZE documents, one transaction).
 */
const RUNS_PER_THREAD = 4;
/**
 * Documents per transaction by default: the writes of a batch run at once in this thread (one
 * synchronous transaction: the database is never left locked while the import waits for its
 * input), so a batch is kept short for the pool's threads to stay busy meanwhile; each commit
 * is one fsync.
 */
const DEFAULT_BATCH_SIZE = 256;

export interface ImportSummary {
  documents: number;
  stored: number;
  duplicates: number;
  notNotices: number;
  failures: number;
}

/** A notice this import stored. */
export interface ImportedNotice {
  noticeId: number;
  notice: Notice;
  /** When it was first received (archive_imports.original_received_ms). */
  originalMs: number;
  /** The stored event's bytes. */
  bytes: Buffer;
  name: string;
}

export interface ImportOptions {
  db: SqliteDatabase;
  /** Import time (events.received_at_ms). */
  nowMs: () => number;
  /** Where the documents come from (archive_imports.source). */
  source: string;
  /** Documents per transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /**
   * Indexes the notices as they are stored (their index rows in the same transaction); the
   * index's next catch-up does the rest. Absent: the catch-up indexes every imported notice.
   */
  index?: ArchiveIndex;
  /**
   * Worker threads that prepare documents beside the calling thread, started at the
   * POOL_START_DOCUMENTS-th document; 0 (the default): everything in the calling thread.
   * bench/archive.ts --import-only times both: on 2 cores one pool thread went 1.17–1.36× as
   * fast as none at load 1.7–1.9 (1,427–1,522 against 1,123–1,223 documents/s), but 0.74–1.18×
   * at load 3–9, when the other core is busy anyway; it uses 17–24 % more CPU per document.
   */
  threads?: number;
  onFailure?: (name: string, message: string) => void;
  /** After each committed batch (e.g. to show progress). */
  onBatch?: (summary: ImportSummary) => Promise<void> | void;
  /** Each notice stored, after its batch is committed (e.g. to replay them: --coincidences). */
  onStored?: (stored: ImportedNotice) => void;
}

interface Prepared {
  doc: InputDocument;
  prepared: PreparedNotice;
}

export interface ArchiveImporter {
  /** Adds one document (committed with its batch). */
  add(doc: InputDocument): Promise<void>;
  /** Commits what is pending, stops the threads; resolves with the totals. */
  finish(): Promise<ImportSummary>;
}

export function createArchiveImporter(options: ImportOptions): ArchiveImporter {
  const { db, index } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const levelsPct = index?.levelsPct ?? [];
  const threads = options.threads ?? 0;
  const summary: ImportSummary = { documents: 0, stored: 0, duplicates: 0, notNotices: 0, failures: 0 };
  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO events (sha256, ivorn, role, bytes, received_at_ms, peer, input)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNotice = db.prepare(
    `INSERT INTO notices (event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json, outbox_seq, joined)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1)`,
  );
  const insertImport = db.prepare(
    'INSERT OR REPLACE INTO archive_imports (event_id, original_received_ms, source) VALUES (?, ?, ?)',
  );
  let batch: Prepared[] = [];
  const regionCache = new PreparedRegionCache();
  index?.completeRebuild();

  const commit = db.transaction((items: Prepared[]): ImportedNotice[] => {
    const nowMs = Math.round(options.nowMs());
    const stored: ImportedNotice[] = [];
    const indexed: Array<Parameters<ArchiveIndex['writePrepared']>[0][number]> = [];
    for (const { doc, prepared } of items) {
      const notice = prepared.columns;
      const result = insertEvent.run(
        prepared.sha256,
        notice.ivorn,
        notice.role,
        doc.bytes,
        nowMs,
        doc.pax?.[PAX_PEER] ?? doc.name,
        doc.pax?.[PAX_INPUT] ?? 'archive-import',
      );
      if (result.changes === 0) {
        summary.duplicates++;
        continue;
      }
      const eventId = Number(result.lastInsertRowid);
      const noticeId = Number(
        insertNotice.run(
          eventId,
          notice.ivorn,
          notice.triggerId,
          notice.revision ?? null,
          notice.noticeType,
          nowMs,
          prepared.json,
        ).lastInsertRowid,
      );
      insertImport.run(eventId, prepared.originalMs, options.source);
      // Without an index the catch-up derives everything (as before imports indexed).
      if (index && prepared.index)
        indexed.push({
          row: { noticeId, eventId, receivedAtMs: prepared.originalMs, notice, refs: prepared.refs },
          prepared: prepared.index,
        });
      if (options.onStored)
        stored.push({
          noticeId,
          notice: preparedNotice(prepared),
          originalMs: prepared.originalMs,
          bytes: doc.bytes,
          name: doc.name,
        });
      summary.stored++;
    }
    index?.writePrepared(indexed);
    return stored;
  });

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const stored = commit(items);
    if (options.onStored) for (const s of stored) options.onStored(s);
    await options.onBatch?.({ ...summary });
  };

  const accept = async (doc: InputDocument, prepared: PreparedDocument): Promise<void> => {
    if (prepared.kind === 'not-notice') {
      summary.notNotices++;
      return;
    }
    if (prepared.kind === 'failure') {
      summary.failures++;
      options.onFailure?.(doc.name, prepared.message);
      return;
    }
    batch.push({ doc, prepared });
    if (batch.length >= batchSize) await flush();
  };

  // The pool: runs of DOCUMENTS_PER_RUN documents, in input order. A run goes to a thread when
  // one has fewer than RUNS_PER_THREAD runs in flight; otherwise this thread prepares it itself,
  // between its writes, instead of waiting (the work balances itself between this thread and the
  // pool whatever their speeds: on 2 cores, this thread writes and prepares, one pool thread
  // prepares). Runs are written in input order as they are ready.
  let pool: ImportPool | undefined;
  /** Whether the pool's threads have started (or failed to: its runs are then prepared here). */
  let poolStarted = false;
  const queue: Run[] = [];
  let run: InputDocument[] = [];
  const maxQueued = (): number => RUNS_PER_THREAD * Math.max(1, threads) + 2;

  const startPool = (): ImportPool => {
    const started = createImportPool({ threads, levelsPct });
    const mark = (): void => {
      poolStarted = true;
    };
    // A pool that fails to start still prepares its runs (here: import-pool.ts).
    started.ready().then(mark, mark);
    return started;
  };

  const prepareHere = (docs: readonly InputDocument[]): PreparedDocument[] =>
    docs.map((doc) => prepareImportDocument(doc, levelsPct, regionCache));

  const submitRun = (): void => {
    if (run.length === 0) return;
    const docs = run;
    run = [];
    if (pool !== undefined && poolStarted && pool.inFlight() < RUNS_PER_THREAD * pool.size) {
      const pending = pool.prepare(docs);
      const queued: Run = { docs, results: undefined, pending };
      pending.then(
        (results) => {
          queued.results = results;
        },
        () => undefined, // the awaiting writeReady gets the error
      );
      queue.push(queued);
    } else {
      const results = prepareHere(docs);
      queue.push({ docs, results, pending: Promise.resolve(results) });
    }
  };

  /** Writes the runs ready at the head of the queue; waits for the head while `wait()` says so. */
  const writeReady = async (wait: () => boolean): Promise<void> => {
    for (;;) {
      const head = queue[0];
      if (head === undefined) return;
      let results = head.results;
      if (results === undefined) {
        if (!wait()) return;
        results = await head.pending;
      }
      queue.shift();
      for (const [i, doc] of head.docs.entries()) await accept(doc, results[i] as PreparedDocument);
    }
  };

  return {
    async add(doc) {
      summary.documents++;
      if (threads > 0 && summary.documents >= POOL_START_DOCUMENTS) pool ??= startPool();
      if (pool !== undefined && !poolStarted && summary.documents > POOL_MIN_DOCUMENTS) {
        await pool.ready().catch(() => undefined);
        poolStarted = true;
      }
      if (pool === undefined) {
        await accept(doc, prepareHere([doc])[0] as PreparedDocument);
        return;
      }
      run.push(doc);
      if (run.length < DOCUMENTS_PER_RUN) return;
      submitRun();
      await writeReady(() => queue.length > maxQueued());
    },
    async finish() {
      try {
        submitRun();
        await writeReady(() => true);
        await flush();
      } finally {
        await pool?.close();
      }
      return { ...summary };
    },
  };
}

interface Run {
  docs: InputDocument[];
  /** Set once prepared (at once when prepared in this thread). */
  results: PreparedDocument[] | undefined;
  /** The same results, once prepared. */
  pending: Promise<PreparedDocument[]>;
}

/** The time a stored event was first received: its import record's, else the store's. */
export function originalReceivedLookup(db: SqliteDatabase): (eventId: number, storedMs: number) => number {
  const select = db.prepare('SELECT original_received_ms FROM archive_imports WHERE event_id = ?').pluck();
  return (eventId, storedMs) => {
    const value = select.get(eventId) as number | undefined;
    return value ?? storedMs;
  };
}

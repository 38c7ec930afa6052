/**
 * The searchable archive in the service: its index (src/archive/archive-index.ts), kept up to
 * date after every stored notice and at start-up (notices stored before, or while it was
 * down), its search for the REST API, and the retention of stored events.
 *
 * Sky maps for the index come from the same places the join gets them (src/sky/skymap-fetch.ts
 * `loadSkyMapForReference`): maps embedded in the stored event bytes, data: URLs, or the https
 * URL through the same disk cache.
 */
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createArchiveIndex, type ArchiveIndex } from '../archive/archive-index.ts';
import { createEventGroups, type EventGroups } from '../archive/event-groups.ts';
import type { SkyMapSource } from '../archive/notice-mocs.ts';
import { createArchiveSearch, type ArchiveSearch } from '../archive/search.ts';
import { loadSkyMapForReference } from '../sky/skymap-fetch.ts';
import { openDatabase, type SqliteDatabase } from '../store/database.ts';
import type { SkyMapUrlPolicy } from '../sky/url-policy.ts';
import { embeddedIn } from './skymap-loader.ts';

export interface ServiceArchiveOptions {
  db: SqliteDatabase;
  logger: Logger;
  clock: Clock;
  /** Where maps may come from: the same URL policy as the join's (src/sky/url-policy.ts). */
  skymap: { cacheDir: string; timeoutMs: number; maxBytes: number; signal?: AbortSignal } & SkyMapUrlPolicy;
  /** Raw bytes of the stored events with this ivorn (maps embedded in earlier copies). */
  storedEventBytes: (ivorn: string) => readonly Uint8Array[];
  /** How often the index catches up on its own (a backstop to `noticeStored`), ms. */
  catchUpIntervalMs?: number;
}

export interface ServiceArchive {
  readonly index: ArchiveIndex;
  readonly search: ArchiveSearch;
  readonly groups: EventGroups;
  /** Starts indexing what is stored and not indexed, and the periodic catch-up. */
  start(): void;
  /** Call after a notice has been stored: indexes it (asynchronously). */
  noticeStored(): void;
  /** Drops the index rows of pruned notices. */
  afterPrune(): void;
  /** Waits for the indexing in progress, and stops the periodic catch-up. */
  stop(): Promise<void>;
}

/** A sky-map source from stored event bytes and the sky map fetch options. */
export function skyMapSource(
  skymap: ServiceArchiveOptions['skymap'],
  storedEventBytes: (ivorn: string) => readonly Uint8Array[],
): SkyMapSource {
  return async (notice, rawEvent) => {
    if (notice.region.type !== 'skymap') throw new Error('not a sky-map notice');
    const reference = notice.region.url;
    const loaded = await loadSkyMapForReference(reference, {
      cacheDir: skymap.cacheDir,
      timeoutMs: skymap.timeoutMs,
      maxBytes: skymap.maxBytes,
      ...(skymap.allowedHosts ? { allowedHosts: skymap.allowedHosts } : {}),
      allowHttp: skymap.allowHttp === true,
      allowPrivateAddresses: skymap.allowPrivateAddresses === true,
      ...(skymap.signal ? { signal: skymap.signal } : {}),
      embedded: (sha256) => {
        for (const raw of [...(rawEvent ? [rawEvent] : []), ...storedEventBytes(notice.ivorn)]) {
          const bytes = embeddedIn(raw, sha256);
          if (bytes) return bytes;
        }
        return undefined;
      },
    });
    return loaded.skymap;
  };
}

export function createServiceArchive(options: ServiceArchiveOptions): ServiceArchive {
  const { db, logger } = options;
  // stop() aborts the downloads of the indexing in progress: it never waits on a slow map server.
  const stopping = new AbortController();
  const selectBytes = db.prepare('SELECT bytes FROM events WHERE id = ?').pluck();
  const index = createArchiveIndex({
    db,
    loadSkyMap: skyMapSource({ ...options.skymap, signal: stopping.signal }, options.storedEventBytes),
    eventBytes: (eventId) => selectBytes.get(eventId) as Buffer | undefined,
    signal: stopping.signal,
  });
  const search = createArchiveSearch(db, { levelsPct: index.levelsPct });
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const run = (): void => {
    inFlight = index.catchUp().catch((error: unknown) => {
      logger.error('archive index not updated', { error: describeError(error) });
    });
  };

  return {
    index,
    search,
    groups: createEventGroups(db),
    start() {
      run();
      timer = setInterval(run, options.catchUpIntervalMs ?? 10_000);
      timer.unref();
    },
    noticeStored: run,
    afterPrune() {
      try {
        const removed = index.removeOrphans();
        if (removed > 0) logger.info('archive index pruned', { notices: removed });
      } catch (error) {
        logger.error('archive index not pruned', { error: describeError(error) });
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      stopping.abort();
      await inFlight;
    },
  };
}

/** The archive of a database file, for the CLI: its index (sky maps as the service gets them) and search. */
export function openArchive(config: { db: { path: string }; skymap: ServiceArchiveOptions['skymap'] }): {
  db: SqliteDatabase;
  index: ArchiveIndex;
  search: ArchiveSearch;
} {
  const db = openDatabase({ path: config.db.path });
  const selectBytes = db.prepare('SELECT bytes FROM events WHERE id = ?').pluck();
  const selectByIvorn = db.prepare('SELECT bytes FROM events WHERE ivorn = ? ORDER BY id').pluck();
  const cacheDir =
    config.skymap.cacheDir === ''
      ? join(dirname(config.db.path), 'coincide-skymaps')
      : config.skymap.cacheDir;
  const index = createArchiveIndex({
    db,
    loadSkyMap: skyMapSource({ ...config.skymap, cacheDir }, (ivorn) => selectByIvorn.all(ivorn) as Buffer[]),
    eventBytes: (eventId) => selectBytes.get(eventId) as Buffer | undefined,
  });
  return { db, index, search: createArchiveSearch(db, { levelsPct: index.levelsPct }) };
}

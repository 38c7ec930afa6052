/**
 * Sky-map regions for the service: turns a Notice whose region is a sky map
 * (`{type: 'skymap', url}`) into the join's ActiveRegion.
 *
 * Where the map comes from (src/sky/skymap-fetch.ts `loadSkyMapForReference`):
 * - `embedded:sha256:<hex>`: the map carried inside the JSON notice itself (LVK igwn.gwalert
 *   `event.skymap`, GCN `healpix_file`), taken from the raw bytes of the event being ingested
 *   or, failing that, from the stored events of the same IVORN (warm start after a restart);
 *   the bytes must hash to the referenced sha256.
 * - `data:…;base64,…`: decoded in place.
 * - an https URL (GraceDB): checked against the sky-map URL policy (src/sky/url-policy.ts:
 *   https only, host allow-list, no loopback/link-local/private address after DNS resolution
 *   unless configured), fetched with a timeout and a size limit into a disk cache (so a restart
 *   or a second revision with the same file does not fetch it again).
 * `close()` aborts every download in flight (the service's stop() never waits for one).
 *
 * - cluster mode (`published`): the bytes the instance that ingested the notice published on the
 *   sky-map bus (src/cluster/skymap-bus.ts), for every reference but data: URIs, so that every
 *   instance builds the region from the same bytes (the region's hash is their sha256, as above).
 *
 * The decoded regions of the last few references are kept in memory (a revision that repeats
 * its predecessor's map, or several notices citing one file, decode it once). Failures reject
 * with a CoincideError (FETCH_FAILED, FITS_MALFORMED, …) and are not cached.
 */
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { CoincideError } from '../errors.ts';
import type { ActiveRegion } from '../join/active-region.ts';
import { createSkyMapRegion } from '../join/skymap-region.ts';
import { extractEmbeddedSkymap, type EmbeddedSkymapKind } from '../notices/embedded-skymap.ts';
import type { Notice } from '../notices/notice.ts';
import {
  fetchSkyMapBytes,
  loadSkyMapForReference,
  sha256Hex,
  type SkyMapFetchOptions,
} from '../sky/skymap-fetch.ts';
import { readSkyMap } from '../sky/skymap-read.ts';
import type { SkyMapUrlPolicy } from '../sky/url-policy.ts';

export interface SkyMapLoaderOptions extends SkyMapUrlPolicy {
  /** Disk cache of fetched sky maps. */
  cacheDir: string;
  /** Time limit of one download, milliseconds. */
  timeoutMs: number;
  /** Largest sky map file accepted, bytes. */
  maxBytes: number;
  /** Credible level CL at which the region is searched (default 0.9). */
  credibleLevel?: number;
  clock?: Clock;
  fetch?: typeof globalThis.fetch;
  /** Raw bytes of the stored events with this IVORN (for embedded maps of notices not being ingested now). */
  storedEventBytes?: (ivorn: string) => readonly Uint8Array[];
  /**
   * Cluster mode: the published bytes of a reference (src/cluster/skymap-bus.ts), or undefined
   * where the map is loaded here (data: URIs).
   */
  published?: (reference: string) => Promise<Uint8Array> | undefined;
  /** How many decoded regions stay in memory (default 4). */
  maxCachedRegions?: number;
}

/**
 * `serve`'s sky-map fetch settings from its configuration: the cache next to the database
 * unless skymap.cacheDir says where, and the fetch policy (allowed hosts, http, private
 * addresses, time and size limits). The console's sky pictures fetch with the same settings.
 */
export function skyMapFetchSettings(config: Pick<Config, 'skymap' | 'db'>): SkyMapFetchSettings {
  const { skymap } = config;
  return {
    cacheDir: skymap.cacheDir === '' ? join(dirname(config.db.path), 'coincide-skymaps') : skymap.cacheDir,
    timeoutMs: skymap.timeoutMs,
    maxBytes: skymap.maxBytes,
    allowedHosts: skymap.allowedHosts,
    allowHttp: skymap.allowHttp,
    allowPrivateAddresses: skymap.allowPrivateAddresses,
  };
}

export type SkyMapFetchSettings = Pick<
  SkyMapLoaderOptions,
  'cacheDir' | 'timeoutMs' | 'maxBytes' | 'allowedHosts' | 'allowHttp' | 'allowPrivateAddresses'
>;

export interface SkyMapLoader {
  /**
   * The region of a sky-map notice. `rawEvent` is the bytes of the event the notice came from
   * (the embedded map is read from it). Rejects with a CoincideError.
   */
  regionFor(notice: Notice, rawEvent?: Uint8Array): Promise<ActiveRegion>;
  /**
   * The bytes of a sky-map notice's map, unparsed (cluster mode: what the sky-map bus carries):
   * an embedded map from `rawEvent` or the stored events of its IVORN, else the download (URL
   * policy, disk cache). Rejects with a CoincideError.
   */
  bytesFor(notice: Notice, rawEvent?: Uint8Array): Promise<Uint8Array>;
  /** Aborts every download in flight (they reject with FETCH_FAILED); later loads fail at once. */
  close(): void;
}

const EMBEDDED_KINDS: readonly EmbeddedSkymapKind[] = ['skymap', 'combined'];
const EMBEDDED_REFERENCE = /^embedded:sha256:([0-9a-f]{64})$/i;

/** The embedded map in `raw` whose sha256 is `sha256`, if any (XML or other non-JSON bytes have none). */
export function embeddedIn(raw: Uint8Array, sha256: string): Uint8Array | undefined {
  for (const kind of EMBEDDED_KINDS) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = extractEmbeddedSkymap(raw, kind);
    } catch {
      return undefined;
    }
    if (bytes && sha256Hex(bytes) === sha256) return bytes;
  }
  return undefined;
}

export function createSkyMapLoader(options: SkyMapLoaderOptions): SkyMapLoader {
  const credibleLevel = options.credibleLevel ?? 0.9;
  const maxCached = Math.max(1, options.maxCachedRegions ?? 4);
  /** reference → decoded region, most recently used last. */
  const regions = new Map<string, Promise<ActiveRegion>>();
  const closing = new AbortController();

  const candidatesOf = (notice: Notice, rawEvent?: Uint8Array) => (): readonly Uint8Array[] => [
    ...(rawEvent ? [rawEvent] : []),
    ...(options.storedEventBytes?.(notice.ivorn) ?? []),
  ];

  const fetchOptions = (): SkyMapFetchOptions => ({
    cacheDir: options.cacheDir,
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    allowHttp: options.allowHttp === true,
    allowPrivateAddresses: options.allowPrivateAddresses === true,
    signal: closing.signal,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const load = async (reference: string, candidates: () => readonly Uint8Array[]): Promise<ActiveRegion> => {
    const published = options.published?.(reference);
    if (published) {
      const bytes = await published;
      // As loadSkyMapFromUrl: a gzipped map may unpack to 4× the download limit.
      const skymap = readSkyMap(bytes, { maxBytes: options.maxBytes * 4 });
      return createSkyMapRegion(skymap, credibleLevel, sha256Hex(bytes));
    }
    const loaded = await loadSkyMapForReference(reference, {
      ...fetchOptions(),
      embedded: (sha256) => {
        for (const raw of candidates()) {
          const bytes = embeddedIn(raw, sha256);
          if (bytes) return bytes;
        }
        return undefined;
      },
    });
    // The region's hash is the sha256 of the map file: stable and cheap (no hash over the cells).
    return createSkyMapRegion(loaded.skymap, credibleLevel, loaded.provenance.sha256);
  };

  return {
    async bytesFor(notice, rawEvent) {
      const region = notice.region;
      if (region.type !== 'skymap') {
        throw new CoincideError(
          'SKY_BAD_REGION',
          `notice ${notice.ivorn} has no sky map (region ${region.type})`,
        );
      }
      const embedded = EMBEDDED_REFERENCE.exec(region.url);
      if (!embedded) return (await fetchSkyMapBytes(region.url, fetchOptions())).bytes;
      const sha256 = (embedded[1] as string).toLowerCase();
      for (const raw of candidatesOf(notice, rawEvent)()) {
        const bytes = embeddedIn(raw, sha256);
        if (bytes) return bytes;
      }
      throw new CoincideError('FETCH_FAILED', `${region.url}: no embedded sky map with that hash`);
    },
    close() {
      closing.abort();
    },
    regionFor(notice, rawEvent) {
      const region = notice.region;
      if (region.type !== 'skymap') {
        return Promise.reject(
          new CoincideError(
            'SKY_BAD_REGION',
            `notice ${notice.ivorn} has no sky map (region ${region.type})`,
          ),
        );
      }
      const reference = region.url;
      const cached = regions.get(reference);
      if (cached) {
        regions.delete(reference);
        regions.set(reference, cached);
        return cached;
      }
      const promise = load(reference, candidatesOf(notice, rawEvent));
      regions.set(reference, promise);
      while (regions.size > maxCached) {
        const oldest = regions.keys().next().value;
        if (oldest === undefined) break;
        regions.delete(oldest);
      }
      promise.catch(() => {
        if (regions.get(reference) === promise) regions.delete(reference);
      });
      return promise;
    },
  };
}

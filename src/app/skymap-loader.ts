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
 * - an https URL (GraceDB): fetched with a timeout and a size limit into a disk cache
 *   (so a restart or a second revision with the same file does not fetch it again); plain
 *   http only for loopback hosts and only when `allowLoopbackHttp` is set (tests, local mirrors).
 *
 * The decoded regions of the last few references are kept in memory (a revision that repeats
 * its predecessor's map, or several notices citing one file, decode it once). Failures reject
 * with a CoincideError (FETCH_FAILED, FITS_MALFORMED, …) and are not cached.
 */
import type { Clock } from '../clock.ts';
import { CoincideError } from '../errors.ts';
import type { ActiveRegion } from '../join/active-region.ts';
import { createSkyMapRegion } from '../join/skymap-region.ts';
import { extractEmbeddedSkymap, type EmbeddedSkymapKind } from '../notices/embedded-skymap.ts';
import type { Notice } from '../notices/notice.ts';
import { loadSkyMapForReference, sha256Hex } from '../sky/skymap-fetch.ts';

export interface SkyMapLoaderOptions {
  /** Disk cache of fetched sky maps. */
  cacheDir: string;
  /** Time limit of one download, milliseconds. */
  timeoutMs: number;
  /** Largest sky map file accepted, bytes. */
  maxBytes: number;
  /** Accept http: URLs whose host is loopback (127.0.0.0/8, ::1, localhost); https only otherwise. */
  allowLoopbackHttp: boolean;
  /** Credible level CL at which the region is searched (default 0.9). */
  credibleLevel?: number;
  clock?: Clock;
  fetch?: typeof globalThis.fetch;
  /** Raw bytes of the stored events with this IVORN (for embedded maps of notices not being ingested now). */
  storedEventBytes?: (ivorn: string) => readonly Uint8Array[];
  /** How many decoded regions stay in memory (default 4). */
  maxCachedRegions?: number;
}

export interface SkyMapLoader {
  /**
   * The region of a sky-map notice. `rawEvent` is the bytes of the event the notice came from
   * (the embedded map is read from it). Rejects with a CoincideError.
   */
  regionFor(notice: Notice, rawEvent?: Uint8Array): Promise<ActiveRegion>;
}

const EMBEDDED_KINDS: readonly EmbeddedSkymapKind[] = ['skymap', 'combined'];

/** True for the hosts of a URL that only reach this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function allowsHttp(reference: string, allowLoopbackHttp: boolean): boolean {
  if (!allowLoopbackHttp) return false;
  try {
    const url = new URL(reference);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

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

  const load = async (reference: string, candidates: () => readonly Uint8Array[]): Promise<ActiveRegion> => {
    const loaded = await loadSkyMapForReference(reference, {
      cacheDir: options.cacheDir,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      allowHttp: allowsHttp(reference, options.allowLoopbackHttp),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
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
      const candidates = (): readonly Uint8Array[] => [
        ...(rawEvent ? [rawEvent] : []),
        ...(options.storedEventBytes?.(notice.ivorn) ?? []),
      ];
      const promise = load(reference, candidates);
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

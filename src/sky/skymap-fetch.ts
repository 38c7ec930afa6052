/**
 * Sky map sources with I/O: a local file, an HTTPS URL (URL policy, timeout, size limit, sha256,
 * disk cache) or the base64 map of an LVK Kafka JSON alert. URLs are checked against the
 * sky-map URL policy (sky/url-policy.ts: https, host allow-list) before anything else, redirects
 * included, and downloaded by sky/guarded-fetch.ts (no connection to a private address). The only module of src/sky/ that does
 * I/O; fetch, clock and cache directory are injected.
 *
 * Cache layout: <cacheDir>/<sha256(url)>.fits holds the bytes and <sha256(url)>.json the record
 * {url, sha256, sizeBytes, fetchedAt}; both are written to a temporary name then renamed, and a
 * cached file whose sha256 no longer matches its record is fetched again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.ts';
import { CoincideError } from '../errors.ts';
import { unixMsToIso } from '../time/mjd.ts';
import { createGuardedGet } from './guarded-fetch.ts';
import { checkSkyMapUrl, type SkyMapUrlPolicy } from './url-policy.ts';
import { readSkyMap, readSkyMapBase64 } from './skymap-read.ts';
import type { SkyMap } from './skymap.ts';

export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_SKYMAP_BYTES = 256 * 1024 * 1024;

export interface SkyMapFetchOptions extends SkyMapUrlPolicy {
  cacheDir: string;
  /**
   * Replaces the guarded HTTP client (tests); called with redirect 'manual'. The URL policy
   * still applies; the private-address check is the guarded client's and does not.
   */
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  timeoutMs?: number;
  maxBytes?: number;
  /** Aborts the download (the service's stop()). */
  signal?: AbortSignal;
}

/** Redirects followed at most (each one checked against the URL policy). */
export const MAX_REDIRECTS = 5;

export interface SkyMapProvenance {
  /** The URL, file path, or 'base64' for embedded maps. */
  source: string;
  sha256: string;
  sizeBytes: number;
  /** ISO time the bytes were fetched (from the cache record when cached). */
  fetchedAt: string;
  fromCache: boolean;
}

export interface LoadedSkyMap {
  skymap: SkyMap;
  provenance: SkyMapProvenance;
}

interface CacheRecord {
  url: string;
  sha256: string;
  sizeBytes: number;
  fetchedAt: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fetchFailed(url: string, message: string, retriable: boolean, cause?: unknown): CoincideError {
  return new CoincideError('FETCH_FAILED', `${url}: ${message}`, { retriable, cause });
}

async function readCache(
  cacheDir: string,
  key: string,
): Promise<{ bytes: Uint8Array; record: CacheRecord } | undefined> {
  try {
    const record = JSON.parse(await readFile(join(cacheDir, `${key}.json`), 'utf8')) as CacheRecord;
    const bytes = new Uint8Array(await readFile(join(cacheDir, `${key}.fits`)));
    if (sha256Hex(bytes) !== record.sha256) return undefined;
    return { bytes, record };
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Reads a response body, refusing more than maxBytes. */
async function readLimited(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw fetchFailed(url, `sky map is ${declared} bytes, over the ${maxBytes}-byte limit`, false);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw fetchFailed(url, `sky map exceeds the ${maxBytes}-byte limit`, false);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The bytes behind a URL: from the disk cache, or fetched (then cached). */
export async function fetchSkyMapBytes(
  url: string,
  options: SkyMapFetchOptions,
): Promise<{ bytes: Uint8Array; provenance: SkyMapProvenance }> {
  let current = checkSkyMapUrl(url, options);
  const key = createHash('sha256').update(url).digest('hex');
  const cached = await readCache(options.cacheDir, key);
  if (cached) {
    const { record } = cached;
    return {
      bytes: cached.bytes,
      provenance: {
        source: url,
        sha256: record.sha256,
        sizeBytes: record.sizeBytes,
        fetchedAt: record.fetchedAt,
        fromCache: true,
      },
    };
  }
  const injected = options.fetch;
  const get = injected
    ? (u: string, init: { signal: AbortSignal }) => injected(u, { ...init, redirect: 'manual' })
    : createGuardedGet({ allowPrivateAddresses: options.allowPrivateAddresses === true });
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SKYMAP_BYTES;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
  const stop = (): void => {
    controller.abort();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) controller.abort();
  let bytes: Uint8Array;
  try {
    let response = await get(current.href, { signal: controller.signal });
    for (let redirects = 0; response.status >= 300 && response.status < 400; redirects += 1) {
      const location = response.headers.get('location');
      if (location === null || redirects >= MAX_REDIRECTS) {
        throw fetchFailed(url, `HTTP ${response.status} without a usable redirect`, false);
      }
      current = checkSkyMapUrl(new URL(location, current).href, options);
      response = await get(current.href, { signal: controller.signal });
    }
    if (!response.ok) {
      throw fetchFailed(url, `HTTP ${response.status}`, response.status >= 500 || response.status === 429);
    }
    bytes = await readLimited(response, url, maxBytes);
  } catch (error) {
    if (error instanceof CoincideError) throw error;
    const timedOut = controller.signal.aborted;
    throw fetchFailed(url, timedOut ? 'timed out' : 'network error', true, error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
  const record: CacheRecord = {
    url,
    sha256: sha256Hex(bytes),
    sizeBytes: bytes.length,
    fetchedAt: unixMsToIso((options.clock ?? systemClock).nowMs()),
  };
  await mkdir(options.cacheDir, { recursive: true });
  await writeAtomically(join(options.cacheDir, `${key}.fits`), bytes);
  await writeAtomically(join(options.cacheDir, `${key}.json`), JSON.stringify(record));
  return { bytes, provenance: { source: url, ...record, fromCache: false } };
}

/** Fetches (or takes from the cache) and parses the sky map at a URL. */
export async function loadSkyMapFromUrl(url: string, options: SkyMapFetchOptions): Promise<LoadedSkyMap> {
  const { bytes, provenance } = await fetchSkyMapBytes(url, options);
  return {
    skymap: readSkyMap(bytes, { maxBytes: (options.maxBytes ?? DEFAULT_MAX_SKYMAP_BYTES) * 4 }),
    provenance,
  };
}

/** Reads and parses a local sky map file (FITS, optionally gzipped). */
export async function loadSkyMapFromFile(path: string, clock: Clock = systemClock): Promise<LoadedSkyMap> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new CoincideError('FETCH_FAILED', `${path}: cannot read the file`, { cause: error });
  }
  return {
    skymap: readSkyMap(bytes),
    provenance: {
      source: path,
      sha256: sha256Hex(bytes),
      sizeBytes: bytes.length,
      fetchedAt: unixMsToIso(clock.nowMs()),
      fromCache: false,
    },
  };
}

/** Parses the base64 sky map of an LVK Kafka JSON alert (`event.skymap`). */
export function loadSkyMapFromBase64(base64: string, clock: Clock = systemClock): LoadedSkyMap {
  const skymap = readSkyMapBase64(base64);
  const bytes = Buffer.from(base64, 'base64');
  return {
    skymap,
    provenance: {
      source: 'base64',
      sha256: sha256Hex(bytes),
      sizeBytes: bytes.length,
      fetchedAt: unixMsToIso(clock.nowMs()),
      fromCache: false,
    },
  };
}

export interface SkyMapSourceOptions extends SkyMapFetchOptions {
  /**
   * Bytes of embedded maps by sha256 (hex), for `embedded:sha256:<hex>` references (the form
   * the notice parsers give maps carried inside LVK/GCN JSON alerts).
   */
  embedded?: (sha256: string) => Uint8Array | undefined;
}

/**
 * Loads the sky map a notice region points at (`SkymapRegion.url`):
 * `embedded:sha256:<hex>` (looked up with `options.embedded`, bytes checked against the hash),
 * `data:…;base64,…`, or an https URL (cached; http only with `allowHttp`).
 */
export async function loadSkyMapForReference(
  reference: string,
  options: SkyMapSourceOptions,
): Promise<LoadedSkyMap> {
  const embedded = /^embedded:sha256:([0-9a-f]{64})$/i.exec(reference);
  if (embedded) {
    const sha256 = (embedded[1] as string).toLowerCase();
    const bytes = options.embedded?.(sha256);
    if (!bytes) throw new CoincideError('FETCH_FAILED', `${reference}: no embedded sky map with that hash`);
    if (sha256Hex(bytes) !== sha256)
      throw new CoincideError('FETCH_FAILED', `${reference}: bytes do not match the hash`);
    return {
      skymap: readSkyMap(bytes),
      provenance: {
        source: reference,
        sha256,
        sizeBytes: bytes.length,
        fetchedAt: unixMsToIso((options.clock ?? systemClock).nowMs()),
        fromCache: false,
      },
    };
  }
  const data = /^data:[^,]*;base64,(.*)$/s.exec(reference);
  if (data) return loadSkyMapFromBase64(data[1] as string, options.clock ?? systemClock);
  return loadSkyMapFromUrl(reference, options);
}

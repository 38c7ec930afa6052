import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { CoincideError } from '../../src/errors.ts';
import { writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import {
  loadSkyMapFromBase64,
  loadSkyMapFromFile,
  loadSkyMapForReference,
  loadSkyMapFromUrl,
  sha256Hex,
} from '../../src/sky/skymap-fetch.ts';
import { syntheticCells } from './synthetic-maps.ts';

const mapBytes = writeMultiOrderSkyMap(
  syntheticCells({ name: 'f', raDeg: 40, decDeg: -20, sigmaDeg: 4, baseOrder: 4 }),
);

function fetchError(promise: Promise<unknown>): Promise<CoincideError> {
  return promise.then(
    () => assert.fail('expected a FETCH_FAILED error'),
    (error: unknown) => {
      assert.ok(error instanceof CoincideError, String(error));
      assert.equal(error.code, 'FETCH_FAILED');
      return error;
    },
  );
}

/** A loopback test server takes all three: an allow-list entry, plain http, private addresses. */
const LOOPBACK = { allowHttp: true, allowedHosts: ['127.0.0.1'], allowPrivateAddresses: true } as const;

describe('sky map sources: HTTPS URL with cache, file and base64', () => {
  let server: Server;
  let base = '';
  let dir = '';
  const hits = new Map<string, number>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coincide-skymap-fetch-'));
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/map.fits') {
        res.writeHead(200, { 'content-length': mapBytes.length });
        res.end(mapBytes);
      } else if (path === '/chunked.fits') {
        // No content-length: the limit must hold while streaming.
        res.writeHead(200);
        res.write(mapBytes.subarray(0, 10000));
        res.end(mapBytes.subarray(10000));
      } else if (path === '/slow') {
        // Never answers within the test's timeout; closed by the server at teardown.
      } else if (path === '/broken') {
        res.writeHead(503);
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches a map, records its sha256 and size, then serves it from the disk cache', async () => {
    const clock = new ManualClock(Date.parse('2026-01-02T03:04:05Z'));
    const options = { cacheDir: join(dir, 'cache1'), ...LOOPBACK, clock };
    const first = await loadSkyMapFromUrl(`${base}/map.fits`, options);
    assert.equal(first.provenance.fromCache, false);
    assert.equal(first.provenance.sha256, sha256Hex(mapBytes));
    assert.equal(first.provenance.sizeBytes, mapBytes.length);
    assert.equal(first.provenance.fetchedAt, '2026-01-02T03:04:05.000Z');
    const second = await loadSkyMapFromUrl(`${base}/map.fits`, options);
    assert.equal(second.provenance.fromCache, true);
    assert.equal(second.provenance.fetchedAt, '2026-01-02T03:04:05.000Z');
    assert.equal(hits.get('/map.fits'), 1);
    assert.equal(second.skymap.credibleAreaDeg2(0.9), first.skymap.credibleAreaDeg2(0.9));
  });

  it('fetches again when the cached bytes no longer match their sha256', async () => {
    const cacheDir = join(dir, 'cache2');
    await loadSkyMapFromUrl(`${base}/chunked.fits`, { cacheDir, ...LOOPBACK });
    const cached = readdirSync(cacheDir).find((name) => name.endsWith('.fits'));
    assert.ok(cached);
    writeFileSync(join(cacheDir, cached), 'corrupted');
    const again = await loadSkyMapFromUrl(`${base}/chunked.fits`, { cacheDir, ...LOOPBACK });
    assert.equal(again.provenance.fromCache, false);
    assert.equal(again.provenance.sha256, sha256Hex(mapBytes));
  });

  it('refuses plain http unless allowed, and maps over the size limit, as not retriable', async () => {
    const refused = await fetchError(loadSkyMapFromUrl(`${base}/map.fits`, { cacheDir: join(dir, 'c3') }));
    assert.equal(refused.retriable, false);
    const big = await fetchError(
      loadSkyMapFromUrl(`${base}/map.fits`, { cacheDir: join(dir, 'c3'), ...LOOPBACK, maxBytes: 1000 }),
    );
    assert.equal(big.retriable, false);
    const streamed = await fetchError(
      loadSkyMapFromUrl(`${base}/chunked.fits`, {
        cacheDir: join(dir, 'c3'),
        ...LOOPBACK,
        maxBytes: 20000,
      }),
    );
    assert.equal(streamed.retriable, false);
    const missing = await fetchError(
      loadSkyMapFromUrl(`${base}/nope`, { cacheDir: join(dir, 'c3'), ...LOOPBACK }),
    );
    assert.equal(missing.retriable, false);
  });

  it('gives up after the timeout and on server errors, as retriable', async () => {
    const slow = await fetchError(
      loadSkyMapFromUrl(`${base}/slow`, { cacheDir: join(dir, 'c4'), ...LOOPBACK, timeoutMs: 200 }),
    );
    assert.equal(slow.retriable, true);
    assert.match(slow.message, /timed out/);
    const broken = await fetchError(
      loadSkyMapFromUrl(`${base}/broken`, { cacheDir: join(dir, 'c4'), ...LOOPBACK }),
    );
    assert.equal(broken.retriable, true);
  });

  it('uses the injected fetch', async () => {
    let calls = 0;
    const fakeFetch: typeof fetch = () => {
      calls++;
      return Promise.resolve(new Response(Buffer.from(mapBytes), { status: 200 }));
    };
    const loaded = await loadSkyMapFromUrl('https://gracedb.ligo.org/S1/bayestar.multiorder.fits', {
      cacheDir: join(dir, 'c5'),
      fetch: fakeFetch,
    });
    assert.equal(calls, 1);
    assert.equal(loaded.provenance.source, 'https://gracedb.ligo.org/S1/bayestar.multiorder.fits');
  });

  it('resolves the references notices carry: embedded:sha256, data: and URLs', async () => {
    const sha = sha256Hex(mapBytes);
    const store = new Map([[sha, mapBytes]]);
    const options = { cacheDir: join(dir, 'c6'), ...LOOPBACK, embedded: (h: string) => store.get(h) };
    const fromStore = await loadSkyMapForReference(`embedded:sha256:${sha}`, options);
    assert.equal(fromStore.provenance.sha256, sha);
    const fromData = await loadSkyMapForReference(
      `data:application/fits;base64,${Buffer.from(mapBytes).toString('base64')}`,
      options,
    );
    assert.equal(fromData.skymap.credibleAreaDeg2(0.9), fromStore.skymap.credibleAreaDeg2(0.9));
    const fromUrl = await loadSkyMapForReference(`${base}/map.fits`, options);
    assert.equal(fromUrl.provenance.sha256, sha);
    await fetchError(loadSkyMapForReference(`embedded:sha256:${'0'.repeat(64)}`, options));
    store.set('1'.repeat(64), mapBytes);
    await fetchError(loadSkyMapForReference(`embedded:sha256:${'1'.repeat(64)}`, options));
  });

  it('reads local files and base64 maps with their sha256', async () => {
    const path = join(dir, 'local.fits');
    writeFileSync(path, mapBytes);
    const local = await loadSkyMapFromFile(path);
    assert.equal(local.provenance.sha256, sha256Hex(mapBytes));
    const b64 = loadSkyMapFromBase64(Buffer.from(mapBytes).toString('base64'));
    assert.equal(b64.provenance.sha256, sha256Hex(mapBytes));
    assert.equal(b64.skymap.credibleAreaDeg2(0.5), local.skymap.credibleAreaDeg2(0.5));
    await fetchError(loadSkyMapFromFile(join(dir, 'missing.fits')));
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSkyMapLoader } from '../../src/app/skymap-loader.ts';
import { CoincideError } from '../../src/errors.ts';
import { extractEmbeddedSkymap } from '../../src/notices/embedded-skymap.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

/** A real LVK Kafka JSON alert (igwn.gwalert) with its multi-order map embedded as base64. */
const IGWN_PRELIMINARY = 'gcn-json/igwn/MS181101ab-preliminary.json';

const dir = mkdtempSync(join(tmpdir(), 'coincide-skymap-loader-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const loaderOptions = {
  cacheDir: join(dir, 'cache'),
  timeoutMs: 5000,
  maxBytes: 16 * 1024 * 1024,
};

function codeOf(error: unknown): string {
  return error instanceof CoincideError ? error.code : String(error);
}

describe('sky-map loader', { skip: skipUnlessShared() }, () => {
  it('builds the 90% region of an igwn.gwalert notice from the map embedded in the raw notice bytes', async () => {
    const bytes = readFileSync(samplePath(IGWN_PRELIMINARY));
    const notice = parseNoticeDocument(bytes);
    assert.equal(notice.region.type, 'skymap');
    const region = await createSkyMapLoader(loaderOptions).regionFor(notice, bytes);
    const skymap = readSkyMap(extractEmbeddedSkymap(bytes) ?? new Uint8Array());
    const best = skymap.maxProbPosition();
    assert.equal(region.kind, 'skymap');
    assert.equal(region.credibleLevel, 0.9);
    assert.ok(region.contains(best.raDeg, best.decDeg), 'the most probable position is inside');
    assert.ok(region.areaDeg2 > 0 && region.areaDeg2 < 41_253);
    // The region hash is the sha256 of the map file the notice refers to.
    assert.deepEqual(notice.region, { type: 'skymap', url: `embedded:sha256:${region.hash}` });
  });

  it('finds the embedded map in the stored events of the notice when the raw bytes are not given (warm start)', async () => {
    const bytes = readFileSync(samplePath(IGWN_PRELIMINARY));
    const notice = parseNoticeDocument(bytes);
    const asked: string[] = [];
    const loader = createSkyMapLoader({
      ...loaderOptions,
      storedEventBytes: (ivorn) => {
        asked.push(ivorn);
        return [Buffer.from('<?xml version="1.0"?><not-json/>'), bytes];
      },
    });
    const region = await loader.regionFor(notice);
    assert.equal(region.kind, 'skymap');
    assert.deepEqual(asked, [notice.ivorn]);
  });

  it('rejects with FETCH_FAILED when no bytes carry the embedded map, and does not cache the failure', async () => {
    const bytes = readFileSync(samplePath(IGWN_PRELIMINARY));
    const notice = parseNoticeDocument(bytes);
    let stored: Uint8Array[] = [];
    const loader = createSkyMapLoader({ ...loaderOptions, storedEventBytes: () => stored });
    await assert.rejects(loader.regionFor(notice), (error) => codeOf(error) === 'FETCH_FAILED');
    stored = [bytes];
    assert.equal((await loader.regionFor(notice)).kind, 'skymap');
  });

  it('decodes a map once for notices that refer to the same file', async () => {
    const bytes = readFileSync(samplePath(IGWN_PRELIMINARY));
    const notice = parseNoticeDocument(bytes);
    const loader = createSkyMapLoader(loaderOptions);
    const first = await loader.regionFor(notice, bytes);
    const second = await loader.regionFor({ ...notice, ivorn: `${notice.ivorn}-again`, revision: 2 });
    assert.equal(second, first);
  });

  it('refuses a notice whose region is not a sky map with SKY_BAD_REGION', async () => {
    const bytes = readFileSync(samplePath(IGWN_PRELIMINARY));
    const notice = { ...parseNoticeDocument(bytes), region: { type: 'none' as const } };
    await assert.rejects(
      createSkyMapLoader(loaderOptions).regionFor(notice),
      (error) => codeOf(error) === 'SKY_BAD_REGION',
    );
  });
});

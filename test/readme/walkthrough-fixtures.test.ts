/**
 * The walkthrough's fixtures (fixtures/walkthrough) are exactly what
 * scripts/demo/generate-walkthrough.ts writes, and what the service reads: the LVK VOEvent's
 * embedded sky map, and the ZTF Avro files through the optical decoder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateWalkthrough } from '../../scripts/demo/generate-walkthrough.ts';
import { parseNoticeDocument as parseNotice } from '../../src/notices/parse-notice.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { expandAlertPaths, readAlertFile } from '../../src/optical/file-source.ts';
import { loadSkyMapForReference } from '../../src/sky/skymap-fetch.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

const WALKTHROUGH_DIR = join(PROJECT_ROOT, 'fixtures', 'walkthrough');
const dir = mkdtempSync(join(tmpdir(), 'coincide-walkthrough-fixtures-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('walkthrough fixtures', () => {
  it('are the generator script output, byte for byte', async () => {
    const names = await generateWalkthrough(dir);
    const committed = [
      ...readdirSync(WALKTHROUGH_DIR).filter((n) => n.endsWith('.xml')),
      ...readdirSync(join(WALKTHROUGH_DIR, 'optical')).map((n) => join('optical', n)),
    ];
    assert.deepEqual(committed.sort(), [...names].sort());
    for (const name of names) {
      assert.ok(
        readFileSync(join(WALKTHROUGH_DIR, name)).equals(readFileSync(join(dir, name))),
        `${name} differs from the generator's output`,
      );
    }
  });

  it('carry a data: sky map the service loads, and ZTF alerts with the kilonova', async () => {
    const notice = parseNotice(readFileSync(join(WALKTHROUGH_DIR, 'lvk-S170817dm-1-Initial.xml')));
    assert.equal(notice.triggerId, 'LVK:S170817dm');
    assert.equal(notice.region.type, 'skymap');
    const url = notice.region.type === 'skymap' ? notice.region.url : '';
    assert.match(url, /^data:application\/fits;base64,/);
    const loaded = await loadSkyMapForReference(url, { cacheDir: dir, timeoutMs: 1000, maxBytes: 1e6 });
    assert.ok(Math.abs(loaded.skymap.totalProbability - 1) < 1e-6);

    const decoder = new OpticalAlertDecoder();
    const { files } = expandAlertPaths([join(WALKTHROUGH_DIR, 'optical')]);
    const alerts = (await Promise.all(files.map((f) => readAlertFile(f, decoder)))).flat();
    assert.ok(alerts.length > 1000);
    const kilonova = alerts.filter((a) => a.objectId === 'ZTF17aagfokn');
    assert.equal(kilonova.length, 2);
    assert.equal(kilonova[0]?.alertId, '524666471015015000');
    assert.ok(alerts.every((a) => a.survey === 'ZTF'));
  });
});

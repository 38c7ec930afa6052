import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { extractEmbeddedSkymap } from '../../../src/notices/parse-notice.ts';
import { samplePath, skipUnlessShared } from '../../helpers/shared.ts';
import { parseSample, summary } from '../sample-notice.ts';

describe('LVK igwn.gwalert JSON', { skip: skipUnlessShared() }, () => {
  it('reads the S230518h initial alert with its embedded multi-order sky map', () => {
    const n = parseSample('gcn-json/igwn/initial.txt');
    assert.deepEqual(summary(n), {
      observatory: 'LVK',
      instrument: 'H1,L1',
      noticeType: 'igwn.gwalert/INITIAL',
      triggerId: 'LVK:S230518h',
      alertType: 'initial',
      triggerTime: '2023-05-18T12:59:08.167Z',
      role: 'observation',
    });
    assert.equal(n.farHz, 3.218261352069347e-10);
    assert.equal(n.classification, 'NSBH');
    assert.equal(n.significant, true);
    assert.equal(n.mock, false);
    assert.equal(n.hasNs, 1);
    assert.equal(n.hasRemnant, 0);
    assert.equal(n.params.HasNS, 1);
    assert.equal(n.params['event.properties.HasNS'], 1);
    const map = extractEmbeddedSkymap(readFileSync(samplePath('gcn-json/igwn/initial.txt')));
    assert.ok(map !== undefined);
    assert.equal(new TextDecoder('latin1').decode(map.subarray(0, 9)), 'SIMPLE  =', 'a FITS file');
    const sha = createHash('sha256').update(map).digest('hex');
    assert.deepEqual(n.region, { type: 'skymap', url: `embedded:sha256:${sha}` });
    assert.match(
      String(n.params['event.skymap']),
      /^embedded:sha256:/,
      'the base64 is never copied into params',
    );
  });

  it('reads the update of the same superevent', () => {
    const n = parseSample('gcn-json/igwn/update.txt');
    assert.equal(n.triggerId, 'LVK:S230518h');
    assert.equal(n.alertType, 'update');
  });

  it('keeps mock MS… alerts as role test, mock true', () => {
    const n = parseSample('gcn-json/igwn/MS181101ab-preliminary.json');
    assert.equal(n.alertType, 'preliminary');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.classification, 'BNS');
    assert.equal(parseSample('gcn-json/igwn/test.txt').mock, true);
  });

  it('reads a retraction (event null), timed by time_created', () => {
    const n = parseSample('gcn-json/igwn/MS181101ab-retraction.json');
    assert.equal(n.alertType, 'retraction');
    assert.deepEqual(n.region, { type: 'none' });
    assert.equal(n.triggerTime, '2018-11-01T23:36:23.000Z');
    assert.equal(n.params.trigger_time_source, 'time_created');
    assert.equal(parseSample('gcn-json/igwn/igwn_gwalert_retraction.json').triggerId, 'LVK:MS260605l');
  });

  it('exposes the RAVEN combined map and the external coincidence', () => {
    const path = 'gcn-json/igwn/MS181101ab-ext-update_displayexample.json';
    const n = parseSample(path);
    assert.equal(n.params['external_coinc.gcn_notice_id'], 524666471);
    assert.equal(n.params['external_coinc.time_difference'], 2.02);
    assert.ok(extractEmbeddedSkymap(readFileSync(samplePath(path)), 'combined') !== undefined);
  });
});

describe('LVK igwn.gwalert Avro', { skip: skipUnlessShared() }, () => {
  it('decodes the Avro container to the same Notice as the JSON alert, sky map included', () => {
    const avro = parseSample('gcn-json/igwn/MS181101ab-preliminary.avro');
    const json = parseSample('gcn-json/igwn/MS181101ab-preliminary.json');
    const strip = (n: typeof avro): unknown => ({ ...n, ivorn: '', source: { ...n.source, sha256: '' } });
    assert.deepEqual(strip(avro), strip(json));
    const avroMap = extractEmbeddedSkymap(
      readFileSync(samplePath('gcn-json/igwn/MS181101ab-preliminary.avro')),
    );
    const jsonMap = extractEmbeddedSkymap(
      readFileSync(samplePath('gcn-json/igwn/MS181101ab-preliminary.json')),
    );
    assert.ok(avroMap !== undefined && jsonMap !== undefined);
    assert.equal(Buffer.compare(Buffer.from(avroMap), Buffer.from(jsonMap)), 0);
  });

  it('decodes the Avro retraction', () => {
    const n = parseSample('gcn-json/igwn/MS181101ab-retraction.avro');
    assert.equal(n.alertType, 'retraction');
    assert.equal(n.triggerId, 'LVK:MS181101ab');
    assert.deepEqual(n.region, { type: 'none' });
  });
});

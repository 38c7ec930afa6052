import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

function records(file: string, projected: boolean): AvroRecord[] {
  return new OpticalAlertDecoder({ projected }).containerRecords(readFileSync(samplePath(file))).records;
}

describe('projected reader', { skip: skipUnlessShared() }, () => {
  it('skips ZTF cutouts, prv_candidates and fp_hists and keeps the join fields unchanged', () => {
    const file = 'ztf-avro/2475433850315015009.avro'; // schema 4.01, with fp_hists
    const [full] = records(file, false);
    const [projected] = records(file, true);
    assert.ok(full && projected);
    assert.ok(Buffer.isBuffer((full.cutoutScience as AvroRecord).stampData));
    assert.ok(Array.isArray(full.prv_candidates) && Array.isArray(full.fp_hists));
    for (const skipped of [
      'cutoutScience',
      'cutoutTemplate',
      'cutoutDifference',
      'prv_candidates',
      'fp_hists',
    ]) {
      assert.equal(skipped in projected, false, skipped);
    }
    const fullCandidate = full.candidate as AvroRecord;
    const projectedCandidate = projected.candidate as AvroRecord;
    for (const [key, value] of Object.entries(projectedCandidate))
      assert.deepEqual(value, fullCandidate[key], key);
    assert.ok(Object.keys(projectedCandidate).length < Object.keys(fullCandidate).length / 4);
    assert.equal(projected.candid, 2475433850315015009n);
  });

  it('reduces LSST packets to the source, object ids and previous detection times', () => {
    const [full] = records('lsst-avro/v10_0/fakeAlert.avro', false);
    const [projected] = records('lsst-avro/v10_0/fakeAlert.avro', true);
    assert.ok(full && projected);
    assert.deepEqual(Object.keys(projected).sort(), ['diaObject', 'diaSource', 'prvDiaSources', 'ssSource']);
    const prv = projected.prvDiaSources as AvroRecord[];
    assert.deepEqual(
      prv.map((p) => ({ ...p })),
      (full.prvDiaSources as AvroRecord[]).map((p) => ({ midpointMjdTai: p.midpointMjdTai })),
    );
    assert.equal((projected.diaSource as AvroRecord).diaSourceId, 281323062375219200n);
    assert.equal((projected.diaObject as AvroRecord).diaObjectId, 281323062375219201n);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import avro from 'avsc';
import { exactLongOptions } from '../../src/optical/avro-long.ts';
import { readAvroContainer } from '../../src/optical/avro-container.ts';
import { projectSchema } from '../../src/optical/avro-projection.ts';
import type { AvroRecord } from '../../src/optical/record-fields.ts';
import { listFiles, samplePath, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

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

  it('reduces LSST >= 9.0 packets to the source and the diaObject summary, without history', () => {
    const [projected] = records('lsst-avro/v10_0/fakeAlert.avro', true);
    assert.ok(projected);
    assert.deepEqual(Object.keys(projected).sort(), ['diaObject', 'diaSource', 'ssSource']);
    assert.deepEqual(projected.diaObject, {
      diaObjectId: 281323062375219201n,
      firstDiaSourceMjdTai: 60900.993305483615,
      nDiaSources: 2,
    });
    assert.equal((projected.diaSource as AvroRecord).diaSourceId, 281323062375219200n);
  });

  it('keeps only the previous diaSource times of LSST 7.x packets, which have no diaObject summary', () => {
    const [full] = records('lsst-avro/v7_4/fakeAlert.avro', false);
    const [projected] = records('lsst-avro/v7_4/fakeAlert.avro', true);
    assert.ok(full && projected);
    assert.deepEqual(Object.keys(projected).sort(), ['diaObject', 'diaSource', 'prvDiaSources', 'ssObject']);
    const prv = (full.prvDiaSources as AvroRecord[]).map((p) => ({ midpointMjdTai: p.midpointMjdTai }));
    assert.deepEqual(projected.prvDiaSources, prv);
    assert.deepEqual(projected.ssObject, {});
  });

  it("reads the same values as avsc's own schema resolution with the projected reader schema", () => {
    const plain = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v.toString()}n` : v)));
    for (const file of listFiles(SAMPLES_DIR, ['.avro']).filter((f) => /(ztf|lsst)-avro/.test(f))) {
      const bytes = readFileSync(file);
      const { compiled, records: ours } = new OpticalAlertDecoder({ projected: true }).containerRecords(
        bytes,
      );
      const readerType = avro.Type.forSchema(
        projectSchema(compiled.writerType, compiled.projection) as avro.Schema,
        exactLongOptions(),
      );
      const resolver = readerType.createResolver(compiled.writerType);
      const container = readAvroContainer(bytes);
      const theirs: unknown[] = [];
      for (const block of container.blocks) {
        let pos = 0;
        for (let i = 0; i < block.objectCount; i++) {
          const result = readerType.decode(block.data, pos, resolver);
          theirs.push(result.value as unknown);
          pos = result.offset;
        }
      }
      assert.deepEqual(plain(ours), plain(theirs), file);
    }
  });
});

/**
 * Every Avro alert sample in ../shared/upstream-samples decodes, with ids equal (as exact
 * decimal strings) to those fastavro reads (test/reference/optical-ids.json, made by
 * scripts/optical/reference-ids.py), and the projected reader gives the same OpticalAlert.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { taiMjdToUtcMjd } from '../../src/optical/tai-utc.ts';
import { listFiles, samplePath, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';
import { loadReference, type LsstReference, type ZtfReference } from './avro-fixtures.ts';

const reference = loadReference();
const FILTERS: Record<number, string> = { 1: 'g', 2: 'r', 3: 'i' };

function decode(relativePath: string, projected: boolean): OpticalAlert[] {
  return new OpticalAlertDecoder({ projected }).decodeContainer(readFileSync(samplePath(relativePath)));
}

function checkZtf(alert: OpticalAlert, ref: ZtfReference, file: string): void {
  assert.equal(alert.survey, 'ZTF');
  assert.equal(alert.alertId, ref.candid, file);
  assert.equal(alert.alertId, ref.candidateCandid, file);
  assert.equal(alert.objectId, ref.objectId);
  assert.equal(alert.raDeg, ref.ra);
  assert.equal(alert.decDeg, ref.dec);
  assert.equal(alert.timeMjd, ref.jd - 2400000.5);
  assert.equal(alert.band, FILTERS[ref.fid]);
  assert.equal(alert.magnitude, ref.magpsf);
  assert.equal(alert.isPositive, ref.isdiffpos === 't' || ref.isdiffpos === '1');
  assert.equal(
    alert.firstDetectionMjd,
    ref.jdstarthist === null ? alert.timeMjd : ref.jdstarthist - 2400000.5,
  );
  assert.equal(alert.reliability, ref.drb ?? ref.rb ?? undefined);
}

function checkLsst(alert: OpticalAlert, ref: LsstReference): void {
  assert.equal(alert.survey, 'LSST');
  assert.equal(alert.alertId, ref.diaSourceId);
  assert.equal(alert.objectId, ref.diaSourceDiaObjectId ?? ref.diaObjectId);
  assert.equal(alert.raDeg, ref.ra);
  assert.equal(alert.decDeg, ref.dec);
  assert.equal(alert.timeMjdTai, ref.midpointMjdTai);
  assert.equal(alert.timeMjd, taiMjdToUtcMjd(ref.midpointMjdTai));
  assert.equal(alert.band, ref.band);
  assert.equal(alert.fluxNJy, ref.psfFlux);
  assert.equal(alert.isPositive, ref.psfFlux > 0);
}

describe('upstream alert samples', { skip: skipUnlessShared() }, () => {
  it('has a fastavro reference for every Avro alert sample (none is left untested)', () => {
    const onDisk = [
      ...listFiles(`${SAMPLES_DIR}/ztf-avro`, ['.avro']),
      ...listFiles(`${SAMPLES_DIR}/lsst-avro`, ['.avro']),
    ].map((p) => relative(SAMPLES_DIR, p));
    assert.deepEqual(onDisk.sort(), Object.keys(reference.samples).sort());
    assert.ok(onDisk.length >= 22);
  });

  for (const [file, refs] of Object.entries(reference.samples)) {
    it(`decodes ${file} with exact ids, full and projected alike`, () => {
      const full = decode(file, false);
      const projected = decode(file, true);
      assert.equal(full.length, refs.length);
      assert.deepEqual(projected, full);
      full.forEach((alert, i) => {
        const ref = refs[i];
        assert.ok(ref);
        if (ref.survey === 'ZTF') checkZtf(alert, ref, file);
        else checkLsst(alert, ref);
      });
    });
  }

  it('takes the candid of candid-named ZTF files from the file name, digit for digit', () => {
    const named = Object.keys(reference.samples).filter((f) => /^\d{18,19}\.avro$/.test(basename(f)));
    assert.ok(named.length >= 10);
    for (const file of named) {
      const [alert] = decode(file, true);
      assert.equal(alert?.alertId, basename(file, '.avro'));
      assert.ok(BigInt(alert.alertId) > BigInt(Number.MAX_SAFE_INTEGER));
    }
  });

  it('reads all three alerts of the multi-record container in order', () => {
    const ids = decode('ztf-avro/fink/avro_multi_alerts_other.avro', true).map((a) => a.alertId);
    assert.deepEqual(ids, ['1788116342915015046', '1788115871115010062', '1788110916115010009']);
  });

  it('flags a ZTF detection of a known asteroid (ssdistnr 0", ssmagnr 18.7) as solar system', () => {
    const [alert] = decode('ztf-avro/2475433850015015001.avro', true);
    assert.equal(alert?.solarSystem, true);
    assert.equal(alert.ssDistanceArcsec, 0);
    assert.equal(alert.ssName, '110778');
    const [far] = decode('ztf-avro/2475433850015015000.avro', true);
    assert.equal(far?.solarSystem, false);
    assert.equal(far.ssDistanceArcsec, undefined);
  });

  it('uses rb when the ZTF 3.2 packet has no drb', () => {
    const [alert] = decode('ztf-avro/2019_01_10_739260766315010006.avro', true);
    assert.equal(alert?.reliability, 0.4471428692340851);
    assert.equal(alert.isPositive, false);
  });

  it("carries Fink's added fields from Fink-processed packets", () => {
    const [alert] = decode('ztf-avro/fink/fink-broker-sample-alert-1.avro', true);
    assert.deepEqual(alert?.fink, {
      timestamp: '2019-12-09 11:01:00.272',
      topic: 'ztf-simulator',
      cdsxmatch: 'RRLyr',
    });
    const [raw] = decode('ztf-avro/ZTF19acihgng.avro', true);
    assert.equal(raw?.fink, undefined);
  });

  it('takes the LSST first detection from diaObject / prvDiaSources and converts TAI to UTC', () => {
    const [alert] = decode('lsst-avro/v11_0/fakeAlert.avro', true);
    assert.equal(alert?.firstDetectionMjd, taiMjdToUtcMjd(60900.993305483615));
    assert.ok(Math.abs((alert.timeMjdTai ?? 0) - alert.timeMjd - 37 / 86400) < 1e-9);
    assert.equal(alert.nPreviousDetections, 2);
    assert.equal(alert.solarSystem, false);
    const [v7] = decode('lsst-avro/v7_4/fakeAlert.avro', true);
    assert.equal(v7?.solarSystem, true, 'the 7.4 sample carries an ssObject');
  });
});

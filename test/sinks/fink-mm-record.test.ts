/**
 * The tier topics' record: fink-mm's v1.3 layout (names, types, units) with coincide's fields
 * appended, built from a coincidence; 64-bit candid exact through Avro.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodeValue, encodeValue } from '../../src/sinks/avro/versioned-schema.ts';
import {
  FINK_MM_TIER_SCHEMA,
  finkLocError,
  finkMmRecord,
  finkTimeUtc,
  finkTriggerId,
} from '../../src/sinks/fink-mm-record.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { FINK_COINCIDENCE, OPTICAL_COINCIDENCE } from './avro/coincidence-fixtures.ts';

interface AvscField {
  name: string;
  type: unknown;
}

const ourFields = (JSON.parse(FINK_MM_TIER_SCHEMA.schemaJson) as { fields: AvscField[] }).fields;

describe('fink-mm tier record', () => {
  test(
    'starts with every field of fink-mm v1.3, same names and types, in order',
    { skip: skipUnlessShared() },
    () => {
      const theirs = (
        JSON.parse(readFileSync(samplePath('schemas/fink/fink_mm_schema_version_1.3.avsc'), 'utf8')) as {
          fields: AvscField[];
        }
      ).fields.filter((f) => f.name !== '__index_level_0__'); // pandas' index, written by accident
      assert.equal(theirs.length, 42);
      assert.deepStrictEqual(
        ourFields.slice(0, theirs.length).map((f) => [f.name, f.type]),
        theirs.map((f) => [f.name, f.type]),
      );
    },
  );

  test('has every field nullable', () => {
    for (const field of ourFields) {
      assert.ok(Array.isArray(field.type) && field.type.includes('null'), `${field.name} is nullable`);
    }
  });

  test('maps a coincidence to fink-mm names and units', () => {
    const r = finkMmRecord(FINK_COINCIDENCE);
    assert.equal(r.objectId, 'ZTF22abcdefg');
    assert.equal(r.candid, 2475433850015015022n);
    assert.equal(r.ztf_ra, 225.03);
    assert.equal(r.ztf_dec, -69.49);
    assert.equal(r.fid, 2);
    assert.equal(r.jd, 59789.4921296 + 2400000.5);
    assert.equal(r.jdstarthist, 59789.4421296 + 2400000.5);
    assert.equal(r.rb, 0.93);
    assert.equal(r.instrument, 'BAT');
    assert.equal(r.event, 'GRB 220729A');
    assert.equal(r.observatory, 'SWIFT');
    assert.equal(r.triggerId, '1118357');
    assert.equal(r.gcn_ra, 225.0206);
    assert.equal(r.gcn_dec, -69.4968);
    assert.equal(r.gcn_loc_error, 3); // 0.05° in arcmin
    assert.equal(r.triggerTimeUTC, '2022-07-29 10:17:31.510');
    assert.equal(r.p_assoc, 1 - OPTICAL_COINCIDENCE.pChance);
    assert.equal(r.fink_class, 'SN candidate');
    assert.equal(r.cdsxmatch, 'Unknown');
    assert.equal(r.snn_sn_vs_all, 0.8);
    assert.equal(r.roid, 0);
    assert.equal(r.nalerthist, 3);
    assert.equal(r.rate, -0.45); // Fink's mag_rate, mag/day
    assert.equal(r.mag_rate, -0.45);
    assert.equal(r.delta_mag, null);
    assert.equal(r.DR3Name, null);
    assert.equal(r.magpsf, 18.25);
    assert.equal(r.tier, 'gold');
    assert.equal(r.coincidenceId, 'c-fink');
    assert.equal(r.coincideTriggerId, 'Swift:1118357');
    assert.deepEqual(JSON.parse(r.fink_extra as string), { fink_broker_version: '3.1' });
  });

  test('writes null where coincide has no value (a raw ZTF alert, no position)', () => {
    const r = finkMmRecord(OPTICAL_COINCIDENCE);
    for (const field of [
      'rb',
      'fid',
      'fink_class',
      'rate',
      'gcn_ra',
      'gcn_loc_error',
      'instrument',
      'fink_extra',
    ]) {
      assert.equal(r[field], null, field);
    }
    assert.equal(r.observatory, 'Fermi');
    assert.equal(r.triggerId, '537755817');
  });

  test('goes through Avro with candid exact past 2^53', () => {
    const record = finkMmRecord(FINK_COINCIDENCE);
    const encoded = encodeValue(FINK_MM_TIER_SCHEMA, record, 'avro');
    const back = decodeValue([FINK_MM_TIER_SCHEMA], encoded.value, encoded.headers);
    assert.deepStrictEqual(back, record);
    assert.equal(typeof back.candid, 'bigint');
  });

  test('units and ids as fink-mm writes them', () => {
    assert.equal(finkTriggerId('LVK:S230518h'), 'S230518h');
    assert.equal(finkTriggerId('Fermi-GBM-SubThresh:123'), '123');
    assert.equal(finkTimeUtc('2023-05-18T12:59:08.167Z'), '2023-05-18 12:59:08.167');
    const skymapTrigger = { ...FINK_COINCIDENCE.trigger };
    delete skymapTrigger.errorRadiusDeg;
    assert.equal(finkLocError(skymapTrigger, 665.8), 665.8 * 3600);
    assert.equal(finkLocError(skymapTrigger, undefined), null);
  });
});

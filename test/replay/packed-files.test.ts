import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { serialize, deserialize } from 'node:v8';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import type { DecodedFile } from '../../src/replay/decode-file.ts';
import { type PackedFiles, packFiles, unpackFiles } from '../../src/replay/packed-files.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

/** Packs, sends as postMessage would (structured clone), unpacks. */
function roundTrip(files: DecodedFile[]): DecodedFile[] {
  return unpackFiles(deserialize(serialize(packFiles(files))) as PackedFiles);
}

/** Every key in order, with its value (Object.is: NaN, −0), at every level of the results. */
function assertExactlyEqual(actual: DecodedFile[], expected: DecodedFile[]): void {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
  assert.deepStrictEqual(actual, expected);
  for (const [f, file] of expected.entries()) {
    const got = actual[f] as DecodedFile;
    if (file.kind !== 'alerts' || got.kind !== 'alerts') continue;
    for (const [a, alert] of file.alerts.entries()) {
      const other = got.alerts[a] as unknown as Record<string, unknown>;
      assert.deepEqual(Object.keys(other), Object.keys(alert));
      for (const [key, value] of Object.entries(alert)) {
        if (typeof value === 'object' && value !== null) assert.deepStrictEqual(other[key], value);
        else assert.ok(Object.is(other[key], value), key);
      }
    }
  }
}

const base: OpticalAlert = {
  survey: 'LSST',
  objectId: '313853035123000000',
  alertId: '170000000000000000',
  raDeg: 243.1045725569129,
  decDeg: 56.706445409236196,
  timeMjd: 61016.1,
  band: 'r',
  isPositive: false,
  firstDetectionMjd: 60974.570716989365,
  solarSystem: false,
};

describe('packed decode results (thread to caller)', () => {
  test('alerts of several shapes, other and failed files come back exactly, in order', () => {
    const files: DecodedFile[] = [
      { kind: 'alerts', alerts: [base, { ...base, fluxNJy: -0, reliability: Number.NaN }] },
      { kind: 'other' },
      { kind: 'failed', message: 'AVRO_MALFORMED: block has bytes after its last record' },
      { kind: 'alerts', alerts: [] },
      {
        kind: 'alerts',
        alerts: [
          // Keys in another order, an explicit undefined, Fink's values (an object, null, 64-bit strings).
          {
            band: 'g',
            ...Object.fromEntries(Object.entries(base).filter(([key]) => key !== 'band')),
            magnitude: undefined,
            ssName: 'é ☄ 2019 AB',
            fink: { fink_class: 'SN candidate', snn_sn_vs_all: 0.93, cdsxmatch: null, roid: true },
          } as unknown as OpticalAlert,
          { ...base, timeMjd: Number.POSITIVE_INFINITY, isPositive: true },
        ],
      },
      { kind: 'failed', message: 'ENOENT: no such file' },
    ];
    const back = roundTrip(files);
    assertExactlyEqual(back, files);
    // The explicit undefined stays a key, as structured clone keeps it.
    const fink = back[4]?.kind === 'alerts' ? back[4].alerts[0] : undefined;
    assert.ok(fink && 'magnitude' in fink);
    assert.equal(Object.keys(fink).indexOf('band'), 0);
  });

  test('no files, and files with no alerts', () => {
    assert.deepEqual(roundTrip([]), []);
    assert.deepEqual(roundTrip([{ kind: 'other' }, { kind: 'other' }]), [
      { kind: 'other' },
      { kind: 'other' },
    ]);
  });

  test('real ZTF and LSST alerts, as the decoder gives them', { skip: skipUnlessShared() }, () => {
    const decoder = new OpticalAlertDecoder();
    const ztf = decoder.decodeContainer(readFileSync(samplePath('ztf-avro/ZTF19acihgng.avro')));
    assert.ok(ztf.length > 0);
    const files: DecodedFile[] = [
      { kind: 'alerts', alerts: ztf },
      { kind: 'alerts', alerts: [{ ...base }, ...ztf] },
    ];
    assertExactlyEqual(roundTrip(files), files);
  });
});

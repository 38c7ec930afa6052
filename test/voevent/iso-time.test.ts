import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseIsoTimeUtc } from '../../src/voevent/iso-time.ts';

describe('parseIsoTimeUtc', () => {
  test('reads every ISOTime form met in the samples as UTC', () => {
    assert.equal(parseIsoTimeUtc('2023-09-11T07:53:09.73'), Date.UTC(2023, 8, 11, 7, 53, 9, 730));
    assert.equal(parseIsoTimeUtc('2023-05-18T12:59:08Z'), Date.UTC(2023, 4, 18, 12, 59, 8));
    assert.equal(parseIsoTimeUtc('2026-04-21T04:13:21'), Date.UTC(2026, 3, 21, 4, 13, 21));
    assert.equal(parseIsoTimeUtc('2016-09-25T11:16:48+00:00'), Date.UTC(2016, 8, 25, 11, 16, 48));
    assert.equal(parseIsoTimeUtc('2016-09-25T13:16:48+0200'), Date.UTC(2016, 8, 25, 11, 16, 48));
    assert.equal(parseIsoTimeUtc(' 2019-04-25T08:18:05.017147 '), Date.UTC(2019, 3, 25, 8, 18, 5) + 17.147);
  });

  test('refuses out-of-range fields and other text', () => {
    for (const text of [
      '2022-10-12T1278:27:25.12',
      '2023-13-01T00:00:00',
      '2023-02-29T00:00:00',
      '2023-01-01T24:00:00',
      '2023-01-01T00:60:00',
      '2023-01-01',
      '2023-01-01T00:00:00+25:00',
      'NaN',
      '',
    ]) {
      assert.equal(parseIsoTimeUtc(text), undefined, text);
    }
    assert.equal(parseIsoTimeUtc('2024-02-29T00:00:00'), Date.UTC(2024, 1, 29));
  });

  test('agrees with Date.parse on any millisecond-precision UTC time, with or without Z', () => {
    const times = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) });
    fc.assert(
      fc.property(times, (unixMs) => {
        const iso = new Date(unixMs).toISOString();
        assert.equal(parseIsoTimeUtc(iso), unixMs);
        assert.equal(parseIsoTimeUtc(iso.slice(0, -1)), unixMs);
      }),
      { seed: 20260102, numRuns: 500 },
    );
  });
});

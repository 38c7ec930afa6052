import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { parseUtcIsoMs, tjdSodToUnixMs } from '../../src/notices/notice-time.ts';

describe('notice times', () => {
  it('reads every published ISOTime form as UTC, to the millisecond', () => {
    const iso = (text: string): string => new Date(parseUtcIsoMs(text)!).toISOString();
    assert.equal(iso('2023-09-11T07:53:09.73'), '2023-09-11T07:53:09.730Z');
    assert.equal(iso('2019-04-25T08:18:05.017147'), '2019-04-25T08:18:05.017Z');
    assert.equal(iso('2023-05-18T12:59:08Z'), '2023-05-18T12:59:08.000Z');
    assert.equal(iso('2016-09-25T11:16:48+00:00'), '2016-09-25T11:16:48.000Z');
    assert.equal(iso('2024-09-18 07:19:03.518831+00:00'), '2024-09-18T07:19:03.519Z');
    assert.equal(iso('2024-01-01T01:00:00+01:00'), '2024-01-01T00:00:00.000Z');
    assert.equal(iso('2026-04-21T04:13:21'), '2026-04-21T04:13:21.000Z');
  });

  it('refuses impossible dates and non-times', () => {
    assert.equal(parseUtcIsoMs('2022-10-12T1278:27:25.12'), undefined);
    assert.equal(parseUtcIsoMs('2026-01--9130T00:00:00.00'), undefined);
    assert.equal(parseUtcIsoMs('2023-02-29T00:00:00'), undefined);
    assert.equal(parseUtcIsoMs('yesterday'), undefined);
  });

  it('converts GCN TJD/SOD (MJD = TJD + 40000): GRB 180116A', () => {
    assert.equal(new Date(tjdSodToUnixMs(18134, 2212.81)).toISOString(), '2018-01-16T00:36:52.810Z');
  });

  it('round-trips any millisecond time written without a zone, with Z, or with an offset', () => {
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (ms, offsetMin) => {
          const iso = new Date(ms).toISOString();
          assert.equal(parseUtcIsoMs(iso), ms);
          assert.equal(parseUtcIsoMs(iso.slice(0, -1)), ms, 'no zone means UTC');
          const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, -1);
          const sign = offsetMin < 0 ? '-' : '+';
          const abs = Math.abs(offsetMin);
          assert.equal(parseUtcIsoMs(`${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`), ms);
        },
      ),
    );
  });
});

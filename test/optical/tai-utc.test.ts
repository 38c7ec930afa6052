import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { taiMinusUtcSec, taiMjdToUtcMjd } from '../../src/optical/tai-utc.ts';
import { loadReference } from './avro-fixtures.ts';

describe('TAI to UTC', () => {
  it('matches astropy.time for times around and after the 2017 leap second', () => {
    for (const { mjdTai, mjdUtc } of loadReference().taiToUtc) {
      // 1e-9 day = 86 µs: astropy and a double subtraction agree far better than that.
      assert.ok(
        Math.abs(taiMjdToUtcMjd(mjdTai) - mjdUtc) < 1e-9,
        `${String(mjdTai)}: ${String(taiMjdToUtcMjd(mjdTai))} vs ${String(mjdUtc)}`,
      );
    }
  });

  it('uses 37 s since 2017-01-01 and 36 s just before', () => {
    assert.equal(taiMinusUtcSec(60902.99), 37);
    assert.equal(taiMinusUtcSec(57753.5), 36);
    assert.equal(taiMinusUtcSec(30000), 10);
  });
});

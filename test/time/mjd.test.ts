import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jdToMjd, mjdToIso, unixMsToMjd } from '../../src/time/mjd.ts';

describe('MJD conversions', () => {
  it('puts the Unix epoch at MJD 40587 and J2000 noon at MJD 51544.5', () => {
    assert.equal(unixMsToMjd(0), 40587);
    assert.equal(unixMsToMjd(Date.parse('2000-01-01T12:00:00Z')), 51544.5);
  });

  it('matches GW170817 (2017-08-17T12:41:04.4Z = MJD 57982.528523)', () => {
    assert.ok(Math.abs(unixMsToMjd(Date.parse('2017-08-17T12:41:04.400Z')) - 57982.5285231) < 1e-7);
    assert.equal(mjdToIso(57982.52852315), '2017-08-17T12:41:04.400Z');
  });

  it('converts JD to MJD', () => {
    assert.equal(jdToMjd(2458000.5), 58000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('MAXI VOEvents', { skip: skipUnlessShared() }, () => {
  it('reads a Known_Source notice with its trimmed source name', () => {
    const n = parseSample('voevent/grb/Known_source_Pos_2023-10-18T11:58:32.00_2035894989-0-695.xml');
    assert.deepEqual(summary(n), {
      observatory: 'MAXI',
      instrument: 'GSC',
      noticeType: 'MAXI_KNOWN',
      triggerId: 'MAXI:2035894989',
      alertType: 'initial',
      triggerTime: '2023-10-18T11:58:32.000Z',
      role: 'observation',
    });
    assert.equal(n.messenger, 'xray');
    assert.equal(n.eventName, 'X-ray burst from Ser X-1');
    assertCircle(n.region, {
      raDeg: 279.99,
      decDeg: 5.0359,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads the HR 1099 notice', () => {
    const n = parseSample('voevent/grb/MAXI_HR1099_stupid_name.xml');
    assert.equal(n.triggerId, 'MAXI:5838849999');
    assert.equal(n.triggerTime, '2019-04-10T23:37:05.000Z');
    assertCircle(n.region, {
      raDeg: 54.197,
      decDeg: 0.5879,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: false,
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECONDS_PER_JULIAN_YEAR } from '../../src/notices/voevent-family.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('AMON VOEvents', { skip: skipUnlessShared() }, () => {
  it('reads NU_EM_COINC with its Error2Radius at 50 % containment and FAR in Hz', () => {
    const n = parseSample('voevent/neutrino/NU_EM_Event2023-05-23T02:57:23.00_000000_000134980-663.xml');
    assert.deepEqual(summary(n), {
      observatory: 'AMON',
      instrument: 'NU_EM',
      noticeType: 'AMON_NU_EM_COINC',
      triggerId: 'AMON:NU_EM_1_0_134980',
      alertType: 'update',
      triggerTime: '2023-05-23T02:57:23.000Z',
      role: 'observation',
    });
    assertCircle(n.region, {
      raDeg: 143.4,
      decDeg: 4.83,
      radiusDeg: 0.14,
      containment: 0.5,
      systematicIncluded: false,
    });
    assert.ok(Math.abs(n.farHz! - 0.87016 / SECONDS_PER_JULIAN_YEAR) < 1e-20);
    assert.equal(n.eventName, '230523A');
  });

  it('reads HAWC_BURST_MONITOR as a gamma-ray notice with a 90 % radius', () => {
    const n = parseSample(
      'voevent/grb/HAWC_BURST_MONITOR_Event2023-05-04T04:32:16.00_10011296_000009331-066.xml',
    );
    assert.equal(n.observatory, 'HAWC');
    assert.equal(n.messenger, 'gamma');
    assert.equal(n.triggerId, 'AMON:HAWC_7_10011296_9331');
    assert.equal(n.alertType, 'initial');
    assertCircle(n.region, {
      raDeg: 172.2954,
      decDeg: 42.4087,
      radiusDeg: 0.4,
      containment: 0.9,
      systematicIncluded: false,
    });
    assert.ok(Math.abs(n.farHz! - 6.850149 / SECONDS_PER_JULIAN_YEAR) < 1e-20);
  });

  it('keeps the AMON test event as a test', () => {
    const n = parseSample('voevent/other/TEST_Event2023-05-25T16:46:42.00_099999-058.xml');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.triggerTime, '2023-05-25T16:46:42.000Z');
  });
});

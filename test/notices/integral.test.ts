import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { integralTriggerFromIvorn } from '../../src/notices/integral.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('INTEGRAL VOEvents', { skip: skipUnlessShared() }, () => {
  it('takes the trigger id from the ivorn, so Wakeup and Refined share it though their TrigIDs differ', () => {
    const wakeup = parseSample('voevent/grb/voevent_number=18790.xml');
    const refined = parseSample('voevent/grb/voevent_number=18791.xml');
    assert.deepEqual(summary(wakeup), {
      observatory: 'INTEGRAL',
      instrument: 'IBIS',
      noticeType: 'INTEGRAL_WAKEUP',
      triggerId: 'INTEGRAL:10042',
      alertType: 'initial',
      triggerTime: '2022-09-26T10:38:19.750Z',
      role: 'observation',
    });
    assert.equal(refined.params.TrigID, 75578);
    assert.deepEqual(summary(refined), {
      observatory: 'INTEGRAL',
      instrument: 'IBIS',
      noticeType: 'INTEGRAL_REFINED',
      triggerId: 'INTEGRAL:10042',
      alertType: 'update',
      triggerTime: '2022-09-26T10:38:25.750Z',
      role: 'observation',
    });
    assertCircle(refined.region, {
      raDeg: 273.9546,
      decDeg: -37.2428,
      radiusDeg: 0.0431,
      containment: 0.9,
      systematicIncluded: true,
    });
  });

  it('reads SPI-ACS as time-only', () => {
    const n = parseSample('voevent/grb/SPIACS_010054-0-822.xml');
    assert.equal(n.triggerId, 'INTEGRAL:10054');
    assert.equal(n.instrument, 'SPI-ACS');
    assert.deepEqual(n.region, { type: 'none' });
    assert.equal(n.triggerTime, '2022-10-12T14:17:54.430Z');
  });

  it('keeps the Offline_Pos example as a test', () => {
    const n = parseSample('voevent/grb/Offline_Pos_000234-0-841.xml');
    assert.equal(n.triggerId, 'INTEGRAL:234');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
  });
});

describe('integralTriggerFromIvorn', () => {
  it('reads the number before the two trailing serials', () => {
    assert.equal(integralTriggerFromIvorn('Refined_Pos_010042-1-942'), '10042');
    assert.equal(integralTriggerFromIvorn('Point_Dir'), undefined);
  });
});

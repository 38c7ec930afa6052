import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('the generic VOEvent fallback', { skip: skipUnlessShared() }, () => {
  it('reads a GECAM notice by Trigger_Number', () => {
    const flt = parseSample('voevent/grb/FLT_Event_2022-10-13T01:29:20.00_000029-847.xml');
    const gnd = parseSample('voevent/grb/GND_Event_2022-10-13T01:29:20.00_000015-900.xml');
    assert.deepEqual(summary(flt), {
      observatory: 'GECAM',
      instrument: 'B',
      noticeType: 'GECAM_FLT',
      triggerId: 'GECAM:11',
      alertType: 'initial',
      triggerTime: '2022-10-13T00:00:53.600Z',
      role: 'observation',
    });
    assert.equal(gnd.triggerId, 'GECAM:11');
    assertCircle(gnd.region, {
      raDeg: 296.45,
      decDeg: 22.84,
      radiusDeg: 2.12,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads a 4PiSky ASAS-SN packet with a +00:00 time and the ivorn as trigger id', () => {
    const n = parseSample('voevent/other/ASASSN#2016-09-25.47_2016fvf_PTSS-16nqb_PS16ejf.xml');
    assert.equal(n.observatory, 'ASASSN');
    assert.equal(n.triggerTime, '2016-09-25T11:16:48.000Z');
    assert.equal(n.triggerId, 'ivo://voevent.4pisky.org/ASASSN#2016-09-25.47_2016fvf_PTSS-16nqb_PS16ejf');
    assert.equal(n.region.type, 'circle');
  });

  it('reads ANTARES as a neutrino notice', () => {
    const n = parseSample('voevent/neutrino/Antares_1438351269.xml');
    assert.equal(n.observatory, 'ANTARES');
    assert.equal(n.messenger, 'neutrino');
    assert.equal(n.triggerId, 'ANTARES:1438351269');
    assert.deepEqual(n.citations, [], 'the empty EventIVORN is dropped');
  });

  it('makes time-only notices of AGILE MCAL (0/0/0) and SNEWS (radius 360°)', () => {
    const agile = parseSample('voevent/grb/A_MCAL_Alert_2022-10-22T22:56:11.76_593564171-739.xml');
    assert.equal(agile.triggerId, 'AGILE:593564171');
    assert.deepEqual(agile.region, { type: 'none' });
    const snews = parseSample('voevent/neutrino/Event2018-09-18T16:00:01.00_1000194-580.xml');
    assert.deepEqual(snews.region, { type: 'none' });
    assert.equal(snews.role, 'test');
  });

  it("marks gwcelery's LVK-internal repackagings as mocks", () => {
    const n = parseSample('voevent/other/einsteinprobe_grb_template.xml');
    assert.equal(n.mock, true);
    assert.ok(n.flags?.includes('lvk-internal'));
  });
});

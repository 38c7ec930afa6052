import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('SVOM VOEvents', { skip: skipUnlessShared() }, () => {
  it('threads GRM, ECLAIRs and MXT of burst sb26042105 under one trigger id', () => {
    const grm = parseSample('voevent/grb/grm_331.xml');
    const eclairs = parseSample('voevent/grb/eclairs_311.xml');
    const mxt = parseSample('voevent/grb/mxt_49.xml');
    assert.deepEqual(summary(grm), {
      observatory: 'SVOM',
      instrument: 'GRM',
      noticeType: 'grm-trigger',
      triggerId: 'SVOM:sb26042105',
      alertType: 'initial',
      triggerTime: '2026-04-21T04:13:21.000Z',
      role: 'observation',
    });
    assert.deepEqual(grm.region, { type: 'none' }, 'GRM without Position2D is time-only');
    assert.equal(eclairs.triggerId, 'SVOM:sb26042105');
    assert.equal(eclairs.triggerTime, '2026-04-21T04:13:17.959Z');
    assertCircle(eclairs.region, {
      raDeg: 189.9811,
      decDeg: -17.7676,
      radiusDeg: 0.0535,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.deepEqual(summary(mxt), {
      observatory: 'SVOM',
      instrument: 'MXT',
      noticeType: 'mxt-initial_qf2',
      triggerId: 'SVOM:sb26042105',
      alertType: 'update',
      triggerTime: '2026-04-21T04:18:40.264Z',
      role: 'observation',
    });
    assert.equal(mxt.messenger, 'xray');
    assertCircle(mxt.region, {
      raDeg: 190.0318,
      decDeg: -17.7566,
      radiusDeg: 0.027,
      containment: 0.9,
      systematicIncluded: true,
    });
  });

  it('makes a GRM with Error2Radius −1 time-only', () => {
    assert.deepEqual(parseSample('voevent/grb/grm_330.xml').region, { type: 'none' });
  });

  it('reads the retraction packet (219) as a retraction that keeps its position and cites what it retracts', () => {
    const n = parseSample('voevent/grb/eclairs_304.xml');
    assert.equal(n.alertType, 'retraction');
    assert.equal(n.triggerId, 'SVOM:sb26030408');
    assert.equal(n.role, 'observation');
    assert.ok(n.citations.some((c) => c.cite === 'retraction'));
    assertCircle(n.region, {
      raDeg: 47.0752,
      decDeg: 40.9505,
      radiusDeg: 0.1515,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.equal(parseSample('voevent/grb/grm_286.xml').alertType, 'retraction');
  });

  it('turns the slew decision into flags', () => {
    const n = parseSample('voevent/grb/eclairs_297.xml');
    assert.equal(n.noticeType, 'not-slewing');
    assert.ok(n.flags?.includes('not-slewing'));
    assert.ok(n.flags?.includes('slew-rejected'));
    assert.ok(
      parseSample('voevent/grb/svom_voevent_sb25082402_eclairs-catalog.xml').flags?.includes(
        'slew-not-requested',
      ),
    );
  });
});

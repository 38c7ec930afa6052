import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECONDS_PER_JULIAN_YEAR } from '../../src/notices/voevent-family.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('IceCube VOEvents', { skip: skipUnlessShared() }, () => {
  it('links the two revisions of a Gold track by run and event id; Rev 1 grows the 90 % radius', () => {
    const rev0 = parseSample(
      'voevent/neutrino/ICECUBE_GOLD_Event2023-10-04T14:39:41.18_24_138415_056188508_0.xml',
    );
    const rev1 = parseSample(
      'voevent/neutrino/ICECUBE_GOLD_Event2023-10-04T14:39:41.18_24_138415_056188508_1.xml',
    );
    assert.deepEqual(summary(rev0), {
      observatory: 'IceCube',
      instrument: 'Gold',
      noticeType: 'ICECUBE_ASTROTRACK_GOLD',
      triggerId: 'IceCube:138415_56188508',
      alertType: 'initial',
      triggerTime: '2023-10-04T14:39:41.180Z',
      role: 'observation',
    });
    assert.equal(rev1.triggerId, rev0.triggerId);
    assert.equal(rev1.alertType, 'update');
    assert.equal(rev1.revision, 1);
    assertCircle(rev0.region, {
      raDeg: 143.7656,
      decDeg: 25.0511,
      radiusDeg: 0.5134,
      containment: 0.9,
      systematicIncluded: false,
    });
    assertCircle(rev1.region, {
      raDeg: 143.7899,
      decDeg: 25.0399,
      radiusDeg: 1.09,
      containment: 0.9,
      systematicIncluded: false,
    });
    assert.equal(rev1.messenger, 'neutrino');
    assert.ok(Math.abs(rev1.farHz! - 0.449 / SECONDS_PER_JULIAN_YEAR) < 1e-20, 'FAR yr⁻¹ -> Hz');
    assert.equal(rev1.pAstro, 0.8418);
    assert.equal(rev1.energyTeV, 442.1809);
  });

  it('reads a Bronze track and its refined revision', () => {
    const rev0 = parseSample(
      'voevent/neutrino/ICECUBE_BRONZE_Event2023-05-11T18:03:50.10_25_137932_001791376_0.xml',
    );
    const rev1 = parseSample(
      'voevent/neutrino/ICECUBE_BRONZE_Event2023-05-11T18:03:50.10_25_137932_001791376_1.xml',
    );
    assert.equal(rev0.triggerId, 'IceCube:137932_1791376');
    assert.equal(rev0.instrument, 'Bronze');
    assertCircle(rev1.region, {
      raDeg: 17.05,
      decDeg: 37.0799,
      radiusDeg: 3.4599,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads a Cascade with its event name', () => {
    const n = parseSample(
      'voevent/neutrino/ICECUBE_Cascade_Event2023-06-10T23:59:35.57_26_138035_055730330_0.xml',
    );
    assert.equal(n.instrument, 'Cascade');
    assert.equal(n.eventName, 'IceCubeCascade-230610a');
    assertCircle(n.region, {
      raDeg: 160.9127,
      decDeg: 0.9518,
      radiusDeg: 10.505,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('takes the EHE radius at 50 % containment (its Error2Radius is src_error_50)', () => {
    const n = parseSample(
      'voevent/neutrino/ICECUBE_EHE_Event2018-09-08T19:59:31.84_131475_034507973-708.xml',
    );
    assert.equal(n.triggerId, 'IceCube:131475_34507973');
    assertCircle(n.region, {
      raDeg: 145.7729,
      decDeg: -2.5178,
      radiusDeg: 0.3393,
      containment: 0.5,
      systematicIncluded: false,
    });
  });

  it('reads the VOEvent 1.1 AMON Gold copy', () => {
    const n = parseSample('voevent/neutrino/AMON_ICECUBE_GOLD_190730.xml');
    assert.equal(n.triggerId, 'IceCube:132910_57145925');
    assert.equal(n.triggerTime, '2019-07-30T20:50:41.310Z');
    assertCircle(n.region, {
      raDeg: 225.7899,
      decDeg: 10.47,
      radiusDeg: 1.185,
      containment: 0.9,
      systematicIncluded: false,
    });
  });
});

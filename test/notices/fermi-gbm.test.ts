import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('Fermi GBM VOEvents', { skip: skipUnlessShared() }, () => {
  it('reads the GBM Alert of GRB 180116A as a time-only initial notice', () => {
    const n = parseSample('voevent/grb/GRB180116A_Fermi_GBM_Alert.xml');
    assert.deepEqual(summary(n), {
      observatory: 'Fermi',
      instrument: 'GBM',
      noticeType: 'FERMI_GBM_ALERT',
      triggerId: 'Fermi:537755817',
      alertType: 'initial',
      triggerTime: '2018-01-16T00:36:52.810Z',
      role: 'observation',
    });
    assert.deepEqual(n.region, { type: 'none' });
    assert.equal(n.messenger, 'gamma');
    assert.ok(Math.abs(n.triggerTimeMjd - (58134 + 2212.81 / 86400)) < 1e-8, 'MJD = TJD + 40000 + SOD/86400');
  });

  it('reads a Flt_Pos radius as 68 % statistical-only containment with the most likely class', () => {
    const n = parseSample('voevent/grb/GRB180116A_Fermi_GBM_Flt_Pos.xml');
    assert.equal(n.triggerId, 'Fermi:537755817');
    assert.equal(n.alertType, 'update');
    assert.equal(n.noticeType, 'FERMI_GBM_FLT_POS');
    assertCircle(n.region, {
      raDeg: 216.3833,
      decDeg: 18.7,
      radiusDeg: 19.8333,
      containment: 0.68,
      systematicIncluded: false,
    });
    assert.equal(n.classification, 'GRB');
    assert.ok(n.classificationProbabilities?.GRB !== undefined);
    assert.deepEqual(n.citations, [
      {
        ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Alert_2018-01-16T00:36:52.81_537755817_1-994',
        cite: 'followup',
      },
    ]);
  });

  it('keeps one trigger id across the Alert, Flt, Gnd and Fin chain of 716111594 (single-line archive copies)', () => {
    const files = [
      'voevent/grb/GBM_Alert_2023-09-11T07:53:09.73_716111594_1-485.xml',
      'voevent/grb/GBM_Flt_Pos_2023-09-11T07:53:09.73_716111594_59-490.xml',
      'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml',
      'voevent/grb/GBM_Fin_Pos2023-09-11T07:53:09.73_716111594_0-588.xml',
    ];
    const notices = files.map(parseSample);
    assert.deepEqual(new Set(notices.map((n) => n.triggerId)), new Set(['Fermi:716111594']));
    assert.deepEqual(
      notices.map((n) => n.noticeType),
      ['FERMI_GBM_ALERT', 'FERMI_GBM_FLT_POS', 'FERMI_GBM_GND_POS', 'FERMI_GBM_FIN_POS'],
    );
    assert.deepEqual(
      notices.map((n) => n.revision),
      [1, 59, 58, 0],
    );
    assert.ok(notices.every((n) => n.triggerTime === '2023-09-11T07:53:09.730Z'));
    assertCircle(notices[2]!.region, {
      raDeg: 153.61,
      decDeg: -22.54,
      radiusDeg: 3.41,
      containment: 0.68,
      systematicIncluded: false,
    });
    assertCircle(notices[3]!.region, {
      raDeg: 154.85,
      decDeg: -20.9199,
      radiusDeg: 1,
      containment: 0.68,
      systematicIncluded: false,
    });
  });

  it('classifies from Most_Likely_Index: a TGF although Def_NOT_a_GRB is false', () => {
    const n = parseSample('voevent/grb/GBM_Flt_Pos_2023-05-06T10:45:31.36_705062736_51-469.xml');
    assert.equal(n.classification, 'TGF');
    assert.equal(n.alertType, 'update');
    assert.equal(n.flags, undefined);
    assert.equal(
      parseSample('voevent/grb/GBM_Flt_Pos_2023-05-08T14:17:32.28_705248257_85-984.xml').classification,
      'SOLAR_FLARE',
    );
  });

  it('reads a VOEvent 1.1 Flt_Pos (STC namespace) the same way', () => {
    const n = parseSample('voevent/grb/gbm_flt_pos.xml');
    assert.equal(n.triggerId, 'Fermi:336801278');
    assert.equal(n.triggerTime, '2011-09-04T03:54:36.020Z');
    assertCircle(n.region, {
      raDeg: 193,
      decDeg: -31.75,
      radiusDeg: 17.4333,
      containment: 0.68,
      systematicIncluded: false,
    });
  });

  it('keeps a SubThresh notice (role=test as issued) under its own trigger namespace, timed from ISOTime', () => {
    const n = parseSample('voevent/grb/GBM_SubThresh_2023-05-06T02:05:17.00_705031522_0-936.xml');
    assert.equal(n.triggerId, 'Fermi-GBM-SubThresh:705031522');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.triggerTime, '2023-05-06T02:05:17.220Z');
    assertCircle(n.region, {
      raDeg: 208.1699,
      decDeg: -62.24,
      radiusDeg: 14.16,
      containment: 0.68,
      systematicIncluded: false,
    });
    assert.equal(
      n.params.HealPix_URL,
      'https://gcn.gsfc.nasa.gov/notices_gbm_sub/gbm_subthresh_705031522.224000_healpix.fits',
    );
  });

  it('keeps the trailing-Z ISOTime of the GRB 170817A Gnd_Pos', () => {
    const n = parseSample('voevent/grb/externaltrigger_original_data.xml');
    assert.equal(n.triggerId, 'Fermi:524666471');
    assert.equal(n.triggerTime, '2017-08-17T12:41:06.470Z');
    assertCircle(n.region, {
      raDeg: 186.62,
      decDeg: -48.84,
      radiusDeg: 17.45,
      containment: 0.68,
      systematicIncluded: false,
    });
  });
});

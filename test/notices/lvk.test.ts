import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { parseSample, summary } from './sample-notice.ts';

describe('LVK VOEvents', { skip: skipUnlessShared() }, () => {
  it('reads the S230518h preliminary: sky map, FAR, NSBH, significant, pAstro = 1 − Terrestrial', () => {
    const n = parseSample('voevent/gw/LVC_real_preliminary.xml');
    assert.deepEqual(summary(n), {
      observatory: 'LVK',
      instrument: 'H1,L1',
      noticeType: 'LVC_PRELIMINARY',
      triggerId: 'LVK:S230518h',
      alertType: 'preliminary',
      triggerTime: '2023-05-18T12:59:08.000Z',
      role: 'observation',
    });
    assert.equal(n.messenger, 'gw');
    assert.equal(n.eventName, 'S230518h');
    assert.deepEqual(n.region, {
      type: 'skymap',
      url: 'https://gracedb.ligo.org/api/superevents/S230518h/files/bayestar.multiorder.fits',
    });
    assert.equal(n.farHz, 3.218261352069347e-10);
    assert.equal(n.classification, 'NSBH');
    assert.equal(n.significant, true);
    assert.ok(Math.abs(n.pAstro! - (1 - 0.09901845917358532)) < 1e-15);
    assert.equal(n.hasNs, 1);
    assert.equal(n.hasRemnant, 0);
    assert.equal(n.hasMassGap, 0);
    assert.deepEqual(n.classificationProbabilities, {
      BNS: 0,
      NSBH: 0.8642645059209272,
      BBH: 0.036717034905487424,
      Terrestrial: 0.09901845917358532,
    });
    assert.equal(n.params['Properties.HasNS'], 1);
    assert.equal(n.params.HasRemnant, 0);
    assert.equal(n.mock, false);
  });

  it('follows S230518h through Initial and Updates with one trigger id', () => {
    const initial = parseSample('voevent/gw/LVC_real_initial.xml');
    const update = parseSample('voevent/gw/S230518h-4-Update.xml');
    assert.equal(initial.alertType, 'initial');
    assert.equal(update.alertType, 'update');
    assert.equal(update.triggerId, 'LVK:S230518h');
    assert.equal(update.revision, 4);
    assert.deepEqual(update.region, {
      type: 'skymap',
      url: 'https://gracedb.ligo.org/api/superevents/S230518h/files/Bilby.offline0.multiorder.fits,0',
    });
  });

  it('reads O3 groups by @type (no @name): classification and the pipeline-named sky map group', () => {
    const n = parseSample('voevent/gw/S190425z-1-Initial.xml');
    assert.equal(n.classification, 'BNS');
    assert.equal(n.triggerTime, '2019-04-25T08:18:05.017Z');
    assert.deepEqual(n.region, {
      type: 'skymap',
      url: 'https://gracedb.ligo.org/api/superevents/S190425z/files/bayestar.fits.gz',
    });
    assert.equal(n.significant, undefined, 'O3 has no Significant param');
  });

  it('detects retractions citing with "retraction" and with "supersedes" alike', () => {
    const genuine = parseSample('voevent/gw/S190405ar-2-Retraction.xml');
    assert.equal(genuine.alertType, 'retraction');
    assert.ok(genuine.citations.some((c) => c.cite === 'retraction'));
    assert.deepEqual(genuine.region, { type: 'none' });
    const mock = parseSample('voevent/gw/MS181101ab-5-Retraction.xml');
    assert.equal(mock.alertType, 'retraction');
    assert.ok(mock.citations.every((c) => c.cite === 'supersedes'));
    const reinstated = parseSample('voevent/gw/MS181101ab-6-Update.xml');
    assert.equal(reinstated.alertType, 'update', 'an Update superseding a retraction is not a retraction');
  });

  it('keeps mocks (MS…, role=test) and marks them', () => {
    const n = parseSample('voevent/gw/MS181101ab-1-EarlyWarning.xml');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.alertType, 'preliminary');
    assert.equal(n.noticeType, 'LVC_EARLY_WARNING');
    assert.equal(n.triggerTime, '2018-11-01T22:22:46.654Z');
  });

  it('uses the event time, not Who/Date, for an EarlyWarning', () => {
    const n = parseSample('voevent/gw/S230524x-1-EarlyWarning.xml');
    assert.equal(n.triggerTime, '2023-05-24T20:22:41.000Z');
    assert.equal(n.issuedTime, '2023-05-24T20:22:33.000Z', 'issued before the merger time');
    assert.equal(parseSample('voevent/gw/S230524x-2-Retraction.xml').alertType, 'retraction');
  });

  it('reads the O2 GW170817 notice and a Burst notice without classification', () => {
    const o2 = parseSample('voevent/gw/G298048-1-Initial.xml');
    assert.equal(o2.triggerId, 'LVK:G298048');
    assert.equal(o2.region.type, 'skymap');
    const burst = parseSample('voevent/gw/LVC_real_burst.xml');
    assert.equal(burst.classification, undefined);
    assert.equal(burst.triggerId, 'LVK:S230531f');
  });
});

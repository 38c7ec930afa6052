/**
 * finishNotice: the Notice's fields in their documented order (the key order of every JSON
 * output), with the optional ones present only when set.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finishNotice, type NoticeDraft } from '../../src/notices/notice-build.ts';

const REQUIRED: NoticeDraft = {
  ivorn: 'ivo://nasa.gsfc.gcn/Test#1',
  role: 'observation',
  messenger: 'gamma',
  observatory: 'Fermi',
  instrument: 'GBM',
  noticeType: 'Fermi GBM Flight Position',
  triggerId: 'Fermi:1',
  alertType: 'initial',
  triggerTimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 600),
  region: {
    type: 'circle',
    raDeg: 360,
    decDeg: 10,
    radiusDeg: 5,
    containment: 0.68,
    systematicIncluded: true,
  },
  params: { a: 1 },
  citations: [],
  source: { format: 'voevent', sha256: '0'.repeat(64) },
};

describe('finishNotice', () => {
  test('writes every field in the documented order', () => {
    const notice = finishNotice({
      ...REQUIRED,
      eventName: 'GRB 240102A',
      revision: 2,
      issuedTimeMs: Date.UTC(2024, 0, 2, 3, 5, 0),
      farHz: 1e-8,
      pAstro: 0.9,
      classification: 'BNS',
      classificationProbabilities: { BNS: 0.9, Terrestrial: 0.1 },
      hasNs: 1,
      hasRemnant: 0.5,
      hasMassGap: 0,
      significant: true,
      energyTeV: 0.2,
      mock: false,
      flags: ['b', 'a', 'b'],
    });
    assert.deepEqual(Object.keys(notice), [
      'ivorn',
      'role',
      'messenger',
      'observatory',
      'instrument',
      'noticeType',
      'triggerId',
      'eventName',
      'alertType',
      'revision',
      'triggerTime',
      'triggerTimeMjd',
      'issuedTime',
      'region',
      'farHz',
      'pAstro',
      'classification',
      'classificationProbabilities',
      'hasNs',
      'hasRemnant',
      'hasMassGap',
      'significant',
      'energyTeV',
      'mock',
      'flags',
      'params',
      'citations',
      'source',
    ]);
    assert.deepEqual(notice.flags, ['b', 'a']);
    assert.equal(notice.triggerTime, '2024-01-02T03:04:05.600Z');
    assert.deepEqual(notice.region, { ...REQUIRED.region, raDeg: 0 }); // RA folded into [0, 360)
  });

  test('leaves out optional fields that are unset, empty or not finite', () => {
    const notice = finishNotice({
      ...REQUIRED,
      revision: NaN,
      pAstro: Infinity,
      classificationProbabilities: {},
      flags: [],
      issuedTimeMs: -1e15,
    });
    assert.deepEqual(Object.keys(notice), [
      'ivorn',
      'role',
      'messenger',
      'observatory',
      'instrument',
      'noticeType',
      'triggerId',
      'alertType',
      'triggerTime',
      'triggerTimeMjd',
      'region',
      'params',
      'citations',
      'source',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { opticalPairBuilder, withdraw } from '../../src/join/build-coincidence.ts';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import { circle, makeAlert, makeNotice } from './make-records.ts';

const RATE_KEYS = [
  'backgroundPerDeg2PerDay',
  'backgroundMeasured',
  'backgroundSource',
  'backgroundExposureDeg2Day',
  'backgroundFromNightMjd',
  'backgroundToNightMjd',
  'backgroundObservedCellNights',
  'backgroundNewObjects',
  'searchedAreaDeg2',
  'credibleLevelSearched',
  'maxDelayDays',
  'candidateAreaDeg2',
  'candidateDelayDays',
  'minAreaDeg2',
  'minDelayDays',
  'statisticDeg2Day',
];

describe('optical pair records', () => {
  const notice = makeNotice({ triggerId: 'GRB:1', timeMjd: 60_000.5, region: circle(150, 20, 3) });
  const region = createCircleRegion(notice.region as Parameters<typeof createCircleRegion>[0]);
  const build = opticalPairBuilder({
    notice,
    region,
    window: { startSec: 0, endSec: 3 * 86_400 },
    rate: {
      perDeg2PerDay: 0.12,
      source: 'measured',
      fromNight: 59_992,
      toNight: 59_998,
      observedCellNights: 340,
      newObjects: 41,
      exposureDeg2Day: 341.7,
    },
  });
  const records = ['ZTF', 'LSST'].map((survey, i) =>
    build(
      makeAlert({
        survey: survey as 'ZTF' | 'LSST',
        objectId: `o${i}`,
        raDeg: 150.5 + i,
        decDeg: 20.2,
        timeMjd: 60_000.9,
      }),
    ),
  );

  test('equal their JSON round trip, with all 16 rates in order and nothing hidden showing', () => {
    for (const c of records) {
      const json: unknown = JSON.parse(JSON.stringify(c));
      assert.deepStrictEqual(json, JSON.parse(JSON.stringify(json)));
      assert.deepStrictEqual({ ...c, provenance: { ...c.provenance } }, json);
      assert.deepEqual(Object.keys(c.provenance.rates), RATE_KEYS);
      assert.deepEqual(Object.keys(c.provenance), [
        'triggerIvorn',
        'alertIds',
        'window',
        'rates',
        'regionHash',
        'formulaVersion',
        'triggerRevision',
      ]);
      assert.deepEqual(Object.getOwnPropertySymbols(c.provenance), []);
      assert.ok(!inspect(c.provenance, { showHidden: true }).includes('Symbol'));
      for (const value of Object.values(c.provenance.rates)) assert.ok(Number.isFinite(value));
    }
  });

  test('carry their own candidate figures and their survey floors, and the trigger figures shared', () => {
    const [ztf, lsst] = records.map((c) => c.provenance.rates) as [
      Record<string, number>,
      Record<string, number>,
    ];
    assert.notEqual(ztf.candidateAreaDeg2, lsst.candidateAreaDeg2);
    assert.equal(ztf.backgroundPerDeg2PerDay, 0.12);
    assert.equal(ztf.backgroundNewObjects, 41);
    assert.equal(lsst.backgroundFromNightMjd, 59_992);
    assert.equal(ztf.maxDelayDays, 3);
    assert.equal(ztf.minDelayDays, 30 / 86_400);
    assert.ok((ztf.statisticDeg2Day ?? 0) > 0);
  });

  test('keep their rates through a withdrawal', () => {
    const c = records[0];
    assert.ok(c);
    const withdrawn = withdraw(c, undefined);
    assert.equal(withdrawn.status, 'withdrawn');
    assert.deepStrictEqual(withdrawn.provenance.rates, c.provenance.rates);
    assert.equal(JSON.stringify(withdrawn.provenance), JSON.stringify(c.provenance));
  });
});

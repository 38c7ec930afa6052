/**
 * Searches and their tiers (searches.ts): the RAVEN formulas per search, gwcelery's publishing
 * rule with its trials factors, and every edge case of issue 10 for messenger pairs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
import { YEAR_SEC } from '../../src/join/score.ts';
import { DEFAULT_SCORE_SETTINGS, scoreMessengerPair, type PairScoreInput } from '../../src/join/searches.ts';
import { classifyNotice, DEFAULT_WINDOWS } from '../../src/join/windows.ts';
import { circle, makeNotice } from './make-records.ts';

const T0 = 60_100.5;
const gw = (farHz: number | undefined, group = 'CBC') =>
  makeNotice({ triggerId: 'LVK:S1', messenger: 'gw', timeMjd: T0, farHz, group });

function input(over: Partial<PairScoreInput>): PairScoreInput {
  return {
    triggerNotice: gw(1e-9),
    triggerClass: 'gw-cbc',
    counterpartNotice: makeNotice({ triggerId: 'Fermi:1', timeMjd: T0 + 2 / 86_400 }),
    counterpartClass: 'grb',
    window: DEFAULT_WINDOWS['gw-cbc×grb']!,
    overlap: 1,
    settings: DEFAULT_SCORE_SETTINGS,
    ...over,
  };
}

describe('searches', () => {
  test('GRB: FAR_t = Δt_w · 325/yr · FAR_GW, FAR_st = FAR_t / I_Ω, the LVK golden value exactly', () => {
    const s = scoreMessengerPair(input({ triggerNotice: gw(9.110699364861297e-14), overlap: 6.1328 }))!;
    assert.equal(s.search, 'GRB');
    assert.equal(s.rates.temporalFarHz, 5.6335184428841735e-18);
    assert.equal(s.farHz, 5.6335184428841735e-18 / 6.1328);
    assert.equal(s.rates.trialsFactor, 6);
    assert.match(s.formulaVersion, /search=GRB formula=raven-untargeted/);
  });

  test('a 29-per-year CBC pair has no tier; tiers follow FAR·T(T−1) against 1/(30 d) with margins', () => {
    const at = (farHz: number) => {
      // Choose FAR_GW so that FAR_st = farHz with I_Ω = 1.
      const farGw = farHz / (6 * (325 / YEAR_SEC));
      return scoreMessengerPair(input({ triggerNotice: gw(farGw) }))!;
    };
    const pair29 = at(29 / YEAR_SEC);
    assert.ok(Math.abs(pair29.farHz! * YEAR_SEC - 29) < 1e-9);
    assert.equal(pair29.tier, null);
    const thr = 1 / (30 * 86_400);
    assert.equal(at((thr / 30) * 0.999).tier, 'silver');
    assert.equal(at((thr / 30 / 100) * 0.999).tier, 'gold');
    assert.equal(at((thr / 30) * 5).tier, 'bronze');
    assert.equal(at((thr / 30) * 11).tier, null);
    // Burst: T = 3, FAR_thr = 1/yr.
    const burst = scoreMessengerPair(
      input({
        triggerNotice: gw(1e-12, 'Burst'),
        triggerClass: 'gw-burst',
        window: DEFAULT_WINDOWS['gw-burst×grb']!,
      }),
    )!;
    assert.equal(burst.rates.trialsFactor, 3);
    assert.equal(burst.rates.farThresholdHz, 1 / YEAR_SEC);
  });

  test('zero overlap is no coincidence; no positions: temporal FAR only and at most bronze', () => {
    assert.equal(scoreMessengerPair(input({ overlap: 0 })), undefined);
    const timeOnly = scoreMessengerPair(input({ triggerNotice: gw(1e-15), overlap: undefined }))!;
    assert.equal(timeOnly.farHz, timeOnly.rates.temporalFarHz);
    assert.equal(timeOnly.rates.spaceTimeFarHz, undefined);
    assert.equal(timeOnly.tier, 'bronze');
    assert.ok(Number.isFinite(timeOnly.pChance) && timeOnly.pChance > 0);
  });

  test('no GW FAR: no joint FAR and no tier', () => {
    const s = scoreMessengerPair(input({ triggerNotice: gw(undefined) }))!;
    assert.equal(s.farHz, undefined);
    assert.equal(s.tier, null);
  });

  test('sub-threshold: targeted formula with its thresholds, never above bronze; SubGRB rate 390/yr', () => {
    const targeted = makeNotice({
      triggerId: 'Swift:2',
      timeMjd: T0 + 3 / 86_400,
      observatory: 'Swift',
      instrument: 'BAT-GUANO',
      noticeType: 'gcn.notices.swift',
      farHz: 1e-5,
    });
    targeted.farHz = 1e-5;
    assert.equal(classifyNotice(targeted), 'grb-targeted-swift');
    const s = scoreMessengerPair(
      input({
        triggerNotice: gw(1e-12),
        counterpartNotice: targeted,
        counterpartClass: 'grb-targeted-swift',
        window: DEFAULT_WINDOWS['gw-cbc×grb-targeted-swift']!,
        overlap: 100,
      }),
    )!;
    const z = 30 * 1e-5 * 1e-12;
    const zMax = 30 * 1e-3 * (2 / 86_400);
    assert.equal(s.search, 'SubGRBTargeted');
    assert.ok(Math.abs(s.rates.temporalFarHz! / (z * (1 - Math.log(z / zMax))) - 1) < 1e-12);
    assert.equal(s.tier, 'bronze');
    // Above the external FAR threshold: not in the targeted search.
    targeted.farHz = 2e-3;
    assert.equal(
      scoreMessengerPair(input({ counterpartNotice: targeted, counterpartClass: 'grb-targeted-swift' })),
      undefined,
    );
    const sub = makeNotice({
      triggerId: 'Fermi-GBM-SubThresh:3',
      timeMjd: T0,
      noticeType: 'FERMI_GBM_SUBTHRESH',
    });
    assert.equal(classifyNotice(sub), 'grb-sub');
    const subScore = scoreMessengerPair(
      input({ triggerNotice: gw(1e-15), counterpartNotice: sub, counterpartClass: 'grb-sub', overlap: 50 }),
    )!;
    assert.equal(subScore.rates.counterpartRateHz, 390 / YEAR_SEC);
    assert.equal(subScore.tier, 'bronze');
  });

  test('SNEWS: ±10 s window, no joint FAR, tier from FAR_GW · T against 1/day', () => {
    const snews = makeNotice({
      triggerId: 'SNEWS:1',
      messenger: 'neutrino',
      observatory: 'SNEWS',
      noticeType: 'SNEWS',
      timeMjd: T0 + 5 / 86_400,
    });
    assert.equal(classifyNotice(snews), 'snews');
    assert.deepEqual(DEFAULT_WINDOWS['gw-cbc×snews'], { startSec: -10, endSec: 10 });
    const s = scoreMessengerPair(
      input({
        counterpartNotice: snews,
        counterpartClass: 'snews',
        window: DEFAULT_WINDOWS['gw-cbc×snews'],
        overlap: undefined,
      }),
    )!;
    assert.equal(s.search, 'SNEWS');
    assert.equal(s.farHz, undefined);
    assert.equal(s.rates.publishingStatisticHz, 1e-9 * 6);
    assert.equal(s.tier, 'gold');
    // In the engine: a SNEWS notice 30 s after the GW is outside its window (IceCube's ±500 s is not used).
    const engine = createJoinEngine();
    engine.onNotice(gw(1e-9));
    const late = { ...snews, triggerId: 'SNEWS:2', triggerTimeMjd: T0 + 30 / 86_400 };
    assert.deepEqual(engine.onNotice(late), []);
    assert.equal(engine.onNotice(snews).length, 1);
  });

  test('the engine never emits a zero-overlap pair, and a 29/yr pair comes out without a tier', () => {
    const engine = createJoinEngine();
    const farGw = 29 / YEAR_SEC / (6 * (325 / YEAR_SEC));
    engine.onNotice(
      makeNotice({
        triggerId: 'LVK:S2',
        messenger: 'gw',
        timeMjd: T0,
        farHz: farGw,
        region: circle(10, 10, 1 / 60),
      }),
    );
    const far = engine.onNotice(
      makeNotice({
        triggerId: 'Swift:9',
        observatory: 'Swift',
        noticeType: 'SWIFT_BAT_GRB_POS',
        timeMjd: T0 + 1 / 86_400,
        region: circle(190, -40, 1 / 60),
      }),
    );
    assert.deepEqual(far, []);
    const timeOnly = engine.onNotice(makeNotice({ triggerId: 'Fermi:9', timeMjd: T0 + 2 / 86_400 }));
    assert.equal(timeOnly.length, 1);
    assert.equal(timeOnly[0]!.tier, null);
    assert.ok(Math.abs(timeOnly[0]!.farHz! * YEAR_SEC - 29) < 1e-6);
  });
});

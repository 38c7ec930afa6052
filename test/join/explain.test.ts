/**
 * explain.ts: every figure of a record is derived in words and numbers that redo it by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
import { explainCoincidence, parseFormulaVersion, renderExplanation } from '../../src/join/explain.ts';
import { circle, makeAlert, makeNotice } from './make-records.ts';

const T0 = 60_300.5;

function gwGrbPair() {
  const engine = createJoinEngine();
  engine.onNotice(
    makeNotice({
      triggerId: 'LVK:S9',
      messenger: 'gw',
      timeMjd: T0,
      farHz: 2e-10,
      region: circle(40, 20, 8),
    }),
  );
  const [pair] = engine.onNotice(
    makeNotice({ triggerId: 'Fermi:9', timeMjd: T0 + 2 / 86_400, region: circle(43, 21, 3, 0.68) }),
  );
  assert.ok(pair);
  return pair;
}

describe('explain', () => {
  test('names search and formula from formulaVersion', () => {
    assert.deepEqual(parseFormulaVersion('coincide-score/2 search=GRB formula=raven-untargeted'), {
      version: 'coincide-score/2',
      search: 'GRB',
      formula: 'raven-untargeted',
    });
  });

  test('a GW × GRB pair: inputs, FAR_t, I_Ω, FAR_st, pChance and the tier rule, with the numbers', () => {
    const c = gwGrbPair();
    const e = explainCoincidence(c);
    assert.deepEqual(
      e.sections.map((s) => s.heading),
      ['Inputs', 'Temporal FAR', 'Sky overlap', 'Chance probability', 'Tier rule'],
    );
    const text = renderExplanation(e);
    const r = c.provenance.rates;
    // Redo by hand what the text says.
    assert.equal(r.temporalFarHz, 6 * r.counterpartRateHz! * 2e-10);
    assert.equal(c.farHz, r.temporalFarHz / r.overlapIntegral!);
    assert.match(text, /Search: GRB/);
    assert.match(text, /FAR_t = Δt_w · R · FAR_GW = 6 × /);
    assert.match(text, /FAR_st = FAR_t \/ I_Ω = /);
    assert.match(text, /Trials factor T = 6/);
    assert.match(text, new RegExp(`Tier: ${c.tier ?? 'none'}\\.`));
    assert.ok(
      text.includes(String(Number(c.farHz.toPrecision(6)))) || text.includes(c.farHz.toExponential(5)),
    );
  });

  test('an optical candidate: background, floors, statistic, N_bg and pChance', () => {
    const engine = createJoinEngine();
    engine.onNotice(makeNotice({ triggerId: 'GRB:1', timeMjd: T0, region: circle(100, 0, 1) }));
    const [c] = engine.onOpticalAlert(makeAlert({ objectId: 'o', raDeg: 100, decDeg: 0, timeMjd: T0 + 0.2 }));
    assert.ok(c);
    const e = explainCoincidence(c);
    const text = renderExplanation(e);
    const r = c.provenance.rates;
    // At the exact centre A_s = 0: the floor applies and pChance is not 0.
    assert.equal(r.candidateAreaDeg2, 0);
    assert.equal(r.statisticDeg2Day, r.minAreaDeg2! * r.candidateDelayDays!);
    assert.ok(c.pChance > 0);
    assert.match(text, /floored at A_min/);
    assert.match(text, /prior \(nothing observed\)/);
    const n =
      r.backgroundPerDeg2PerDay! *
      r.statisticDeg2Day *
      (1 + Math.log((r.searchedAreaDeg2! * r.maxDelayDays!) / r.statisticDeg2Day));
    assert.ok(Math.abs(-Math.expm1(-n) / c.pChance - 1) < 1e-12);
  });

  test('a triple: partners, pair records, combined localisation, x = F · p and FAR_triple, tier rule', () => {
    const engine = createJoinEngine();
    const gw = makeNotice({
      triggerId: 'LVK:S9',
      messenger: 'gw',
      timeMjd: T0,
      farHz: 2e-10,
      region: circle(40, 20, 8),
    });
    engine.onNotice(gw);
    engine.onNotice(
      makeNotice({ triggerId: 'Fermi:9', timeMjd: T0 + 2 / 86_400, region: circle(43, 21, 3, 0.68) }),
    );
    const out = engine.onOpticalAlert(
      makeAlert({ objectId: 'kn', raDeg: 42.5, decDeg: 20.8, timeMjd: T0 + 0.3 }),
    );
    const triple = out.find((c) => c.pairType === 'mm-mm-optical');
    assert.ok(triple);
    const text = renderExplanation(explainCoincidence(triple));
    const r = triple.provenance.rates;
    assert.match(text, /^Triple [0-9a-f]{32}: LVK:S9 × Fermi:9 × LSST kn/);
    assert.match(text, /Partner \(the trigger's messenger pair\): Fermi:9/);
    assert.ok(text.includes(`Pair records: ${triple.pairIds?.join(', ')}`));
    assert.match(text, /product of the two densities, renormalised/);
    assert.match(text, /FAR_triple = x · \(1 \+ ln\(F_max \/ x\)\)/);
    assert.match(text, /Publishing statistic x = FAR_triple · T \(T − 1\)/);
    // The figures redo by hand.
    const x = r.pairFarHz! * r.opticalPChance!;
    assert.ok(Math.abs(r.productStatisticHz! / x - 1) < 1e-12);
    assert.ok(Math.abs((x * (1 + Math.log(r.maxPairFarHz! / x))) / triple.farHz! - 1) < 1e-12);
    assert.ok(Math.abs((triple.farHz! * 6 * 5) / r.publishingStatisticHz! - 1) < 1e-12);
    assert.equal(triple.tier, 'gold');
  });
});

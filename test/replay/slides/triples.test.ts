/**
 * Triples in the time-slide comparison (src/replay/slides/statistics.ts), on the simulated
 * background of test/helpers/triple-background.ts (150 GW candidates and 150 GRBs over 10 days,
 * 6° circles, a GW × GRB window widened to [−1000, +5000] s, ρ̇ = 0.05 deg⁻² day⁻¹): the messenger
 * pairs are cleaned by the time slide, the GW's optical side by the RA scramble. Each slid pair's
 * smallest FAR_triple is ≤ y with probability min(1, x_y / F) (triple-score.ts): the counts agree
 * with Σ min(1, x_y / F) over the slid pairs. (y · L, the expectation if the pairs' FARs were
 * calibrated, is far below: FAR_t counts the standard 6 s window, not the widened one, so chance
 * pairs are ~1000× more frequent than their FARs say; the comparison given the pairs does not
 * depend on that.) */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tripleFarHz } from '../../../src/join/triple-score.ts';
import { runTimeSlides } from '../../../src/replay/slides/run.ts';
import { slideStatistics, tripleProductForFar } from '../../../src/replay/slides/statistics.ts';
import { tripleBackground } from '../../helpers/triple-background.ts';

const T0 = 60_200;
const DAY = 86_400;

describe('time slides: triples', () => {
  test('x_y inverts FAR_triple', () => {
    const fMax = 1 / DAY;
    for (const y of [1e-14, 1e-11, 3e-9, 1e-6, 1e-5]) {
      const x = tripleProductForFar(y, fMax);
      assert.ok(Math.abs(tripleFarHz(x, 1, fMax) / y - 1) < 1e-9, `${y}`);
    }
    assert.equal(tripleProductForFar(1, fMax), fMax);
  });

  test('GW × GRB × optical: slid triples agree with Σ min(1, x_y / F) over the slid pairs', () => {
    const { records, windows, scores } = tripleBackground({
      gws: 150,
      grbs: 150,
      days: 10,
      t0Mjd: T0,
      seed: 41,
    });
    const result = runTimeSlides({
      records,
      slides: 5,
      slideStepSec: 14.5 * DAY,
      engine: { windows, scores },
      skyScramble: { mode: 'ra', seed: 3 },
    });
    const stats = slideStatistics(result, scores);
    const triples = stats.classes.find((c) => c.key === 'gw-cbc×grb×optical');
    assert.ok(triples?.measurable, triples?.reason);
    assert.equal(triples.statistic, 'farHz');
    assert.ok(triples.trials >= 40, `${triples.trials} slid pair trials`);
    assert.ok(triples.coincidences > 0);
    const compared = triples.thresholds.filter((r) => r.expected >= 5 && r.expected <= triples.trials - 5);
    assert.ok(compared.length >= 2, 'rows to compare');
    for (const r of compared)
      assert.ok(r.agrees, `y = ${r.threshold}: ${r.count} vs ${r.expected} (z ${r.z})`);
    for (const r of triples.thresholds) {
      assert.equal(r.expectedIfPairsCalibrated, r.threshold * triples.livetimeSec);
      assert.ok(r.count <= triples.trials);
    }
  });
});

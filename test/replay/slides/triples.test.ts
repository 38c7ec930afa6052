/**
 * Triples in the time-slide comparison (src/replay/slides/statistics.ts), on a simulated
 * background: 150 GW candidates and 150 Swift-BAT-like GRBs over 10 days, 6° circles in a
 * declination band (55°–65°) inside an optical footprint that covers the band (a 40° cap about
 * the pole, ρ̇ = 0.05 deg⁻² day⁻¹), FAR_GW uniform up to 1 day⁻¹. A GW × GRB window widened to
 * [−1000, +5000] s (engine option) gives tens of chance pairs per slide. The GW's 14-day optical
 * window is longer than half the 10-day ring, so the optical side is cleaned by the RA scramble
 * (scramble.ts), the messenger pairs by the time slide. Each slid pair's smallest FAR_triple is
 * ≤ y with probability min(1, x_y / F) (triple-score.ts): the counts agree with Σ min(1, x_y / F)
 * over the slid pairs. (y · L, the expectation if the pairs' FARs were calibrated, is far below:
 * FAR_t counts the standard 6 s window, not the widened one, so chance pairs are ~1000× more
 * frequent than their FARs say; the comparison given the pairs does not depend on that.) */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SCORE_SETTINGS } from '../../../src/join/searches.ts';
import { tripleFarHz } from '../../../src/join/triple-score.ts';
import { DEFAULT_WINDOWS } from '../../../src/join/windows.ts';
import type { ReplayRecord } from '../../../src/replay/decode-input.ts';
import { runTimeSlides } from '../../../src/replay/slides/run.ts';
import { slideStatistics, tripleProductForFar } from '../../../src/replay/slides/statistics.ts';
import { syntheticOpticalStream } from '../../helpers/synthetic-optical.ts';
import { circle, makeNotice, seededRandom } from '../../join/make-records.ts';

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
    const random = seededRandom(41);
    const records: ReplayRecord[] = [];
    const days = 10;
    const position = (): { raDeg: number; decDeg: number } => ({
      raDeg: 360 * random(),
      decDeg: 55 + 10 * random(),
    });
    const push = (notice: ReturnType<typeof makeNotice>): void => {
      records.push({ kind: 'notice', eventTimeMjd: notice.triggerTimeMjd, notice, source: notice.triggerId });
    };
    for (let i = 0; i < 150; i++) {
      const p = position();
      push(
        makeNotice({
          triggerId: `LVK:S${i}`,
          messenger: 'gw',
          timeMjd: T0 + days * random(),
          farHz: random() / DAY,
          region: circle(p.raDeg, p.decDeg, 6),
        }),
      );
    }
    for (let i = 0; i < 150; i++) {
      const p = position();
      push(
        makeNotice({
          triggerId: `Swift:${i}`,
          observatory: 'Swift',
          instrument: 'BAT',
          noticeType: 'Swift_BAT_GRB_Pos',
          timeMjd: T0 + days * random(),
          region: circle(p.raDeg, p.decDeg, 6),
        }),
      );
    }
    for (const alert of syntheticOpticalStream({
      centreRaDeg: 0,
      centreDecDeg: 90,
      radiusDeg: 40,
      fromNight: T0 - 10,
      toNight: T0 + days + 16,
      ratePerDeg2PerDay: 0.05,
      seed: 5,
    }))
      records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: 'synthetic' });
    const windows = { ...DEFAULT_WINDOWS, 'gw-cbc×grb': { startSec: -1000, endSec: 5000 } };
    const scores = { ...DEFAULT_SCORE_SETTINGS, grbRatePerYear: 10 * 365 };
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

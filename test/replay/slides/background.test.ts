/**
 * Statistical tests of the time slides on simulated backgrounds: the empirical false-alarm rates
 * must agree with the analytic ones within their Poisson errors where the analytic model holds,
 * and depart from them where it does not (a thresholded GW stream saturates).
 *
 * 1. GW × GRB without positions: GW candidates at 100 day⁻¹ with FAR_GW uniform on
 *    [0, 100 day⁻¹] (so that candidates with FAR_GW ≤ F arrive at rate F, as a FAR means), GRBs
 *    at 10 day⁻¹ and the engine's R_GRB set to that rate. FAR_t = Δt_w R FAR_GW, so unrelated pairs
 *    with FAR_t ≤ x arrive at rate x for x ≤ Δt_w R F_max = 8.04e-7 Hz, and at Δt_w R F_max·… no
 *    more above it (every background pair is already counted).
 * 2. GRB × optical: Swift-like 4° circles inside a footprint where new objects appear at
 *    ρ̇ = 0.1 deg⁻² day⁻¹ (test/helpers/synthetic-optical.ts); expected candidates with
 *    pChance ≤ p per trigger: −ln(1 − p). The rate is high enough that each trigger's measured
 *    ρ̂ (7 nights of its cells, ~100 objects) is precise: at 0.02 deg⁻² day⁻¹ (~18 objects) the
 *    1/√n noise of ρ̂ alone raises the small-p counts by E[ρ/ρ̂] ≈ 1.1 (measured), which the
 *    benchmark reports.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SCORE_SETTINGS } from '../../../src/join/searches.ts';
import type { ReplayRecord } from '../../../src/replay/decode-input.ts';
import { runTimeSlides } from '../../../src/replay/slides/run.ts';
import { slideStatistics } from '../../../src/replay/slides/statistics.ts';
import { pointInCap, syntheticOpticalStream } from '../../helpers/synthetic-optical.ts';
import { circle, makeNotice, seededRandom } from '../../join/make-records.ts';

const T0 = 60_200;
const DAY = 86_400;

function noticeRecord(notice: ReturnType<typeof makeNotice>): ReplayRecord {
  return { kind: 'notice', eventTimeMjd: notice.triggerTimeMjd, notice, source: notice.triggerId };
}

describe('time slides: empirical against analytic on a simulated background', () => {
  test('GW × GRB: FAR(farHz ≤ x) = x below saturation, fewer above it', () => {
    const random = seededRandom(31);
    const days = 30;
    const gwPerDay = 100;
    const grbPerDay = 10;
    const farMaxHz = gwPerDay / DAY;
    const records: ReplayRecord[] = [];
    for (let i = 0; i < gwPerDay * days; i++) {
      records.push(
        noticeRecord(
          makeNotice({
            triggerId: `LVK:S${i}`,
            messenger: 'gw',
            timeMjd: T0 + days * random(),
            farHz: farMaxHz * random(),
          }),
        ),
      );
    }
    for (let i = 0; i < grbPerDay * days; i++)
      records.push(noticeRecord(makeNotice({ triggerId: `Fermi:${i}`, timeMjd: T0 + days * random() })));
    const scores = { ...DEFAULT_SCORE_SETTINGS, grbRatePerYear: grbPerDay * 365 };
    const result = runTimeSlides({ records, slides: 60, slideStepSec: 3600, engine: { scores } });
    const stats = slideStatistics(result, scores).classes.find((c) => c.key === 'gw-cbc×grb');
    assert.ok(stats?.measurable);
    assert.equal(stats.cleanSlides, 60);
    assert.equal(stats.reuse, 1);
    const saturationHz = 6 * (grbPerDay / DAY) * farMaxHz;
    // The class's own x_sat uses the largest FAR_GW drawn (just under F_max).
    assert.ok(stats.saturationHz !== undefined && Math.abs(stats.saturationHz / saturationHz - 1) < 0.01);
    assert.ok(
      stats.thresholds.filter((r) => r.threshold > stats.saturationHz!).every((r) => r.aboveSaturation),
    );
    const below = stats.thresholds.filter((r) => r.threshold <= saturationHz / 2 && r.expected >= 5);
    assert.ok(below.length >= 2, 'rows to compare');
    for (const r of below) assert.ok(r.agrees, `x = ${r.threshold}: ${r.count} vs ${r.expected} (z ${r.z})`);
    // Far above saturation every pair is counted: n ≈ all pairs, well below x · L.
    const above = stats.thresholds.find((r) => r.threshold >= 3 * saturationHz);
    assert.ok(above);
    assert.ok(
      !above.agrees && above.count < above.expected,
      `saturated: ${above.count} vs ${above.expected}`,
    );
    // The total is the expected number of unrelated pairs: N_GW N_GRB Δt_w / P per slide.
    const pairs = (gwPerDay * days * grbPerDay * days * 6) / result.plan.ringPeriodSec;
    const total = stats.coincidences;
    assert.ok(Math.abs(total - 60 * pairs) < 3 * Math.sqrt(60 * pairs), `${total} vs ${60 * pairs}`);
  });

  test('GRB × optical: candidates with pChance ≤ p per trigger = −ln(1 − p)', () => {
    const random = seededRandom(7);
    const centre = { raDeg: 150, decDeg: 30 };
    const days = 30;
    const records: ReplayRecord[] = [];
    for (let i = 0; i < 120; i++) {
      const p = pointInCap(random, centre.raDeg, centre.decDeg, 20);
      records.push(
        noticeRecord(
          makeNotice({
            triggerId: `Swift:${i}`,
            observatory: 'Swift',
            instrument: 'BAT',
            noticeType: 'Swift_BAT_GRB_Pos',
            timeMjd: T0 + days * random(),
            region: circle(p.raDeg, p.decDeg, 4),
          }),
        ),
      );
    }
    for (const alert of syntheticOpticalStream({
      centreRaDeg: centre.raDeg,
      centreDecDeg: centre.decDeg,
      radiusDeg: 32,
      fromNight: T0 - 10,
      toNight: T0 + days + 4,
      ratePerDeg2PerDay: 0.1,
      seed: 11,
    }))
      records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: 'synthetic' });
    // 7 slides of 3.5 d on a ~30 d ring (d ≤ 24.5 d < P − 3 d: all clean): every slide meets fresh alerts (reuse 1), so the
    // trials are independent and the exact Poisson comparison applies.
    const result = runTimeSlides({ records, slides: 7, slideStepSec: 3.5 * DAY });
    const stats = slideStatistics(result).classes.find((c) => c.key === 'grb×optical');
    assert.ok(stats?.measurable, stats?.reason);
    assert.equal(stats.incompleteTrials, 0);
    assert.equal(stats.reuse, 1);
    assert.equal(stats.cleanSlides, 7);
    assert.equal(stats.trials, 7 * 120);
    // Below p ≈ 0.03 the objects admitted by the 60 s "new" tolerance (first detected just before
    // t0, scored at the delay floor) add ~ρ̇ A 60 s ≈ 0.0035 per trigger on top of −ln(1 − p):
    // compared where that is under ~10 % of the expectation.
    const compared = stats.thresholds.filter((r) => r.threshold >= 0.03 && r.expected >= 20);
    assert.ok(compared.length >= 3);
    for (const r of compared)
      assert.ok(r.agrees, `p = ${r.threshold}: ${r.count} vs ${r.expected} (z ${r.z})`);
    const bronze = stats.tiers.find((t) => t.tier === 'bronze');
    assert.ok(bronze?.agrees, `bronze: ${bronze?.count} vs ${bronze?.expected}`);
    assert.ok(
      stats.toleranceCoincidences < 0.01 * stats.trials,
      `${stats.toleranceCoincidences} in the tolerance`,
    );
  });
});

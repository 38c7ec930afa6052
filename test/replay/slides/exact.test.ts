/**
 * Time slides on a small constructed archive with a known number of slid coincidences.
 *
 * m = 5 GW triggers at t_i = i·L and 5 GRBs at t_j = j·L + 2 s (L = 100 s), each GRB a real pair
 * of its GW (window [−1, 5] s), and an X-ray trigger at m·L − 5 s that only sets the ring: P =
 * span + 5 s = m·L. Streams: gw j = 1, gamma j = 2, so the GRBs move by d = k·S mod P against
 * the GWs; with S = 2L every GRB lands 2 s after another GW's slot: exactly m pairs per slide,
 * the real ones when 2k ≡ 0 (mod m) (k = 5: unclean, excluded).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplayRecord } from '../../../src/replay/decode-input.ts';
import {
  createSlidePlan,
  displacementDays,
  isClean,
  SlidePlanError,
} from '../../../src/replay/slides/plan.ts';
import { runTimeSlides } from '../../../src/replay/slides/run.ts';
import { slideStatistics } from '../../../src/replay/slides/statistics.ts';
import { circle, makeNotice } from '../../join/make-records.ts';

const T0 = 60_100;
const L = 100;
const M = 5;
const DAY = 86_400;

function archive(): ReplayRecord[] {
  const records: ReplayRecord[] = [];
  const push = (notice: ReturnType<typeof makeNotice>): void => {
    records.push({ kind: 'notice', eventTimeMjd: notice.triggerTimeMjd, notice, source: notice.triggerId });
  };
  for (let i = 0; i < M; i++) {
    push(
      makeNotice({
        triggerId: `LVK:S${i}`,
        messenger: 'gw',
        timeMjd: T0 + (i * L) / DAY,
        farHz: (i + 1) * 1e-8,
        region: circle(100, 20, 5),
      }),
    );
    push(
      makeNotice({
        triggerId: `Swift:${i}`,
        messenger: 'gamma',
        observatory: 'Swift',
        instrument: 'BAT',
        noticeType: 'Swift_BAT_GRB_Pos',
        timeMjd: T0 + (i * L + 2) / DAY,
        region: circle(100, 20, 5),
      }),
    );
  }
  push(
    makeNotice({
      triggerId: 'EP:filler',
      messenger: 'xray',
      observatory: 'EinsteinProbe',
      instrument: 'WXT',
      noticeType: 'EP_WXT_Alert',
      timeMjd: T0 + (M * L - 5) / DAY,
    }),
  );
  return records;
}

describe('time slides on a constructed archive', () => {
  const result = runTimeSlides({ records: archive(), slides: 6, slideStepSec: 2 * L });

  test('the ring is the span plus the longest messenger window, and streams move by k·S·j', () => {
    assert.equal(result.plan.ringPeriodSec, M * L);
    assert.equal(result.plan.ringStartMjd, T0);
    assert.deepEqual(
      [...result.plan.streamIndex],
      [
        ['gw', 1],
        ['gamma', 2],
        ['xray', 3],
      ],
    );
    // GW 0 at slide 1 moves by S = 200 s; GRB 4 (at 402 s) by 2S = 400 s, wrapping to 302 s.
    assert.ok(Math.abs(displacementDays(result.plan, 'gw', 1, T0) * DAY - 200) < 1e-6);
    assert.ok(Math.abs(displacementDays(result.plan, 'gamma', 1, T0 + 402 / DAY) * DAY - -100) < 1e-6);
  });

  test('the unslid run finds the 5 real pairs', () => {
    assert.equal(result.real.filter((c) => c.pairType === 'mm-mm').length, M);
  });

  test('every slide has exactly m pairs; slide 5 (d = 0) is unclean and left out', () => {
    for (const run of result.runs.slice(1)) assert.equal(run.entries.length, M, `slide ${run.k}`);
    const cls = result.plan.classes.find((c) => c.key === 'gw-cbc×grb');
    assert.ok(cls);
    assert.deepEqual(
      result.runs.slice(1).map((r) => isClean(result.plan, cls, r.k)),
      [true, true, true, true, false, true],
    );
    const stats = slideStatistics(result).classes.find((c) => c.key === 'gw-cbc×grb');
    assert.ok(stats);
    assert.equal(stats.measurable, true);
    assert.equal(stats.cleanSlides, 5);
    assert.equal(stats.coincidences, 25);
    assert.equal(stats.excludedCoincidences, 5);
    assert.equal(stats.livetimeSec, 5 * M * L);
    assert.equal(stats.trials, 5 * M);
  });

  test('counts at a FAR threshold: each GW pairs once per clean slide', () => {
    const stats = slideStatistics(result);
    const real = stats.real
      .filter((r) => r.pairType === 'mm-mm')
      .sort((a, b) => (a.farHz ?? 0) - (b.farHz ?? 0));
    // The slid pairs of GW i have the real pair's farHz (same circles, same FAR_GW): n(≤ farHz_i) = (i + 1) · 5.
    real.forEach((r, i) => {
      assert.ok(r.farHz !== undefined);
      assert.equal(Math.round((r.farEmpiricalHz ?? 0) * 5 * M * L), (i + 1) * 5);
      assert.equal(r.pEmpiricalTrials, 25);
      // Every slid pair has the real pair's pChance: each of the 25 trials is at least as extreme.
      assert.equal(r.pEmpiricalCount, 25);
      assert.equal(r.pEmpirical, 1);
    });
  });

  test('a slide step not larger than every window is refused', () => {
    assert.throws(
      () => runTimeSlides({ records: archive(), slides: 3, slideStepSec: 5 }),
      (e: unknown) =>
        e instanceof SlidePlanError && /larger than every window: gw-cbc×grb reaches 5 s/.test(e.message),
    );
    assert.throws(() => runTimeSlides({ records: archive(), slides: 0, slideStepSec: 100 }), SlidePlanError);
    assert.throws(
      () => runTimeSlides({ records: archive(), slides: 2, slideStepSec: Number.NaN }),
      SlidePlanError,
    );
  });

  test('with optical alerts the optical windows count too (grb×optical reaches 3 d)', () => {
    assert.throws(
      () =>
        createSlidePlan({
          triggers: [{ triggerClass: 'grb', messenger: 'gamma', triggerTimeMjd: T0 }],
          hasOptical: true,
          slides: 1,
          slideStepSec: 2 * DAY,
        }),
      (e: unknown) => e instanceof SlidePlanError && /grb×optical reaches 259200 s/.test(e.message),
    );
  });
});

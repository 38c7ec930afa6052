/**
 * Poisson errors of the time-slide comparison against Gehrels (1986, ApJ 303, 336) Tables 1–2
 * (1σ, S = 1: upper limits 1.841, 3.300, 4.638 for n = 0, 1, 2; lower limits 0.173, 0.708 for
 * n = 1, 2), scipy's exact values for n = 10 (chi2.ppf: [6.891, 14.267]), and the reuse factor of
 * a slide plan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlidePlan, reuseFactor } from '../../../src/replay/slides/plan.ts';
import { compareCount, poissonCdf, poissonInterval } from '../../../src/replay/slides/poisson.ts';

function close(a: number, b: number, tol: number): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
}

test('central 1σ Poisson intervals match Gehrels 1986 and the chi-square values', () => {
  close(poissonInterval(0).high, 1.841, 2e-3);
  close(poissonInterval(1).high, 3.3, 2e-3);
  close(poissonInterval(2).high, 4.638, 2e-3);
  assert.equal(poissonInterval(0).low, 0);
  close(poissonInterval(1).low, 0.173, 1e-3);
  close(poissonInterval(2).low, 0.708, 1e-3);
  close(poissonInterval(10).low, 6.891, 2e-3);
  close(poissonInterval(10).high, 14.267, 2e-3);
  // Above 1000 counts Gehrels' approximations: within 0.1 % of the exact √k-scale interval.
  const big = poissonInterval(10_000);
  close(big.low, 10_000 - 99.67, 0.5);
  close(big.high, 10_000 + 101.0, 0.5);
});

test('Poisson CDF and the 2σ verdict', () => {
  close(poissonCdf(0, 1), Math.exp(-1), 1e-12);
  close(poissonCdf(2, 3), Math.exp(-3) * (1 + 3 + 4.5), 1e-12);
  assert.equal(compareCount(10, 10).agrees, true);
  assert.equal(compareCount(0, 5).agrees, false); // P(N = 0 | 5) = 0.0067 < 0.02275
  assert.equal(compareCount(0, 3).agrees, true); // P(N = 0 | 3) = 0.0498
  assert.equal(compareCount(22, 10).agrees, false); // P(N ≥ 22 | 10) = 0.0007
});

test('reuse: how many slides cover the same instant of the other stream', () => {
  const plan = createSlidePlan({
    triggers: [
      { triggerClass: 'grb', messenger: 'gamma', triggerTimeMjd: 60_000 },
      { triggerClass: 'grb', messenger: 'gamma', triggerTimeMjd: 60_030 },
    ],
    hasOptical: true,
    slides: 20,
    slideStepSec: 3.5 * 86_400,
  });
  const cls = plan.classes.find((c) => c.key === 'grb×optical');
  assert.ok(cls);
  // Ring 30 d, window 3 d: slides 1–8 move the GRBs by 3.5 d each, every window fresh.
  assert.equal(reuseFactor(plan, cls, [1, 2, 3, 4, 5, 6, 7, 8]), 1);
  // 3.5 k mod 30 for k = 1 … 20 wraps twice: some instant is covered by 3 slides at most.
  assert.equal(
    reuseFactor(
      plan,
      cls,
      Array.from({ length: 20 }, (_, i) => i + 1),
    ),
    3,
  );
});

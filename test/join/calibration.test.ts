/**
 * Calibration of pChance on a synthetic background-only optical stream (seeded, LSST-like
 * density of new transients passing the cuts: ρ̇ = 1 deg⁻² day⁻¹ over a 60° × 60° patch), with
 * random GRB-like triggers (90 % circles of 2°) and counterparts injected inside window and region.
 *
 * Under background only, the most extreme candidate of each trigger has a uniform pChance
 * (score.ts), and the expected number of false silver-or-better candidates per trigger is
 * −ln(1 − 0.01) = 0.01005 (score.ts TIER_THRESHOLDS).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OpticalSummary } from '../../src/join/coincidence.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { TIER_THRESHOLDS } from '../../src/join/score.ts';
import type { Notice } from '../../src/notices/notice.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { offsetByDeg } from '../../src/sky/angles.ts';
import { circle, makeAlert, makeNotice, seededRandom } from './make-records.ts';

const D0 = 60_200;
const NIGHTS = 14;
const RATE = 1; // deg⁻² day⁻¹
const TRIGGERS = 3000;
const RADIUS_DEG = 1;

/** Kolmogorov–Smirnov test of a sample against U(0, 1): the statistic D and its asymptotic p-value. */
function ksUniform(values: number[]): { d: number; p: number } {
  const x = [...values].sort((a, b) => a - b);
  const n = x.length;
  let d = 0;
  x.forEach((v, i) => {
    d = Math.max(d, (i + 1) / n - v, v - i / n);
  });
  // Kolmogorov distribution with Stephens' small-sample correction: λ = (√n + 0.12 + 0.11/√n) D.
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

function buildStream() {
  const random = seededRandom(20_260_401);
  const sinLo = Math.sin((-30 * Math.PI) / 180);
  const sinHi = Math.sin((30 * Math.PI) / 180);
  const patchDeg2 = ((60 * Math.PI) / 180) * (sinHi - sinLo) * (180 / Math.PI) ** 2;
  const alerts: OpticalAlert[] = [];
  const count = Math.round(RATE * patchDeg2 * NIGHTS);
  for (let i = 0; i < count; i++) {
    const dec = (Math.asin(sinLo + (sinHi - sinLo) * random()) * 180) / Math.PI;
    alerts.push(
      makeAlert({ objectId: `bg${i}`, raDeg: 60 * random(), decDeg: dec, timeMjd: D0 + NIGHTS * random() }),
    );
  }
  const notices: Notice[] = [];
  const injected: OpticalAlert[] = [];
  for (let i = 0; i < TRIGGERS; i++) {
    const ra = 15 + 30 * random();
    const dec = -15 + 30 * random();
    const t0 = D0 + 9 + random();
    notices.push(makeNotice({ triggerId: `GRB:${i}`, timeMjd: t0, region: circle(ra, dec, RADIUS_DEG) }));
    // An injected counterpart uniform in the region's 90 % circle and in [t0, t0 + 3 d].
    const search = RADIUS_DEG * 0.999;
    const theta = (Math.acos(1 - random() * (1 - Math.cos((search * Math.PI) / 180))) * 180) / Math.PI;
    const pos = offsetByDeg(ra, dec, theta, 360 * random());
    injected.push(
      makeAlert({ objectId: `inj${i}`, raDeg: pos.raDeg, decDeg: pos.decDeg, timeMjd: t0 + 3 * random() }),
    );
  }
  return { alerts, notices, injected };
}

describe('pChance calibration on a synthetic background', () => {
  const { alerts, notices, injected } = buildStream();
  const engine = createJoinEngine({ allowedLatenessSec: 600 });
  const events = [
    ...notices.map((n) => ({ t: n.triggerTimeMjd, n })),
    ...[...alerts, ...injected].map((a) => ({ t: a.timeMjd, a })),
  ].sort((x, y) => x.t - y.t);
  const bestBackground = new Map<string, number>();
  const recovered = new Set<string>();
  let falseSilverOrBetter = 0;
  for (const e of events) {
    const out = 'n' in e ? engine.onNotice(e.n) : engine.onOpticalAlert((e as { a: OpticalAlert }).a);
    for (const c of out) {
      const objectId = (c.counterpart as OpticalSummary).objectId;
      if (objectId.startsWith('inj')) {
        if (objectId.slice(3) === c.trigger.triggerId.slice(4)) recovered.add(objectId);
        continue;
      }
      const prev = bestBackground.get(c.trigger.triggerId) ?? 1;
      bestBackground.set(c.trigger.triggerId, Math.min(prev, c.pChance));
      if (c.pChance <= TIER_THRESHOLDS.pChance.silver) falseSilverOrBetter++;
    }
  }

  test('the best background candidate of each trigger has a uniform pChance (KS p > 0.01)', () => {
    assert.equal(bestBackground.size, TRIGGERS);
    const { d, p } = ksUniform([...bestBackground.values()]);
    assert.ok(p > 0.01, `KS D = ${d.toFixed(4)}, p = ${p.toExponential(3)}`);
  });

  test('the false silver-or-better rate matches the documented −ln(1 − 0.01) per trigger within a factor 2', () => {
    const expected = TRIGGERS * -Math.log(1 - TIER_THRESHOLDS.pChance.silver);
    assert.ok(
      falseSilverOrBetter >= expected / 2 && falseSilverOrBetter <= expected * 2,
      `${falseSilverOrBetter} false silver-or-better, expected ${expected.toFixed(1)}`,
    );
  });

  test('counterparts injected inside window and region are recovered with recall ≥ 99 %', () => {
    const recall = recovered.size / injected.length;
    assert.ok(recall >= 0.99, `recall ${recall}`);
  });
});

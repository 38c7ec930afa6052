/**
 * Sky scrambles (src/replay/slides/scramble.ts) and the neutrino × optical background they make
 * measurable.
 *
 * 1. Rotations: an RA scramble keeps the declination and an ellipse's position angle; any
 *    scramble keeps angles between points; the same seed gives the same rotation; isotropic
 *    scrambles spread a point uniformly over the sphere.
 * 2. Neutrino × optical on a simulated background: 60 IceCube-like 1° circles over 10 days in a
 *    declination band (50°–80°) inside an optical footprint that covers the whole band (a cap of
 *    40° about the pole, ρ̇ = 0.05 deg⁻² day⁻¹; test/helpers/synthetic-optical.ts), so that an RA
 *    rotation keeps every trigger in the footprint. The [−1, +30] d window is longer than half
 *    the ring: time slides alone cannot measure the class; with the RA scramble it is measured
 *    from sky-clean trials, the counts agree with −ln(1 − p) per trial, a sky-clean trial never
 *    finds its trigger's real candidates, and the empirical p-values of the unscrambled
 *    (all-background) run are uniform (Kolmogorov–Smirnov distance below its 1 % critical value
 *    1.63/√n).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplayRecord } from '../../../src/replay/decode-input.ts';
import { measuredBy, timeSlidePlotSvg } from '../../../src/replay/slides/plot.ts';
import { runTimeSlides } from '../../../src/replay/slides/run.ts';
import { rotate, rotateRegion, scrambleRotation } from '../../../src/replay/slides/scramble.ts';
import { slideStatistics } from '../../../src/replay/slides/statistics.ts';
import { raDecToVector, vectorAngleRad } from '../../../src/sky/angles.ts';
import { syntheticOpticalStream } from '../../helpers/synthetic-optical.ts';
import { circle, makeNotice, seededRandom } from '../../join/make-records.ts';

const T0 = 60_200;
const DAY = 86_400;

describe('sky scrambles: rotations', () => {
  test('RA scrambles keep declination and position angle; every scramble keeps angles', () => {
    const ellipse = {
      type: 'ellipse' as const,
      raDeg: 30,
      decDeg: -20,
      semiMajorDeg: 3,
      semiMinorDeg: 1,
      posAngleDeg: 40,
      containment: 0.9,
    };
    for (let k = 1; k <= 20; k++) {
      const moved = rotateRegion(ellipse, scrambleRotation({ mode: 'ra', seed: 5 }, 'IceCube:1', k));
      assert.ok(moved.type === 'ellipse');
      assert.ok(Math.abs(moved.decDeg - ellipse.decDeg) < 1e-9);
      assert.ok(Math.abs(moved.posAngleDeg - ellipse.posAngleDeg) < 1e-9, `${moved.posAngleDeg}`);
      const iso = scrambleRotation({ mode: 'isotropic', seed: 5 }, 'IceCube:1', k);
      const a = raDecToVector(10, 20);
      const b = raDecToVector(12, 23);
      assert.ok(Math.abs(vectorAngleRad(rotate(iso, a), rotate(iso, b)) - vectorAngleRad(a, b)) < 1e-12);
    }
    assert.deepEqual(
      scrambleRotation({ mode: 'isotropic', seed: 9 }, 'x', 3),
      scrambleRotation({ mode: 'isotropic', seed: 9 }, 'x', 3),
    );
    assert.notDeepEqual(
      scrambleRotation({ mode: 'isotropic', seed: 9 }, 'x', 3),
      scrambleRotation({ mode: 'isotropic', seed: 9 }, 'x', 4),
    );
  });

  test('isotropic scrambles move a point uniformly over the sphere (mean z ≈ 0, mean z² ≈ 1/3)', () => {
    const n = 4000;
    let z = 0;
    let z2 = 0;
    for (let k = 1; k <= n; k++) {
      const v = rotate(scrambleRotation({ mode: 'isotropic', seed: 2 }, 't', k), [0, 0, 1]);
      z += v[2];
      z2 += v[2] * v[2];
    }
    // Standard errors: √(1/3 / n) = 0.009 and √(4/45 / n) = 0.0047.
    assert.ok(Math.abs(z / n) < 0.04, `${z / n}`);
    assert.ok(Math.abs(z2 / n - 1 / 3) < 0.02, `${z2 / n}`);
  });
});

describe('sky scrambles: the plot legend', () => {
  test('a class is labelled by its clean slides, its sky-scrambled trials, or both', () => {
    assert.equal(measuredBy({ cleanSlides: 7 }), '7 clean slides');
    assert.equal(measuredBy({ cleanSlides: 1, skyCleanTrials: 0 }), '1 clean slide');
    assert.equal(measuredBy({ cleanSlides: 0, skyCleanTrials: 41 }), '41 sky-scrambled trials');
    assert.equal(measuredBy({ cleanSlides: 3, skyCleanTrials: 1 }), '3 clean slides + 1 sky-scrambled trial');
  });
});

describe('sky scrambles: neutrino × optical background', () => {
  test('measured only with the scramble; counts agree with −ln(1 − p); empirical p-values uniform', () => {
    const random = seededRandom(23);
    const records: ReplayRecord[] = [];
    const triggers = 60;
    for (let i = 0; i < triggers; i++) {
      const notice = makeNotice({
        triggerId: `IceCube:${i}`,
        messenger: 'neutrino',
        noticeType: 'IceCube_Astrotrack_Gold',
        timeMjd: T0 + 10 * random(),
        region: circle(360 * random(), 50 + 30 * random(), 1),
      });
      records.push({ kind: 'notice', eventTimeMjd: notice.triggerTimeMjd, notice, source: notice.triggerId });
    }
    for (const alert of syntheticOpticalStream({
      centreRaDeg: 0,
      centreDecDeg: 90,
      radiusDeg: 40,
      fromNight: T0 - 10,
      toNight: T0 + 42,
      ratePerDeg2PerDay: 0.05,
      seed: 3,
    }))
      records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: 'synthetic' });
    const slides = 12;
    const slideStepSec = 31 * DAY;

    const timeOnly = slideStatistics(runTimeSlides({ records, slides: 1, slideStepSec }));
    const unscrambled = timeOnly.classes.find((c) => c.key === 'neutrino×optical');
    assert.ok(unscrambled && !unscrambled.measurable, 'time slides alone cannot measure it');
    assert.match(unscrambled.reason ?? '', /not longer than twice the window/);

    const result = runTimeSlides({ records, slides, slideStepSec, skyScramble: { mode: 'ra', seed: 1 } });
    const stats = slideStatistics(result);
    const nu = stats.classes.find((c) => c.key === 'neutrino×optical');
    assert.ok(nu?.measurable, nu?.reason);
    assert.equal(nu.incompleteTrials, 0);
    assert.equal(nu.skyCleanTrials, nu.trials);
    assert.equal(nu.cleanSlides, 0);
    // The plot's legend says what the class was measured over: scrambles, not "0 slides".
    const svg = timeSlidePlotSvg(stats.classes, 'scrambled');
    assert.ok(
      svg.includes(`neutrino×optical (${nu.coincidences} slid, ${nu.trials} sky-scrambled trials)`),
      svg.match(/neutrino×optical \([^)]*\)/)?.[0],
    );
    // Most rotations move a 1° region (cap ≲ 1.5°) well off itself at δ ≤ 80°.
    assert.ok(nu.trials > 0.85 * slides * triggers, `${nu.trials} sky-clean trials`);
    const compared = nu.thresholds.filter((r) => r.threshold >= 0.03 && r.expected >= 20);
    assert.ok(compared.length >= 3);
    for (const r of compared)
      assert.ok(r.agrees, `p = ${r.threshold}: ${r.count} vs ${r.expected} (z ${r.z})`);

    // A sky-clean trial never finds its trigger's real candidates (the rotated region does not
    // meet the original one).
    const real = new Set(
      stats.real
        .filter((r) => r.classKey === 'neutrino×optical')
        .map((r) => `${r.triggerId}|${r.counterpartId}`),
    );
    assert.ok(real.size > 0);
    let slid = 0;
    for (const run of result.runs.slice(1))
      for (const e of run.entries) {
        if (e.classKey !== 'neutrino×optical' || run.skyClean?.has(e.triggerId) !== true) continue;
        slid++;
        assert.ok(
          !real.has(`${e.triggerId}|${e.counterpartId}`),
          `slide ${run.k}: ${e.triggerId} kept ${e.counterpartId}`,
        );
      }
    assert.ok(slid > 0);

    // The unscrambled run is background too: each trigger's empirical p-value (of its most
    // extreme real candidate; 1 without one) is uniform.
    const pByTrigger = new Map<string, number>();
    for (const r of stats.real) {
      if (r.classKey !== 'neutrino×optical' || r.pEmpirical === undefined) continue;
      pByTrigger.set(r.triggerId, Math.min(pByTrigger.get(r.triggerId) ?? 1, r.pEmpirical));
    }
    const ps = Array.from({ length: triggers }, (_, i) => pByTrigger.get(`IceCube:${i}`) ?? 1).sort(
      (a, b) => a - b,
    );
    let distance = 0;
    ps.forEach((p, i) => {
      distance = Math.max(distance, Math.abs((i + 1) / ps.length - p), Math.abs(i / ps.length - p));
    });
    assert.ok(distance < 1.63 / Math.sqrt(ps.length), `KS distance ${distance} over ${ps.length} triggers`);
  });
});

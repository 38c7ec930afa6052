/**
 * The Gaussian cone's closed form (src/sky/radial-profile.ts SmallGaussianProfile) against two
 * independent computations: the midpoint rule on ∫₀^θ f(t) 2π sin t dt of the unnormalised
 * density e^{−t²/2σ²} (normalised by the same rule over [0, 40σ]), and the trapezoid table the
 * larger Gaussians still use (TabulatedProfile, accurate to ~2.4e-6 in level). Also the small-angle limit
 * 1 − e^{−r²/2σ²} it reduces to for arcsecond σ.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  gaussianProfile,
  SERIES_MAX_SIGMA_RAD,
  SmallGaussianProfile,
  TabulatedProfile,
} from '../../src/sky/radial-profile.ts';

const RAD_PER_DEG = Math.PI / 180;

/** Midpoint rule on ∫₀^θ e^{−t²/2σ²} 2π sin t dt, 200 000 steps. */
function midpoint(sigmaRad: number, thetaRad: number): number {
  const steps = 200_000;
  const h = thetaRad / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) * h;
    sum += Math.exp((-t * t) / (2 * sigmaRad * sigmaRad)) * 2 * Math.PI * Math.sin(t) * h;
  }
  return sum;
}

describe('Gaussian cone in closed form (σ ≤ 0.05 rad)', () => {
  const sigmas = [2e-6, 1e-4, 3e-3, 0.02, SERIES_MAX_SIGMA_RAD];

  it('is used for small σ, the table above', () => {
    assert.ok(gaussianProfile(1 / 3600) instanceof SmallGaussianProfile);
    assert.ok(gaussianProfile((SERIES_MAX_SIGMA_RAD / RAD_PER_DEG) * 0.999) instanceof SmallGaussianProfile);
    assert.ok(gaussianProfile((SERIES_MAX_SIGMA_RAD / RAD_PER_DEG) * 1.01) instanceof TabulatedProfile);
  });

  it('levels, densities and radii agree with the midpoint integral', () => {
    for (const sigma of sigmas) {
      const profile = new SmallGaussianProfile(sigma);
      const total = midpoint(sigma, 40 * sigma);
      for (const k of [0.1, 0.5, 1, 1.5096, 2.146, 3, 5, 10]) {
        const theta = k * sigma;
        const level = midpoint(sigma, theta) / total;
        assert.ok(
          Math.abs(profile.levelAt(theta) - level) < 1e-8,
          `σ ${sigma}, ${k}σ: ${profile.levelAt(theta)} vs ${level}`,
        );
        const density = Math.exp(-(k * k) / 2) / total;
        assert.ok(
          Math.abs(profile.densityPerSr(theta) / density - 1) < 1e-8,
          `σ ${sigma}, ${k}σ density: ${profile.densityPerSr(theta)} vs ${density}`,
        );
      }
      for (const level of [0.01, 0.5, 0.68, 0.9, 0.99, 0.999999]) {
        const r = profile.radiusForLevel(level);
        assert.ok(Math.abs(profile.levelAt(r) - level) < 1e-12, `σ ${sigma}: level ${level}`);
      }
      assert.equal(profile.levelAt(40 * sigma), 1);
      assert.equal(profile.densityPerSr(41 * sigma), 0);
      assert.equal(profile.radiusForLevel(1), 40 * sigma);
      assert.equal(profile.radiusForLevel(0), 0);
      assert.equal(profile.levelAt(0), 0);
    }
  });

  it('agrees with the trapezoid table to its accuracy, and with 1 − e^{−r²/2σ²} at arcseconds', () => {
    for (const sigma of sigmas) {
      const profile = new SmallGaussianProfile(sigma);
      const table = new TabulatedProfile((t) => Math.exp((-t * t) / (2 * sigma * sigma)), sigma);
      for (const k of [0.3, 1, 2.146, 4]) {
        // The table's own error: linear interpolation between steps of σ/205, ~2.4e-6 in level.
        assert.ok(Math.abs(profile.levelAt(k * sigma) - table.levelAt(k * sigma)) < 5e-6);
        assert.ok(Math.abs(profile.radiusForLevel(0.9) / table.radiusForLevel(0.9) - 1) < 1e-5);
      }
    }
    // σ = 2″: the sphere’s curvature changes the radius by 1.6e-11 here.
    const sigma = (2 / 3600) * RAD_PER_DEG;
    const profile = new SmallGaussianProfile(sigma);
    for (const level of [0.5, 0.9]) {
      const flat = sigma * Math.sqrt(-2 * Math.log(1 - level));
      assert.ok(Math.abs(profile.radiusForLevel(level) / flat - 1) < 1e-10);
    }
  });

  it('refuses σ outside (0, 0.05] rad', () => {
    assert.throws(() => new SmallGaussianProfile(0), /SKY_BAD_REGION|outside/);
    assert.throws(() => new SmallGaussianProfile(0.06), /outside/);
  });
});

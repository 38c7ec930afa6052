/**
 * Axisymmetric localisation densities on the sphere (circles with a published containment),
 * tabulated once so that credible level ↔ radius are table look-ups.
 *
 * Models (see statistics.md §3; θ = angle from the centre):
 *  - Gaussian cone: f(θ) ∝ exp(−θ²/(2σ²)); from a radius r at containment c (2-D Gaussian):
 *    σ = r / √(−2 ln(1 − c)).
 *  - Fisher (von Mises–Fisher): f(θ) = κ/(4π sinh κ) · exp(κ cos θ) sr⁻¹, whose containment is
 *    F(θ) = (1 − e^{κ(cos θ − 1)}) / (1 − e^{−2κ}); κ from (r, c) by solving F(r) = c.
 *  - Fermi GBM core + tail (Connaughton et al. 2015): w·Fisher(κ_core) + (1 − w)·Fisher(κ_tail),
 *    κ = 1 / (0.4356 · (σ_stat² + σ_sys²)), σ in radians, σ_stat the notice's (68 %) radius.
 *
 * Every model is decreasing in θ, so its greedy credible region at any level is a disc and
 * the credible level at θ is the enclosed probability F(θ) = ∫₀^θ f(t) 2π sin t dt.
 *  - Fisher and GBM (mixtures of Fisher components): F is exact, F(θ) = Σ w_k F_k(θ) with
 *    F_k(θ) = (1 − e^{−2κ_k sin²(θ/2)}) / (1 − e^{−2κ_k}); the radius of a level is found by
 *    bisection on u = sin²(θ/2) (64 halvings: below double precision). Nothing is tabulated, so
 *    a GBM circle costs a few numbers, not a table (the join holds one per live trigger, and a
 *    warm start builds thousands: a 64 KiB table and ~1 ms each before).
 *  - Gaussian cone, σ ≤ SERIES_MAX_SIGMA_RAD (every arcsecond to few-degree circle: Swift,
 *    IceCube, ...): F in closed form (SmallGaussianProfile). With x = θ²/(2σ²) and sin t
 *    expanded, ∫₀^θ e^{−t²/2σ²} sin t dt = σ² Σ_n (−σ²)ⁿ/(2n+1)!! · P(n+1, x), P(n+1, x) =
 *    1 − e^{−x} Σ_{k≤n} x^k/k! (the regularised lower incomplete gamma function; ∫₀^θ t^{2n+1}
 *    e^{−t²/2σ²} dt = 2ⁿ n! σ^{2n+2} P(n+1, x)); the series is that of Dawson's function, and
 *    four terms leave < σ⁸/945 ≈ 7e-14 at σ = 0.05 rad. The small-angle limit, F = 1 − e^{−x},
 *    is its first term. This replaced a table that cost ~0.4 ms per notice to build (every
 *    Swift XRT notice of an archive import built one).
 *  - Gaussian cone, larger σ: F is tabulated on TABLE_SIZE + 1 equal steps of [0, θ_max],
 *    θ_max = min(π, 40 × scale), by the trapezoid rule on the integrand, read by linear
 *    interpolation (error ~ (Δθ)²: ~2.4e-6 in level with Δθ = σ/205, measured against the
 *    closed form in test/sky/radial-profile.test.ts).
 * Both Gaussian forms are cut at θ_max = min(π, 40σ) (the density beyond is e^{−800}).
 */
import { CoincideError } from '../errors.ts';
import { RAD_PER_DEG } from './angles.ts';

const TABLE_SIZE = 8192;

export type CircleModel = 'gaussian' | 'fisher' | 'gbm';

/** Fermi GBM systematic model parameters (statistics.md §3, Connaughton 2015 Tables 3 and 7). */
export interface GbmSystematics {
  coreWeight: number;
  coreSysDeg: number;
  tailSysDeg: number;
}

export const GBM_SYSTEMATICS: Readonly<Record<string, GbmSystematics>> = {
  FLT_POS: { coreWeight: 0.897, coreSysDeg: 7.52, tailSysDeg: 55.6 },
  GND_POS: { coreWeight: 0.804, coreSysDeg: 3.72, tailSysDeg: 13.7 },
  FIN_POS: { coreWeight: 0.9, coreSysDeg: 3.71, tailSysDeg: 14.3 },
};

/** Maps a GBM notice type name (e.g. Fermi_GBM_Gnd_Pos, FERMI_GBM_FIN_POS, 112) to its model key. */
export function gbmNoticeKey(noticeType: string): keyof typeof GBM_SYSTEMATICS | undefined {
  const t = noticeType.toUpperCase();
  if (t.includes('FLT_POS') || t === '111') return 'FLT_POS';
  if (t.includes('GND_POS') || t === '112') return 'GND_POS';
  if (t.includes('FIN_POS') || t === '115') return 'FIN_POS';
  return undefined;
}

/** An axisymmetric density about a centre and its enclosed probability. */
export interface RadialProfile {
  /** θ beyond which the density is 0 and the level 1, radians. */
  readonly maxRad: number;
  /**
   * The angular scales (radians) on which the density varies: one per component (σ of a
   * Gaussian, 1/√κ of a Fisher, both components of the GBM mixture). The overlap integrals
   * (src/join/overlap.ts) resolve each within 6 scales of the centre.
   */
  readonly scalesRad: readonly number[];
  /** Normalised density at θ, per sr. */
  densityPerSr(thetaRad: number): number;
  /** Enclosed probability within θ. */
  levelAt(thetaRad: number): number;
  /** Radius (radians) enclosing probability `level` (inverse of levelAt). */
  radiusForLevel(level: number): number;
}

/** A profile tabulated by the trapezoid rule (for densities without a closed-form F). */
export class TabulatedProfile implements RadialProfile {
  /** θ_max of the table, radians. */
  readonly maxRad: number;
  private readonly step: number;
  private readonly cumulative: Float64Array;
  private readonly densityFn: (thetaRad: number) => number;
  private readonly norm: number;
  /**
   * The angular scales (radians) on which the density varies: one per component (σ of a
   * Gaussian, 1/√κ of a Fisher, both components of the GBM mixture). The overlap integrals
   * (src/join/overlap.ts) resolve each within 6 scales of the centre.
   */
  readonly scalesRad: readonly number[];

  /**
   * `density(θ)` need not be normalised; `scaleRad` sets the table extent; `scalesRad` are the
   * density's own scales (default [scaleRad]).
   */
  constructor(
    density: (thetaRad: number) => number,
    scaleRad: number,
    scalesRad: readonly number[] = [scaleRad],
  ) {
    this.scalesRad = scalesRad;
    this.maxRad = Math.min(Math.PI, 40 * scaleRad);
    this.step = this.maxRad / TABLE_SIZE;
    this.densityFn = density;
    const cum = new Float64Array(TABLE_SIZE + 1);
    let prev = 0; // integrand at θ = 0: f(0)·2π·sin 0
    for (let i = 1; i <= TABLE_SIZE; i++) {
      const t = i * this.step;
      const g = density(t) * 2 * Math.PI * Math.sin(t);
      cum[i] = (cum[i - 1] as number) + 0.5 * (prev + g) * this.step;
      prev = g;
    }
    this.norm = cum[TABLE_SIZE] as number;
    if (!(this.norm > 0))
      throw new CoincideError('SKY_BAD_REGION', 'localisation density does not integrate');
    for (let i = 0; i <= TABLE_SIZE; i++) cum[i] = (cum[i] as number) / this.norm;
    this.cumulative = cum;
  }

  /** Normalised density at θ, per sr. */
  densityPerSr(thetaRad: number): number {
    return thetaRad > this.maxRad ? 0 : this.densityFn(thetaRad) / this.norm;
  }

  /** Enclosed probability within θ (linear interpolation in the table). */
  levelAt(thetaRad: number): number {
    if (thetaRad >= this.maxRad) return 1;
    const x = thetaRad / this.step;
    const i = Math.floor(x);
    const c0 = this.cumulative[i] as number;
    return c0 + (x - i) * ((this.cumulative[i + 1] as number) - c0);
  }

  /** Radius (radians) enclosing probability `level` (inverse of levelAt). */
  radiusForLevel(level: number): number {
    checkLevel(level);
    if (level >= 1) return this.maxRad;
    const cum = this.cumulative;
    let lo = 0;
    let hi = TABLE_SIZE;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) < level) lo = mid;
      else hi = mid;
    }
    const c0 = cum[lo] as number;
    const c1 = cum[hi] as number;
    const frac = c1 > c0 ? (level - c0) / (c1 - c0) : 0;
    return (lo + frac) * this.step;
  }
}

function checkLevel(level: number): void {
  if (!(level >= 0 && level <= 1))
    throw new CoincideError('SKY_BAD_REGION', `credible level ${level} is outside [0, 1]`);
}

/** One Fisher component of a mixture: weight w, concentration κ. */
interface FisherComponent {
  weight: number;
  kappa: number;
  /** κ / (2π (1 − e^{−2κ})): the normalised density at θ = 0, sr⁻¹. */
  peak: number;
  /** 1 − e^{−2κ} (the normalisation of F). */
  total: number;
}

/**
 * A mixture of Fisher densities with exact F (see the header): f(θ) = Σ w_k κ_k / (2π (1 −
 * e^{−2κ_k})) · e^{−2κ_k sin²(θ/2)}, F(θ) = Σ w_k (1 − e^{−2κ_k u}) / (1 − e^{−2κ_k}),
 * u = sin²(θ/2). Weights sum to 1.
 */
export class FisherMixtureProfile implements RadialProfile {
  readonly maxRad = Math.PI;
  readonly scalesRad: readonly number[];
  private readonly components: readonly FisherComponent[];

  constructor(components: ReadonlyArray<{ weight: number; kappa: number }>, scalesRad: readonly number[]) {
    this.components = components.map(({ weight, kappa }) => {
      const total = -Math.expm1(-2 * kappa);
      return { weight, kappa, total, peak: kappa / (2 * Math.PI * total) };
    });
    this.scalesRad = scalesRad;
  }

  densityPerSr(thetaRad: number): number {
    if (thetaRad > this.maxRad) return 0;
    const u = Math.sin(thetaRad / 2) ** 2;
    let sum = 0;
    for (const c of this.components) sum += c.weight * c.peak * Math.exp(-2 * c.kappa * u);
    return sum;
  }

  /** F as a function of u = sin²(θ/2) ∈ [0, 1]. */
  private levelAtU(u: number): number {
    let sum = 0;
    for (const c of this.components) sum += (c.weight * -Math.expm1(-2 * c.kappa * u)) / c.total;
    return Math.min(1, sum);
  }

  levelAt(thetaRad: number): number {
    if (thetaRad >= this.maxRad) return 1;
    return this.levelAtU(Math.sin(thetaRad / 2) ** 2);
  }

  radiusForLevel(level: number): number {
    checkLevel(level);
    if (level >= 1) return this.maxRad;
    // F is increasing in u: bisection, 64 halvings of [0, 1].
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 64 && hi > lo; i++) {
      const mid = (lo + hi) / 2;
      if (this.levelAtU(mid) < level) lo = mid;
      else hi = mid;
    }
    return 2 * Math.asin(Math.sqrt((lo + hi) / 2));
  }
}

function checkRadiusContainment(radiusDeg: number, containment: number): void {
  if (!(radiusDeg > 0 && radiusDeg <= 180))
    throw new CoincideError('SKY_BAD_REGION', `radius ${radiusDeg}° is outside (0, 180]`);
  if (!(containment > 0 && containment < 1)) {
    throw new CoincideError('SKY_BAD_REGION', `containment ${containment} is outside (0, 1)`);
  }
}

/** 2-D Gaussian σ (degrees) of a radius at containment c: σ = r / √(−2 ln(1 − c)). */
export function gaussianSigmaDeg(radiusDeg: number, containment: number): number {
  checkRadiusContainment(radiusDeg, containment);
  return radiusDeg / Math.sqrt(-2 * Math.log(1 - containment));
}

/** Largest σ (radians, ≈ 2.9°) whose Gaussian uses the closed form (SmallGaussianProfile). */
export const SERIES_MAX_SIGMA_RAD = 0.05;

/**
 * The Gaussian cone in closed form for σ ≤ SERIES_MAX_SIGMA_RAD (see the header): with s = σ,
 * x = θ²/(2s²), u = s²,
 *   F(θ) = [P(1,x) − u/3 P(2,x) + u²/15 P(3,x) − u³/105 P(4,x)] / [1 − u/3 + u²/15 − u³/105],
 *   f(θ) = e^{−x} / (2π s² [1 − u/3 + u²/15 − u³/105])  sr⁻¹,
 * both for θ ≤ θ_max = 40 s (beyond: f = 0, F = 1; the mass past 40 s, e^{−800}, is nothing).
 */
export class SmallGaussianProfile implements RadialProfile {
  readonly maxRad: number;
  readonly scalesRad: readonly number[];
  private readonly sigmaRad: number;
  /** 1 − u/3 + u²/15 − u³/105: the total of the series (P → 1). */
  private readonly total: number;
  private readonly peakPerSr: number;

  constructor(sigmaRad: number) {
    if (!(sigmaRad > 0 && sigmaRad <= SERIES_MAX_SIGMA_RAD))
      throw new CoincideError(
        'SKY_BAD_REGION',
        `Gaussian σ ${sigmaRad} rad is outside the closed form's range`,
      );
    this.sigmaRad = sigmaRad;
    this.maxRad = 40 * sigmaRad;
    this.scalesRad = [sigmaRad];
    const u = sigmaRad * sigmaRad;
    this.total = 1 - u / 3 + (u * u) / 15 - (u * u * u) / 105;
    this.peakPerSr = 1 / (2 * Math.PI * u * this.total);
  }

  densityPerSr(thetaRad: number): number {
    if (thetaRad > this.maxRad) return 0;
    const s = this.sigmaRad;
    return this.peakPerSr * Math.exp((-thetaRad * thetaRad) / (2 * s * s));
  }

  levelAt(thetaRad: number): number {
    if (thetaRad >= this.maxRad) return 1;
    const s = this.sigmaRad;
    const u = s * s;
    const x = (thetaRad * thetaRad) / (2 * u);
    const e = Math.exp(-x);
    const p1 = -Math.expm1(-x);
    const p2 = p1 - x * e;
    const p3 = p2 - ((x * x) / 2) * e;
    const p4 = p3 - ((x * x * x) / 6) * e;
    const sum = p1 - (u / 3) * p2 + ((u * u) / 15) * p3 - ((u * u * u) / 105) * p4;
    return Math.min(1, Math.max(0, sum / this.total));
  }

  /** Inverse of levelAt: bisection on θ ∈ [0, θ_max] (64 halvings: below double precision). */
  radiusForLevel(level: number): number {
    checkLevel(level);
    if (level >= 1) return this.maxRad;
    if (level <= 0) return 0;
    let lo = 0;
    let hi = this.maxRad;
    for (let i = 0; i < 64 && hi > lo; i++) {
      const mid = (lo + hi) / 2;
      if (this.levelAt(mid) < level) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
}

export function gaussianProfile(sigmaDeg: number): RadialProfile {
  const s = sigmaDeg * RAD_PER_DEG;
  if (s > 0 && s <= SERIES_MAX_SIGMA_RAD) return new SmallGaussianProfile(s);
  return new TabulatedProfile((t) => Math.exp((-t * t) / (2 * s * s)), s);
}

/**
 * Fisher κ whose disc of radius r holds c: fixed-point iteration of
 * κ = −ln(1 − c(1 − e^{−2κ})) / (1 − cos r), which converges in a few steps (the e^{−2κ} term
 * matters only for κ ≲ 3, i.e. radii of tens of degrees). 1 − cos r = 2 sin²(r/2).
 */
export function fisherKappa(radiusDeg: number, containment: number): number {
  checkRadiusContainment(radiusDeg, containment);
  const oneMinusCos = 2 * Math.sin((radiusDeg * RAD_PER_DEG) / 2) ** 2;
  let kappa = -Math.log(1 - containment) / oneMinusCos;
  for (let i = 0; i < 100; i++) {
    const next = -Math.log(1 - containment * (1 - Math.exp(-2 * kappa))) / oneMinusCos;
    if (Math.abs(next - kappa) <= 1e-12 * kappa) return next;
    kappa = next;
  }
  return kappa;
}

/**
 * The Fisher density, written to avoid overflow for large κ (FisherMixtureProfile):
 * κ/(4π sinh κ)·e^{κ cos θ} = κ / (2π (1 − e^{−2κ})) · e^{−2κ sin²(θ/2)}.
 */
export function fisherProfile(kappa: number): RadialProfile {
  if (!(kappa > 0)) throw new CoincideError('SKY_BAD_REGION', `Fisher κ ${kappa} must be positive`);
  return new FisherMixtureProfile([{ weight: 1, kappa }], [Math.min(Math.PI, 1 / Math.sqrt(kappa))]);
}

/** Connaughton 2015 κ = 1 / (0.4356 (σ_stat² + σ_sys²)), σ in radians. */
export function connaughtonKappa(statDeg: number, sysDeg: number): number {
  const s = statDeg * RAD_PER_DEG;
  const y = sysDeg * RAD_PER_DEG;
  return 1 / (0.4356 * (s * s + y * y));
}

/** Fermi GBM core + tail mixture for a notice's statistical radius (degrees). */
export function gbmProfile(statRadiusDeg: number, key: keyof typeof GBM_SYSTEMATICS): RadialProfile {
  const sys = GBM_SYSTEMATICS[key];
  if (!sys) throw new CoincideError('SKY_BAD_REGION', `no GBM systematic model for ${key}`);
  if (!(statRadiusDeg >= 0 && statRadiusDeg <= 180)) {
    throw new CoincideError('SKY_BAD_REGION', `radius ${statRadiusDeg}° is outside [0, 180]`);
  }
  const core = connaughtonKappa(statRadiusDeg, sys.coreSysDeg);
  const tail = connaughtonKappa(statRadiusDeg, sys.tailSysDeg);
  const w = sys.coreWeight;
  const scales = [core, tail].map((kappa) => Math.min(Math.PI, 1 / Math.sqrt(kappa)));
  return new FisherMixtureProfile(
    [
      { weight: w, kappa: core },
      { weight: 1 - w, kappa: tail },
    ],
    scales,
  );
}

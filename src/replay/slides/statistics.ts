/**
 * Empirical against analytic false-alarm rates from the slid runs (docs/time-slides.md).
 *
 * Messenger × messenger classes (statistic: the joint FAR, farHz, Hz). A joint FAR x means that
 * unrelated pairs with farHz ≤ x occur at the rate x (RAVEN, statistics.md §1.2–1.3), so over
 * the live time L = (clean slides) · P [s]:
 *     expected μ(x) = x · L,   empirical FAR(x) = n(farHz ≤ x) / L          [Hz]
 * Tiers are thresholds on farHz: silver ⇔ farHz · T(T − 1) ≤ FAR_thr (searches.ts), so the
 * analytic rate of "silver or better" is FAR_thr / (T(T − 1)), gold that / goldMargin, bronze
 * that · bronzeFactor (T, FAR_thr of the GW group's AllSky search).
 *
 * Messenger × optical classes (statistic: pChance, 1). pChance = 1 − e^(−N_bg(≤ s)) makes N_bg,
 * the expected number of background candidates at least as extreme in one trigger's region and
 * window, equal to −ln(1 − p) at a threshold p (score.ts, statistics.md §5.3), so over n complete
 * trigger trials (a slid trigger whose background history and window the optical stream covers):
 *     expected μ(p) = n · (−ln(1 − p)),   empirical rate(p) = n(pChance ≤ p) / n_trials   [per trigger]
 * (valid while p ≤ 1 − e^(−ρ̇ A_max T_max): a region holds no more than its ρ̇ A T).
 *
 * Counts get exact Poisson 1σ intervals (poisson.ts); a row agrees when the count lies within 2σ
 * of μ (one-sided tail ≥ 0.02275), or, when counts are correlated — slides reusing the same
 * stretch of the other stream (reuse, plan.ts reuseFactor) or triggers sharing counterparts
 * (sharing) — within 2 √(reuse · sharing · μ).
 *
 * Empirical p-value of a real coincidence (same class): over the slid trials of its trigger's
 * class (trigger × clean slide; for optical pairs only complete ones), the fraction whose smallest
 * pChance is ≤ the real one's: p_emp = k / n, beside the analytic pChance; messenger pairs also get
 * the empirical FAR at their farHz.
 */
import type { Coincidence, Tier } from '../../join/coincidence.ts';
import { counterpartRateHz, DEFAULT_SCORE_SETTINGS, type ScoreSettings } from '../../join/searches.ts';
import { isClean, type PairClass, reuseFactor, SEC_PER_DAY } from './plan.ts';
import { compareCount, poissonInterval } from './poisson.ts';
import { counterpartIdOf, opticalTrialComplete, type SlidEntry, type TimeSlideResult } from './run.ts';

export interface ThresholdRow {
  /** farHz (Hz) for messenger pairs, pChance (1) for optical pairs. */
  threshold: number;
  count: number;
  expected: number;
  /** Hz (mm-mm) or per trigger (mm-optical). */
  empiricalRate: number;
  empiricalRateLow: number;
  empiricalRateHigh: number;
  analyticRate: number;
  z: number;
  tailProbability: number;
  agrees: boolean;
  /**
   * Messenger pairs: the threshold is above the stream's saturation x_sat (class field), where the
   * identity FAR(x) = x cannot hold; such rows are not part of the verdict.
   */
  aboveSaturation?: boolean;
  /**
   * Messenger pairs: the expectation once the saturation is allowed for,
   * Σ_pairs min(1, x · I_p / x_sat) over the slid pairs counted (I_p their overlap, 1 without
   * positions): FAR_t of unrelated pairs is uniform on [0, x_sat] when FAR_GW is uniform up to its
   * maximum, so a pair has FAR_st = FAR_t / I_p ≤ x with probability min(1, x I_p / x_sat). Equal
   * to `expected` (x · L) where x ≤ x_sat / I_max and E[I] = 1; below it above that.
   */
  expectedWithSaturation?: number;
}

export interface TierRow extends ThresholdRow {
  /** Counts are of this tier or better. */
  tier: Tier;
}

export interface ClassStatistics {
  key: string;
  kind: PairClass['kind'];
  window: { startSec: number; endSec: number };
  extentSec: number;
  statistic: 'farHz' | 'pChance';
  rateUnit: 'Hz' | 'per trigger';
  measurable: boolean;
  /** Why the class cannot be measured from this archive. */
  reason?: string;
  cleanSlides: number;
  uncleanSlides: number;
  /**
   * The most clean slides in which one trigger's window covers the same instant of the other
   * stream (plan.ts reuseFactor): 1 means independent slides; above 1 the rows' `agrees` allows
   * for the correlation (with `sharing`, through `errorInflation`).
   */
  reuse: number;
  /**
   * Sharing: Σ m² / Σ m over the counterparts of one slide (m = how many counted pairs one optical
   * object or counterpart trigger is part of). Triggers whose regions and windows overlap (e.g.
   * GW alerts with the same sky map) count the same unrelated objects, so counts are correlated
   * across triggers too. `errorInflation` = reuse · sharing scales the variance used by `agrees`.
   */
  sharing: number;
  errorInflation: number;
  /** Live time of the clean slides, s (clean slides · P). */
  livetimeSec: number;
  /** Trigger trials counted (optical: complete ones only). */
  trials: number;
  /** Optical trials left out because the stream does not cover them. */
  incompleteTrials: number;
  /** Slid coincidences counted, and those left out (unclean slide or incomplete trial). */
  coincidences: number;
  excludedCoincidences: number;
  /**
   * Optical pairs counted whose first detection precedes the window start (admitted by the
   * criteria's "new" tolerance, 60 s by default): the analytic N_bg does not include them, and the
   * delay floor gives them the smallest statistic, so they add to the small-pChance counts.
   */
  toleranceCoincidences: number;
  /**
   * Messenger pairs of an untargeted search: x_sat = Δt_w · R_ext · max FAR_GW of the archive's
   * triggers of the class, Hz. Every unrelated pair has FAR_t ≤ x_sat, so the count stops growing
   * there (and, with FAR_st = FAR_t / I_Ω, starts bending at x_sat / I_Ω,max already).
   */
  saturationHz?: number;
  /**
   * Messenger pairs with both positions: the overlaps I_Ω of the slid pairs counted. RAVEN's
   * FAR_st = FAR_t / I_Ω is calibrated if E[I_Ω] = 1 over unrelated pairs; `mean` measures it
   * (standard error `meanError`), `max` sets where the saturation starts to bend the counts
   * (x_sat / max).
   */
  overlap?: { pairs: number; mean: number; meanError: number; max: number };
  thresholds: ThresholdRow[];
  tiers: TierRow[];
}

export interface RealCoincidence {
  id: string;
  classKey: string;
  pairType: Coincidence['pairType'];
  triggerId: string;
  counterpartId: string;
  tier: Tier | null;
  pChance: number;
  farHz?: number;
  /** k / n over the class's slid trials; undefined when the class has none. */
  pEmpirical?: number;
  pEmpiricalCount?: number;
  pEmpiricalTrials?: number;
  /** Messenger pairs: n(slid farHz ≤ farHz) / live time, Hz, with its 1σ interval. */
  farEmpiricalHz?: number;
  farEmpiricalLowHz?: number;
  farEmpiricalHighHz?: number;
}

/** farHz thresholds: 1e-14 … 1e-5 Hz, half decades. */
export const FAR_THRESHOLDS_HZ: readonly number[] = Array.from({ length: 19 }, (_, i) => 10 ** (-14 + i / 2));
/** pChance thresholds. */
export const P_THRESHOLDS: readonly number[] = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.5];

function row(
  threshold: number,
  count: number,
  expected: number,
  exposure: number,
  inflation = 1,
): ThresholdRow {
  const interval = poissonInterval(count);
  const compared = compareCount(count, expected);
  // Correlated counts (inflation > 1): variance up to inflation · μ, so agreement is |k − μ| ≤ 2 √(inflation μ).
  if (inflation > 1) compared.agrees = Math.abs(count - expected) <= 2 * Math.sqrt(inflation * expected);
  return {
    threshold,
    count,
    expected,
    empiricalRate: exposure > 0 ? count / exposure : 0,
    empiricalRateLow: exposure > 0 ? interval.low / exposure : 0,
    empiricalRateHigh: exposure > 0 ? interval.high / exposure : 0,
    analyticRate: exposure > 0 ? expected / exposure : 0,
    ...compared,
  };
}

/** Counts of sorted values ≤ x (binary search). */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The farHz boundaries of the messenger-pair tiers of a trigger class (AllSky search of its group). */
export function messengerTierBoundariesHz(
  triggerClass: string,
  settings: ScoreSettings = DEFAULT_SCORE_SETTINGS,
): Record<Tier, number> | undefined {
  const group = triggerClass === 'gw-cbc' ? 'CBC' : triggerClass === 'gw-burst' ? 'Burst' : undefined;
  if (!group) return undefined;
  const trials = settings.trialsFactors[group].AllSky;
  const threshold = settings.farThresholdsHz[group].AllSky;
  if (trials === undefined || threshold === undefined || trials < 2) return undefined;
  const silver = threshold / (trials * (trials - 1));
  return { gold: silver / settings.goldMargin, silver, bronze: silver * settings.bronzeFactor };
}

/** A duration for a message: seconds below a day, days above. */
function duration(sec: number): string {
  return sec < SEC_PER_DAY ? `${Number(sec.toPrecision(6))} s` : `${(sec / SEC_PER_DAY).toFixed(3)} d`;
}

const TIER_ORDER: readonly Tier[] = ['gold', 'silver', 'bronze'];
function atLeast(tier: Tier | null, floor: Tier): boolean {
  return tier !== null && TIER_ORDER.indexOf(tier) <= TIER_ORDER.indexOf(floor);
}

interface ClassData {
  stats: ClassStatistics;
  values: number[];
  /** Messenger pairs: I_Ω of each counted pair (1 without positions). */
  overlaps: number[];
  /** Counted pairs per (slide, counterpart). */
  multiplicity: Map<string, number>;
  tiers: Array<Tier | null>;
  /** Smallest pChance per trial (trials without a coincidence are not listed). */
  trialMinima: Map<string, number>;
}

export interface SlideStatistics {
  classes: ClassStatistics[];
  real: RealCoincidence[];
  /** Slid triples (not part of the comparison). */
  slidTriples: number;
}

export function slideStatistics(
  result: TimeSlideResult,
  settings: ScoreSettings = DEFAULT_SCORE_SETTINGS,
): SlideStatistics {
  const { plan } = result;
  const data = new Map<string, ClassData>();
  for (const c of plan.classes) {
    const clean = result.runs.filter((r) => r.k > 0 && isClean(plan, c, r.k)).map((r) => r.k);
    const cleanSlides = clean.length;
    const tooShort = plan.ringPeriodSec <= 2 * c.extentSec;
    data.set(c.key, {
      stats: {
        key: c.key,
        kind: c.kind,
        window: { startSec: c.window.startSec, endSec: c.window.endSec },
        extentSec: c.extentSec,
        statistic: c.kind === 'mm-mm' ? 'farHz' : 'pChance',
        rateUnit: c.kind === 'mm-mm' ? 'Hz' : 'per trigger',
        measurable: false,
        ...(tooShort
          ? {
              reason: `the trigger ring (P = ${duration(plan.ringPeriodSec)}) is not longer than twice the window extent (${duration(c.extentSec)}): no slide can move a real pair out of the window`,
            }
          : {}),
        cleanSlides,
        uncleanSlides: plan.slides - cleanSlides,
        reuse: reuseFactor(plan, c, clean),
        sharing: 1,
        errorInflation: 1,
        livetimeSec: cleanSlides * plan.ringPeriodSec,
        trials: 0,
        incompleteTrials: 0,
        coincidences: 0,
        excludedCoincidences: 0,
        toleranceCoincidences: 0,
        thresholds: [],
        tiers: [],
      },
      values: [],
      overlaps: [],
      multiplicity: new Map(),
      tiers: [],
      trialMinima: new Map(),
    });
  }
  const classByKey = new Map(plan.classes.map((c) => [c.key, c]));
  let slidTriples = 0;
  for (const run of result.runs) {
    if (run.k === 0) continue;
    // Trials of this run, per class.
    const complete = new Set<string>();
    for (const c of plan.classes) {
      const d = data.get(c.key) as ClassData;
      const clean = isClean(plan, c, run.k);
      for (const t of result.triggers.values()) {
        if (t.triggerClass !== c.triggerClass || t.retracted) continue;
        if (c.kind === 'mm-optical') {
          if (!t.hasRegion) continue;
          if (!clean) continue;
          const time = run.triggerTimesMjd.get(t.triggerId) as number;
          if (opticalTrialComplete(result, t.triggerClass, time)) {
            d.stats.trials++;
            complete.add(`${c.key}|${t.triggerId}`);
          } else d.stats.incompleteTrials++;
        } else if (clean) d.stats.trials++;
      }
    }
    for (const e of run.entries) {
      if (e.pairType === 'mm-mm-optical') {
        slidTriples++;
        continue;
      }
      const c = classByKey.get(e.classKey);
      const d = data.get(e.classKey);
      if (!c || !d) continue;
      const counted =
        isClean(plan, c, run.k) && (c.kind === 'mm-mm' || complete.has(`${c.key}|${e.triggerId}`));
      if (!counted) {
        d.stats.excludedCoincidences++;
        continue;
      }
      countEntry(d, e, run.k);
    }
  }
  for (const [key, d] of data) {
    const c = classByKey.get(key) as PairClass;
    if (c.kind === 'mm-mm' && c.counterpartClass !== 'optical') {
      const rate = counterpartRateHz(c.counterpartClass, settings);
      let maxFar = 0;
      for (const t of result.triggers.values())
        if (t.triggerClass === c.triggerClass) maxFar = Math.max(maxFar, t.maxFarHz ?? 0);
      if (rate !== undefined && maxFar > 0)
        d.stats.saturationHz = (c.window.endSec - c.window.startSec) * rate * maxFar;
    }
    finishClass(d, c, settings);
  }
  return { classes: [...data.values()].map((d) => d.stats), real: realPValues(result, data), slidTriples };
}

function countEntry(d: ClassData, e: SlidEntry, k: number): void {
  d.stats.coincidences++;
  if (d.stats.kind === 'mm-optical' && e.dtSeconds < d.stats.window.startSec) d.stats.toleranceCoincidences++;
  d.values.push(d.stats.statistic === 'farHz' ? (e.farHz ?? Number.POSITIVE_INFINITY) : e.pChance);
  d.tiers.push(e.tier);
  if (d.stats.kind === 'mm-mm') d.overlaps.push(e.overlap ?? 1);
  const key = `${k}|${e.counterpartId}`;
  d.multiplicity.set(key, (d.multiplicity.get(key) ?? 0) + 1);
  const trial = `${k}|${e.triggerId}`;
  const previous = d.trialMinima.get(trial);
  if (previous === undefined || e.pChance < previous) d.trialMinima.set(trial, e.pChance);
}

function finishClass(d: ClassData, c: PairClass, settings: ScoreSettings): void {
  const s = d.stats;
  d.values.sort((a, b) => a - b);
  s.measurable = s.reason === undefined && s.cleanSlides > 0 && s.trials > 0;
  if (!s.measurable && s.reason === undefined)
    s.reason = s.cleanSlides === 0 ? 'no clean slide for this class' : 'no complete trigger trial';
  if (!s.measurable) return;
  let sum = 0;
  let squares = 0;
  for (const m of d.multiplicity.values()) {
    sum += m;
    squares += m * m;
  }
  s.sharing = sum > 0 ? squares / sum : 1;
  s.errorInflation = s.reuse * s.sharing;
  if (c.kind === 'mm-mm') {
    if (d.overlaps.length > 0) {
      const n = d.overlaps.length;
      const mean = d.overlaps.reduce((a, b) => a + b, 0) / n;
      const variance = d.overlaps.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1);
      s.overlap = { pairs: n, mean, meanError: Math.sqrt(variance / n), max: Math.max(...d.overlaps) };
    }
    const xSat = s.saturationHz;
    const saturated = (x: number): Partial<ThresholdRow> => {
      if (xSat === undefined) return {};
      const expectedWithSaturation = d.overlaps.reduce((a, i) => a + Math.min(1, (x * i) / xSat), 0);
      return { expectedWithSaturation, ...(x > xSat ? { aboveSaturation: true } : {}) };
    };
    for (const x of FAR_THRESHOLDS_HZ)
      s.thresholds.push({
        ...row(x, countAtMost(d.values, x), x * s.livetimeSec, s.livetimeSec, s.errorInflation),
        ...saturated(x),
      });
    const bounds = messengerTierBoundariesHz(c.triggerClass, settings);
    if (bounds && c.counterpartClass !== 'snews') {
      for (const tier of TIER_ORDER) {
        const count = d.tiers.filter((t) => atLeast(t, tier)).length;
        s.tiers.push({
          tier,
          ...row(bounds[tier], count, bounds[tier] * s.livetimeSec, s.livetimeSec, s.errorInflation),
          ...saturated(bounds[tier]),
        });
      }
    }
  } else {
    const expectedPerTrial = (p: number): number => -Math.log1p(-p);
    for (const p of P_THRESHOLDS)
      s.thresholds.push(
        row(p, countAtMost(d.values, p), s.trials * expectedPerTrial(p), s.trials, s.errorInflation),
      );
    const t = settings.opticalPChance;
    for (const tier of TIER_ORDER) {
      const count = d.tiers.filter((x) => atLeast(x, tier)).length;
      s.tiers.push({
        tier,
        ...row(t[tier], count, s.trials * expectedPerTrial(t[tier]), s.trials, s.errorInflation),
      });
    }
  }
}

function realPValues(result: TimeSlideResult, data: ReadonlyMap<string, ClassData>): RealCoincidence[] {
  const minimaSorted = new Map<string, number[]>();
  const out: RealCoincidence[] = [];
  const classOf = (id: string): string => result.triggers.get(id)?.triggerClass ?? 'other';
  for (const c of result.real) {
    const counterpartId = counterpartIdOf(c);
    const key =
      c.pairType === 'mm-optical'
        ? `${classOf(c.trigger.triggerId)}×optical`
        : c.pairType === 'mm-mm'
          ? `${classOf(c.trigger.triggerId)}×${classOf(counterpartId)}`
          : `${classOf(c.trigger.triggerId)}×triple`;
    const entry: RealCoincidence = {
      id: c.id,
      classKey: key,
      pairType: c.pairType,
      triggerId: c.trigger.triggerId,
      counterpartId,
      tier: c.tier,
      pChance: c.pChance,
      ...(c.farHz === undefined ? {} : { farHz: c.farHz }),
    };
    const d = data.get(key);
    if (d?.stats.measurable) {
      let minima = minimaSorted.get(key);
      if (!minima) minimaSorted.set(key, (minima = [...d.trialMinima.values()].sort((a, b) => a - b)));
      const k = countAtMost(minima, c.pChance);
      entry.pEmpiricalCount = k;
      entry.pEmpiricalTrials = d.stats.trials;
      entry.pEmpirical = k / d.stats.trials;
      if (d.stats.statistic === 'farHz' && c.farHz !== undefined) {
        const n = countAtMost(d.values, c.farHz);
        const interval = poissonInterval(n);
        entry.farEmpiricalHz = n / d.stats.livetimeSec;
        entry.farEmpiricalLowHz = interval.low / d.stats.livetimeSec;
        entry.farEmpiricalHighHz = interval.high / d.stats.livetimeSec;
      }
    }
    out.push(entry);
  }
  return out;
}

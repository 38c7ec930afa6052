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
 * Sky scrambles (scramble.ts): a messenger × optical trial (trigger × slide) counts when its
 * class is clean in time at that slide or when the trigger's rotated region is sky-clean; a class
 * that time slides cannot clean (P ≤ 2E, e.g. neutrino × optical on a month) is measured from
 * its sky-clean trials alone. The same optical object can then be counted by several slides whose
 * rotated regions overlap (the window is the same): for such classes `sharing` is taken over every
 * counted pair of the class, not per slide, which includes that correlation, and reuse is 1.
 *
 * Triple classes (statistic: FAR_triple = x (1 + ln(F_max / x)), x = F · p, Hz; triple-score.ts).
 * A trial is a slid messenger pair of the class (clean slide, F ≤ F_max, both regions) whose
 * optical side is clean too (its optical class clean in time, or its trigger sky-clean) and
 * complete; its statistic is the smallest FAR_triple of its triples (none: no count). With p of
 * the pair's most extreme candidate uniform on [0, 1], a pair of FAR F has FAR_triple ≤ y with
 * probability q_F(y) = min(1, x_y / F), x_y solving x (1 + ln(F_max / x)) = y, so
 *     expected μ(y) = Σ_pairs q_F(y)   (given the slid pairs: the test of the triple formula),
 *     expectedIfPairsCalibrated = y · L   (if chance pairs had FAR ≤ F at the rate F up to F_max,
 *                                          the formula's assumption (i): then FAR_triple(y) = y),
 * empirical rate n(y) / L [Hz]. The two expectations differ where the pairs' own FARs are not
 * calibrated (a saturated GW stream: statistics of the mm-mm class).
 *
 * Empirical p-value of a real coincidence (same class): over the slid trials of its trigger's
 * class (trigger × clean slide; for optical pairs only complete ones), the fraction whose smallest
 * pChance is ≤ the real one's: p_emp = k / n, beside the analytic pChance (a triple: the fraction
 * of the class's slid pair trials whose smallest FAR_triple is ≤ its own); messenger pairs also get
 * the empirical FAR at their farHz.
 */
import type { Coincidence, Tier } from '../../join/coincidence.ts';
import { counterpartRateHz, DEFAULT_SCORE_SETTINGS, type ScoreSettings } from '../../join/searches.ts';
import { tripleFarHz } from '../../join/triple-score.ts';
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
  /** Triple classes: y · L, the expectation if the slid pairs' FARs were calibrated up to F_max. */
  expectedIfPairsCalibrated?: number;
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
  /** Messenger × optical classes: trials counted because the sky scramble cleaned them (scramble.ts). */
  skyCleanTrials?: number;
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
  /** Triple classes: the FAR F of each trial's messenger pair, by trial (k|trigger|partner). */
  pairFars: Map<string, number>;
  /** Counted pairs per counterpart over every slide (sky-scrambled classes). */
  multiplicityAll: Map<string, number>;
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
  /** Slid triples (all of them; the triple classes count those of their clean trials). */
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
        statistic: c.kind === 'mm-optical' ? 'pChance' : 'farHz',
        rateUnit: c.kind === 'mm-optical' ? 'per trigger' : 'Hz',
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
      pairFars: new Map(),
      multiplicityAll: new Map(),
      overlaps: [],
      multiplicity: new Map(),
      tiers: [],
      trialMinima: new Map(),
    });
  }
  const classByKey = new Map(plan.classes.map((c) => [c.key, c]));
  const opticalClassOf = new Map(
    plan.classes.filter((c) => c.kind === 'mm-optical').map((c) => [c.triggerClass, c]),
  );
  const maxPairFarHz = settings.tripleMaxPairFarHz;
  let slidTriples = 0;
  for (const run of result.runs) {
    if (run.k === 0) continue;
    /**
     * Whether a trigger's optical trial of this run counts: the run carried the optical stream,
     * the trigger's optical class is clean in time or its rotated region sky-clean, and the
     * stream covers its history and window. 'sky' when only the scramble cleaned it.
     */
    const opticalTrial = (triggerId: string): 'time' | 'sky' | 'unclean' | 'incomplete' => {
      const t = result.triggers.get(triggerId);
      const oc = t ? opticalClassOf.get(t.triggerClass) : undefined;
      if (!t || !oc || !run.optical || !t.hasRegion || t.retracted) return 'unclean';
      const timeClean = isClean(plan, oc, run.k);
      const skyClean = run.skyClean?.has(triggerId) === true;
      if (!timeClean && !skyClean) return 'unclean';
      const time = run.triggerTimesMjd.get(triggerId) as number;
      if (!opticalTrialComplete(result, t.triggerClass, time)) return 'incomplete';
      return timeClean ? 'time' : 'sky';
    };
    // Trials of this run, per class.
    const complete = new Set<string>();
    for (const c of plan.classes) {
      const d = data.get(c.key) as ClassData;
      if (c.kind === 'mm-mm-optical') continue; // trials are the slid pairs (below)
      const clean = isClean(plan, c, run.k);
      for (const t of result.triggers.values()) {
        if (t.triggerClass !== c.triggerClass || t.retracted) continue;
        if (c.kind === 'mm-optical') {
          const trial = opticalTrial(t.triggerId);
          if (trial === 'unclean') continue;
          if (trial === 'incomplete') {
            d.stats.incompleteTrials++;
            continue;
          }
          d.stats.trials++;
          if (trial === 'sky') d.stats.skyCleanTrials = (d.stats.skyCleanTrials ?? 0) + 1;
          complete.add(`${c.key}|${t.triggerId}`);
        } else if (clean) d.stats.trials++;
      }
    }
    // Triple trials: the clean slid messenger pairs that can form triples.
    for (const e of run.entries) {
      if (e.pairType !== 'mm-mm' || !(e.farHz !== undefined && e.farHz <= maxPairFarHz)) continue;
      const tc = classByKey.get(`${e.classKey}×optical`);
      if (!tc || !run.optical || !isClean(plan, tc, run.k)) continue;
      const trigger = result.triggers.get(e.triggerId);
      const partner = result.triggers.get(e.counterpartId);
      if (!trigger?.hasRegion || !partner?.hasRegion) continue;
      const side = tc.opticalSide === 'trigger' ? e.triggerId : e.counterpartId;
      const trial = opticalTrial(side);
      const d = data.get(tc.key) as ClassData;
      if (trial === 'incomplete') d.stats.incompleteTrials++;
      if (trial !== 'time' && trial !== 'sky') continue;
      d.stats.trials++;
      d.pairFars.set(`${run.k}|${e.triggerId}|${e.counterpartId}`, e.farHz);
    }
    for (const e of run.entries) {
      if (e.pairType === 'mm-mm-optical') slidTriples++;
      const c = classByKey.get(e.classKey);
      const d = data.get(e.classKey);
      if (!c || !d) continue;
      const counted =
        c.kind === 'mm-mm-optical'
          ? d.pairFars.has(`${run.k}|${e.triggerId}|${e.partnerId ?? ''}`)
          : isClean(plan, c, run.k) || c.kind === 'mm-optical'
            ? c.kind === 'mm-mm' || complete.has(`${c.key}|${e.triggerId}`)
            : false;
      if (!counted) {
        d.stats.excludedCoincidences++;
        continue;
      }
      countEntry(d, e, run.k);
    }
  }
  for (const [key, d] of data) {
    const c = classByKey.get(key) as PairClass;
    // Sky-cleaned trials measure a class that time slides cannot.
    if ((d.stats.skyCleanTrials ?? 0) > 0) {
      delete d.stats.reason;
      d.stats.reuse = 1;
    }
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
  if (d.stats.kind === 'mm-mm-optical') {
    // One value per trial: its smallest FAR_triple.
    const trial = `${k}|${e.triggerId}|${e.partnerId ?? ''}`;
    d.stats.coincidences++;
    const previous = d.trialMinima.get(trial);
    const far = e.farHz ?? Number.POSITIVE_INFINITY;
    if (previous === undefined || far < previous) d.trialMinima.set(trial, far);
    const key = `${k}|${e.counterpartId}`;
    d.multiplicity.set(key, (d.multiplicity.get(key) ?? 0) + 1);
    return;
  }
  d.stats.coincidences++;
  if (d.stats.kind === 'mm-optical' && e.dtSeconds < d.stats.window.startSec) d.stats.toleranceCoincidences++;
  d.values.push(d.stats.statistic === 'farHz' ? (e.farHz ?? Number.POSITIVE_INFINITY) : e.pChance);
  d.tiers.push(e.tier);
  if (d.stats.kind === 'mm-mm') d.overlaps.push(e.overlap ?? 1);
  const key = `${k}|${e.counterpartId}`;
  d.multiplicity.set(key, (d.multiplicity.get(key) ?? 0) + 1);
  d.multiplicityAll.set(e.counterpartId, (d.multiplicityAll.get(e.counterpartId) ?? 0) + 1);
  const trial = `${k}|${e.triggerId}`;
  const previous = d.trialMinima.get(trial);
  if (previous === undefined || e.pChance < previous) d.trialMinima.set(trial, e.pChance);
}

function finishClass(d: ClassData, c: PairClass, settings: ScoreSettings): void {
  const s = d.stats;
  d.values.sort((a, b) => a - b);
  const skyTrials = (s.skyCleanTrials ?? 0) > 0;
  s.measurable = s.reason === undefined && (s.cleanSlides > 0 || skyTrials) && s.trials > 0;
  if (!s.measurable && s.reason === undefined)
    s.reason =
      s.cleanSlides === 0
        ? 'no clean slide for this class'
        : c.kind === 'mm-mm-optical'
          ? 'no clean slid messenger pair that can form triples (joint FAR ≤ F_max, both regions, complete optical trial)'
          : 'no complete trigger trial';
  if (!s.measurable) return;
  let sum = 0;
  let squares = 0;
  for (const m of (skyTrials ? d.multiplicityAll : d.multiplicity).values()) {
    sum += m;
    squares += m * m;
  }
  s.sharing = sum > 0 ? squares / sum : 1;
  s.errorInflation = s.reuse * s.sharing;
  if (c.kind === 'mm-mm-optical') {
    finishTripleClass(d, settings);
    return;
  }
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

/**
 * x_y: the product statistic x = F · p whose FAR_triple x (1 + ln(F_max / x)) is y (increasing
 * in x on (0, F_max]; bisection in log x), F_max for y ≥ F_max.
 */
export function tripleProductForFar(yHz: number, maxPairFarHz: number): number {
  if (!(yHz > 0)) return 0;
  if (yHz >= maxPairFarHz) return maxPairFarHz;
  let lo = Math.log(yHz) - 60;
  let hi = Math.log(Math.min(yHz, maxPairFarHz));
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const x = Math.exp(mid);
    if (tripleFarHz(x, 1, maxPairFarHz) < yHz) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

function finishTripleClass(d: ClassData, settings: ScoreSettings): void {
  const s = d.stats;
  const minima = [...d.trialMinima.values()].sort((a, b) => a - b);
  const fars = [...d.pairFars.values()];
  for (const y of FAR_THRESHOLDS_HZ) {
    const x = tripleProductForFar(y, settings.tripleMaxPairFarHz);
    const expected = fars.reduce((a, f) => a + (f > 0 ? Math.min(1, x / f) : 1), 0);
    s.thresholds.push({
      ...row(y, countAtMost(minima, y), expected, s.livetimeSec, s.errorInflation),
      expectedIfPairsCalibrated: y * s.livetimeSec,
    });
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
          : `${classOf(c.trigger.triggerId)}×${classOf(c.partners?.[0]?.triggerId ?? '')}×optical`;
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
      // Triples are ranked by FAR_triple (their trial minima are FARs), pairs by pChance.
      const k = countAtMost(minima, c.pairType === 'mm-mm-optical' ? (c.farHz ?? Infinity) : c.pChance);
      entry.pEmpiricalCount = k;
      entry.pEmpiricalTrials = d.stats.trials;
      entry.pEmpirical = k / d.stats.trials;
      if (d.stats.kind === 'mm-mm' && c.farHz !== undefined) {
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

/**
 * Messenger × messenger searches as RAVEN and gwcelery define them (statistics.md §1), each with
 * its own window (windows.ts), rate, formula and publishing rule, and the tier that rule gives.
 *
 * Searches, by the class of the counterpart of a GW trigger (Δt = t_counterpart − t_GW):
 *   GRB             grb (Fermi GBM, Swift BAT, SVOM ECLAIRs/GRM, INTEGRAL, …)
 *                   FAR_t = Δt_w · R_GRB · FAR_GW,        R_GRB = 325 yr⁻¹ (Fermi 236 + Swift 65 +
 *                   SVOM ~25; LIGO-T2400116, the rate that reproduces LVK notices exactly, §1.5)
 *   SubGRB          grb-sub (Fermi GBM SubThresh): untargeted, R_SubGRB = R_GRB + 65 yr⁻¹
 *                   (ligo.raven coinc_far: "rate of threshold plus rate of subthreshold", T1900297)
 *   SubGRBTargeted  grb-targeted-fermi / -swift (GBM targeted search; BAT GUANO, BAT SubSubThresh):
 *                   Z = Δt_w FAR_ext FAR_GW, Z_max = Δt_w FAR_ext^thr FAR_GW^thr,
 *                   FAR_t = Z (1 − ln(Z / Z_max)), only for FAR_ext ≤ FAR_ext^thr and
 *                   FAR_GW ≤ FAR_GW^thr (ligo.raven 3.3 defaults: Fermi 1e-4 Hz and 1/day,
 *                   Swift 1e-3 Hz and 2/day)
 *   HEN             neutrino (IceCube, KM3NeT): R_HEN = 13.91 yr⁻¹ (arXiv:2304.01174)
 *   SNEWS           snews: window only, no joint FAR (gwcelery)
 *   Other           xray and other classes: R = 100 yr⁻¹ (this project's order-of-magnitude choice)
 * and FAR_st = FAR_t / I_Ω when both notices have a position (overlap.ts).
 *
 * Tiers (publishing rule of gwcelery `trigger_raven_alert`, statistics.md §1.8):
 *   FAR_c = FAR_st if both positions are known, else FAR_t;  x = FAR_c · T (T − 1)
 *   T: gwcelery `significant_alert_trials_factor` of the GW's group and search (CBC AllSky 6,
 *      EarlyWarning 4, MDC 6, SSM 2; Burst AllSky 3, BBH 6);
 *   FAR_thr: `significant_alert_far_threshold` (CBC AllSky/EarlyWarning/MDC 1/(30 d), SSM 1/yr;
 *      Burst AllSky 1/yr, BBH 1/(30 d));
 *   gold   x ≤ FAR_thr / 100          (the publishing condition with a margin of 100)
 *   silver x ≤ FAR_thr                (gwcelery would publish it)
 *   bronze x ≤ 10 · FAR_thr           (ten times looser than publishing; a 29 yr⁻¹ CBC pair,
 *                                      x = 870 yr⁻¹ > 121.7 yr⁻¹, has no tier)
 *   none   otherwise.
 * gwcelery publishes a GRB-family coincidence only with a space-time FAR, and never a
 * sub-threshold one: GRB/SubGRB/SubGRBTargeted pairs without both positions, and every SubGRB and
 * SubGRBTargeted pair, are at most bronze. SNEWS: x = FAR_GW · T against 1/day
 * (`snews_gw_far_threshold`). Without FAR_GW (or FAR_ext for the targeted search) there is no
 * joint FAR and no tier. Unknown GW searches use their group's AllSky values.
 *
 * pChance of a pair, the probability that an unrelated counterpart as close in time and sky
 * falls in the window: λ = R · Δt_w / I_Ω (R = FAR_ext for the targeted search; FAR_GW for SNEWS,
 * where the unrelated event is the GW candidate), pChance = 1 − e^(−λ); I_Ω = 1 without positions.
 */
import type { Notice } from '../notices/notice.ts';
import type { Tier } from './coincidence.ts';
import {
  DAY_SEC,
  FORMULA_VERSION,
  spaceTimeFarHz,
  targetedTemporalFarHz,
  temporalFarHz,
  TIER_THRESHOLDS,
  YEAR_SEC,
} from './score.ts';
import type { TimeWindow, TriggerClass } from './windows.ts';

export type SearchName = 'GRB' | 'SubGRB' | 'SubGRBTargeted' | 'HEN' | 'SNEWS' | 'Other';
export type FormulaId = 'raven-untargeted' | 'raven-targeted' | 'snews-window';
export type GwGroup = 'CBC' | 'Burst';

export interface TargetedThresholds {
  /** FAR_GW^thr, Hz. */
  gwFarHz: number;
  /** FAR_ext^thr, Hz. */
  externalFarHz: number;
}

/** Every number the messenger-pair scores use (configurable: src/config/options.ts `scores.*`). */
export interface ScoreSettings {
  /** Rates of independent external events, per 365-day year. */
  grbRatePerYear: number;
  subGrbExtraRatePerYear: number;
  henRatePerYear: number;
  otherRatePerYear: number;
  targeted: { fermi: TargetedThresholds; swift: TargetedThresholds };
  /** Trials factor T by GW group and search (gwcelery significant_alert_trials_factor). */
  trialsFactors: Readonly<Record<GwGroup, Readonly<Record<string, number>>>>;
  /** Publishing FAR threshold by GW group and search, Hz (significant_alert_far_threshold). */
  farThresholdsHz: Readonly<Record<GwGroup, Readonly<Record<string, number>>>>;
  /** SNEWS: FAR_GW · T below this publishes, Hz (snews_gw_far_threshold). */
  snewsGwFarThresholdHz: number;
  /** gold: the publishing condition with this margin. */
  goldMargin: number;
  /** bronze: the publishing threshold loosened by this factor. */
  bronzeFactor: number;
  /** Optical tiers: pChance at most these (score.ts TIER_THRESHOLDS, calibrated). */
  opticalPChance: Readonly<{ gold: number; silver: number; bronze: number }>;
  /** Triples: F_max, the largest messenger-pair FAR that forms triples, Hz (triple-score.ts). */
  tripleMaxPairFarHz: number;
  /** Triples of pairs without a GW trials factor: FAR_thr of their tier rule, Hz. */
  tripleFarThresholdHz: number;
}

export const DEFAULT_SCORE_SETTINGS: ScoreSettings = Object.freeze({
  grbRatePerYear: 325,
  subGrbExtraRatePerYear: 65,
  henRatePerYear: 13.91,
  otherRatePerYear: 100,
  targeted: Object.freeze({
    fermi: Object.freeze({ gwFarHz: 1 / DAY_SEC, externalFarHz: 1e-4 }),
    swift: Object.freeze({ gwFarHz: 2 / DAY_SEC, externalFarHz: 1e-3 }),
  }),
  trialsFactors: Object.freeze({
    CBC: Object.freeze({ AllSky: 6, EarlyWarning: 4, MDC: 6, SSM: 2 }),
    Burst: Object.freeze({ AllSky: 3, BBH: 6 }),
  }),
  farThresholdsHz: Object.freeze({
    CBC: Object.freeze({
      AllSky: 1 / (30 * DAY_SEC),
      EarlyWarning: 1 / (30 * DAY_SEC),
      MDC: 1 / (30 * DAY_SEC),
      SSM: 1 / YEAR_SEC,
    }),
    Burst: Object.freeze({ AllSky: 1 / YEAR_SEC, BBH: 1 / (30 * DAY_SEC) }),
  }),
  snewsGwFarThresholdHz: 1 / DAY_SEC,
  goldMargin: 100,
  bronzeFactor: 10,
  opticalPChance: TIER_THRESHOLDS.pChance,
  tripleMaxPairFarHz: 1 / DAY_SEC,
  tripleFarThresholdHz: 1 / YEAR_SEC,
});

/** The search a pair belongs to, by the counterpart's class. */
export function searchOf(counterpart: TriggerClass): SearchName {
  switch (counterpart) {
    case 'grb':
      return 'GRB';
    case 'grb-sub':
      return 'SubGRB';
    case 'grb-targeted-fermi':
    case 'grb-targeted-swift':
      return 'SubGRBTargeted';
    case 'neutrino':
      return 'HEN';
    case 'snews':
      return 'SNEWS';
    default:
      return 'Other';
  }
}

/** The rate R of unrelated counterparts of a class, Hz (none for targeted and SNEWS). */
export function counterpartRateHz(counterpart: TriggerClass, settings: ScoreSettings): number | undefined {
  switch (searchOf(counterpart)) {
    case 'GRB':
      return settings.grbRatePerYear / YEAR_SEC;
    case 'SubGRB':
      return (settings.grbRatePerYear + settings.subGrbExtraRatePerYear) / YEAR_SEC;
    case 'HEN':
      return settings.henRatePerYear / YEAR_SEC;
    case 'Other':
      return settings.otherRatePerYear / YEAR_SEC;
    default:
      return undefined;
  }
}

/** The GW group and search of a notice (group/Group and search/Search params). */
export function gwGroupAndSearch(
  notice: Notice,
  triggerClass: TriggerClass,
): { group?: GwGroup; search: string } {
  const group: GwGroup | undefined =
    triggerClass === 'gw-cbc' ? 'CBC' : triggerClass === 'gw-burst' ? 'Burst' : undefined;
  const raw = notice.params.search ?? notice.params.Search;
  return { ...(group ? { group } : {}), search: typeof raw === 'string' && raw !== '' ? raw : 'AllSky' };
}

/** A value of a per-search table, the group's AllSky value for an unknown search. */
function lookup(table: Readonly<Record<string, number>>, search: string): number | undefined {
  const key = Object.keys(table).find((k) => k.toLowerCase() === search.toLowerCase());
  return key === undefined ? table.AllSky : table[key];
}

export interface PairScoreInput {
  triggerNotice: Notice;
  triggerClass: TriggerClass;
  counterpartNotice: Notice;
  counterpartClass: TriggerClass;
  window: TimeWindow;
  /** I_Ω when both notices have a position, undefined otherwise. */
  overlap: number | undefined;
  settings: ScoreSettings;
}

export interface PairScore {
  search: SearchName;
  formula: FormulaId;
  /** `<FORMULA_VERSION> search=<name> formula=<id>`, the record's formulaVersion. */
  formulaVersion: string;
  pChance: number;
  farHz?: number;
  tier: Tier | null;
  /** Every number of the derivation, units in the names (the record's provenance.rates). */
  rates: Record<string, number>;
}

/**
 * Scores a pair; undefined when the pair is not a coincidence of its search: zero sky overlap
 * (I_Ω = 0: the densities never meet, "strong evidence against these events being
 * coincident" in RAVEN's words) or a targeted pair outside the search's FAR thresholds.
 */
export function scoreMessengerPair(input: PairScoreInput): PairScore | undefined {
  const { settings, window, overlap } = input;
  const search = searchOf(input.counterpartClass);
  if (overlap !== undefined && !(overlap > 0 && Number.isFinite(overlap))) return undefined;
  const windowLengthSec = window.endSec - window.startSec;
  const spatialFactor = overlap ?? 1;
  const farGw = input.triggerNotice.farHz;
  const farExt = input.counterpartNotice.farHz;
  const rates: Record<string, number> = { windowLengthSec };
  if (overlap !== undefined) rates.overlapIntegral = overlap;
  if (farGw !== undefined) rates.triggerFarHz = farGw;
  const { group, search: gwSearch } = gwGroupAndSearch(input.triggerNotice, input.triggerClass);
  const trials = group ? lookup(settings.trialsFactors[group], gwSearch) : undefined;
  const formula: FormulaId =
    search === 'SubGRBTargeted' ? 'raven-targeted' : search === 'SNEWS' ? 'snews-window' : 'raven-untargeted';
  const formulaVersion = `${FORMULA_VERSION} search=${search} formula=${formula}`;

  let temporal: number | undefined;
  let chanceRateHz: number | undefined;
  if (formula === 'raven-targeted') {
    const thresholds =
      input.counterpartClass === 'grb-targeted-fermi' ? settings.targeted.fermi : settings.targeted.swift;
    rates.gwFarThresholdHz = thresholds.gwFarHz;
    rates.externalFarThresholdHz = thresholds.externalFarHz;
    if (farExt !== undefined) {
      rates.externalFarHz = farExt;
      chanceRateHz = farExt;
      if (farExt > thresholds.externalFarHz) return undefined;
    }
    if (farGw !== undefined && farGw > thresholds.gwFarHz) return undefined;
    if (farGw !== undefined && farExt !== undefined) {
      temporal = targetedTemporalFarHz(
        windowLengthSec,
        farExt,
        farGw,
        thresholds.externalFarHz,
        thresholds.gwFarHz,
      );
    }
  } else if (formula === 'snews-window') {
    chanceRateHz = farGw;
  } else {
    chanceRateHz = counterpartRateHz(input.counterpartClass, settings);
    if (chanceRateHz !== undefined) rates.counterpartRateHz = chanceRateHz;
    if (farGw !== undefined && chanceRateHz !== undefined)
      temporal = temporalFarHz(windowLengthSec, chanceRateHz, farGw);
  }
  const pChance =
    chanceRateHz === undefined ? 1 : -Math.expm1(-(chanceRateHz * windowLengthSec) / spatialFactor);

  let farHz: number | undefined;
  if (temporal !== undefined) {
    rates.temporalFarHz = temporal;
    farHz = temporal;
    if (overlap !== undefined) {
      farHz = spaceTimeFarHz(temporal, overlap);
      rates.spaceTimeFarHz = farHz;
    }
  }

  // The publishing rule: statistic x against the threshold.
  let statistic: number | undefined;
  let thresholdHz: number | undefined;
  if (search === 'SNEWS') {
    if (farGw !== undefined && trials !== undefined) {
      statistic = farGw * trials;
      thresholdHz = settings.snewsGwFarThresholdHz;
    }
  } else if (farHz !== undefined && group && trials !== undefined) {
    statistic = farHz * trials * (trials - 1);
    thresholdHz = lookup(settings.farThresholdsHz[group], gwSearch);
  }
  if (trials !== undefined) rates.trialsFactor = trials;
  let tier: Tier | null = null;
  if (statistic !== undefined && thresholdHz !== undefined) {
    rates.publishingStatisticHz = statistic;
    rates.farThresholdHz = thresholdHz;
    rates.goldMargin = settings.goldMargin;
    rates.bronzeFactor = settings.bronzeFactor;
    const grbFamily = search === 'GRB' || search === 'SubGRB' || search === 'SubGRBTargeted';
    const publishable =
      !(grbFamily && overlap === undefined) && search !== 'SubGRB' && search !== 'SubGRBTargeted';
    if (publishable && statistic <= thresholdHz / settings.goldMargin) tier = 'gold';
    else if (publishable && statistic <= thresholdHz) tier = 'silver';
    else if (statistic <= thresholdHz * settings.bronzeFactor) tier = 'bronze';
  }
  return { search, formula, formulaVersion, pChance, ...(farHz === undefined ? {} : { farHz }), tier, rates };
}

/**
 * Scores of coincidences. Every formula gives its symbols and units; FORMULA_VERSION names
 * this set of formulas and constants and goes into every coincidence's provenance.
 *
 * Years are RAVEN's 365-day year (31 536 000 s), so that 6 s × 325 yr⁻¹ × FAR_GW reproduces
 * the joint FARs of real LVK notices exactly (statistics.md §1.5).
 */
import type { Tier } from './coincidence.ts';
import type { ActiveRegion } from './active-region.ts';
import { overlapOfDensities } from './overlap.ts';
import { TIER_THRESHOLDS } from './score-constants.ts';

/** The version of the formulas and constants; every record's formulaVersion starts with it. */
export const FORMULA_VERSION = 'coincide-score/2';

export { TIER_THRESHOLDS, YEAR_SEC } from './score-constants.ts';
export const DAY_SEC = 86_400;

/**
 * RAVEN untargeted temporal joint FAR (statistics.md §1.2):
 *   FAR_t = Δt_w · R_ext · FAR_GW        [Hz]
 * Δt_w window length [s], R_ext external rate [Hz], FAR_GW the GW candidate's FAR [Hz].
 */
export function temporalFarHz(windowLengthSec: number, externalRateHz: number, triggerFarHz: number): number {
  return windowLengthSec * externalRateHz * triggerFarHz;
}

/**
 * RAVEN targeted temporal FAR (sub-threshold external events found because of the GW):
 *   Z = Δt_w FAR_ext FAR_GW,  Z_max = Δt_w FAR_ext^thr FAR_GW^thr,  FAR_t = Z (1 − ln(Z / Z_max))  [Hz]
 */
export function targetedTemporalFarHz(
  windowLengthSec: number,
  externalFarHz: number,
  triggerFarHz: number,
  externalFarThresholdHz: number,
  triggerFarThresholdHz: number,
): number {
  const z = windowLengthSec * externalFarHz * triggerFarHz;
  const zMax = windowLengthSec * externalFarThresholdHz * triggerFarThresholdHz;
  if (z <= 0) return 0;
  return z * (1 - Math.log(Math.min(z, zMax) / zMax));
}

/** RAVEN space-time joint FAR: FAR_st = FAR_t / I_Ω  [Hz]. */
export function spaceTimeFarHz(temporalFar: number, overlap: number): number {
  return overlap > 0 ? temporalFar / overlap : Number.POSITIVE_INFINITY;
}

/**
 * Sky-map overlap integral I_Ω = 4π ∫ p₁ p₂ dΩ of two regions (statistics.md §1.4), computed
 * exactly for every pair of region kinds on the union of their grids: see overlap.ts for the
 * method and its error bound.
 */
export function overlapIntegral(a: ActiveRegion, b: ActiveRegion): number {
  return overlapOfDensities(a.density, b.density);
}

/**
 * Per-candidate Poisson chance probability of an optical counterpart (statistics.md §5.3).
 *
 *   s = A_s · τ                               [deg² day]  searched area × delay of the candidate
 *   N_bg(≤ s) = ρ̇ · s · (1 + ln(A_max T_max / s)),  0 < s ≤ A_max T_max
 *   pChance = 1 − exp(−N_bg(≤ s))
 *
 * ρ̇ background rate of new transients [deg⁻² day⁻¹] (measured, background-rate.ts), A_s searched
 * area at the candidate [deg²], τ = t_first − (t₀ + window start) [day], A_max area of the searched
 * credible region [deg²], T_max window length [day]. N_bg is the expected number of background
 * candidates at least as extreme anywhere in the region and window (the look-elsewhere effect is
 * built in), so for the most extreme candidate of a trigger pChance is uniform under background.
 */
export interface OpticalChanceInput {
  ratePerDeg2PerDay: number;
  searchedAreaDeg2: number;
  delayDays: number;
  maxAreaDeg2: number;
  maxDelayDays: number;
  /** Floor of the searched area: the alert's astrometric uncertainty, deg² (default 0). */
  minAreaDeg2?: number;
  /** Floor of the delay: the time resolution of a first detection, days (default 0). */
  minDelayDays?: number;
}

/**
 * The statistic s = max(A_s, A_min) · max(τ, τ_min), deg² day, capped at A_max T_max.
 * Floors: a position at the exact centre of a circle has A_s = 0 and a first detection at or
 * before t0 has τ ≤ 0; neither is measured better than the alert's astrometric uncertainty
 * (A_min) and its exposure (τ_min), so both score as s at the floor, never as s = 0 (which
 * would give pChance = 0 however dense the background).
 */
export function opticalStatistic(input: OpticalChanceInput): number {
  return flooredStatistic(
    input.searchedAreaDeg2,
    input.delayDays,
    input.minAreaDeg2 ?? 0,
    input.minDelayDays ?? 0,
    input.maxAreaDeg2 * input.maxDelayDays,
  );
}

/** s = min(s_max, max(A_s, A_min, 0) · max(τ, τ_min, 0)) (positional, for the join's hot path). */
export function flooredStatistic(
  areaDeg2: number,
  delayDays: number,
  minAreaDeg2: number,
  minDelayDays: number,
  sMax: number,
): number {
  return Math.min(sMax, Math.max(minAreaDeg2, areaDeg2, 0) * Math.max(minDelayDays, delayDays, 0));
}

/**
 * Floors of the optical statistic per survey. τ_min: one exposure (ZTF 30 s, Masci et al. 2019;
 * Rubin 30 s visits): a first detection is not timed better than its exposure. A_min: a disc
 * of radius 1″ (π r² = 2.42e-7 deg²), above the astrometric uncertainty of both surveys' faint
 * detections (ZTF ~0.1–0.3″, Rubin ≲ 0.1″): a position is not known better than that.
 */
export const OPTICAL_FLOORS: Readonly<Record<'ZTF' | 'LSST', { minDelaySec: number; minAreaDeg2: number }>> =
  Object.freeze({
    ZTF: Object.freeze({ minDelaySec: 30, minAreaDeg2: Math.PI * (1 / 3600) ** 2 }),
    LSST: Object.freeze({ minDelaySec: 30, minAreaDeg2: Math.PI * (1 / 3600) ** 2 }),
  });

export function opticalChanceProbability(input: OpticalChanceInput): number {
  return chanceFromStatistic(
    input.ratePerDeg2PerDay,
    opticalStatistic(input),
    input.maxAreaDeg2 * input.maxDelayDays,
  );
}

/** pChance = 1 − exp(−ρ̇ s (1 + ln(s_max / s))) of a statistic s ≤ s_max (deg² day). */
export function chanceFromStatistic(ratePerDeg2PerDay: number, s: number, sMax: number): number {
  if (!(sMax > 0)) return 1;
  if (s <= 0) return 0;
  const expected = ratePerDeg2PerDay * s * (1 + Math.log(sMax / s));
  return -Math.expm1(-expected);
}

export function tierFromPChance(
  pChance: number,
  t: Readonly<{ gold: number; silver: number; bronze: number }> = TIER_THRESHOLDS.pChance,
): Tier | null {
  if (pChance <= t.gold) return 'gold';
  if (pChance <= t.silver) return 'silver';
  if (pChance <= t.bronze) return 'bronze';
  return null;
}

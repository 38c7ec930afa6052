/**
 * Scores of coincidences. Every formula gives its symbols and units; FORMULA_VERSION names
 * this set of formulas and constants and goes into every coincidence's provenance.
 *
 * Years are RAVEN's 365-day year (31 536 000 s), so that 6 s × 325 yr⁻¹ × FAR_GW reproduces
 * the joint FARs of real LVK notices exactly (statistics.md §1.5).
 */
import type { Tier } from './coincidence.ts';
import type { ActiveRegion } from './active-region.ts';
import { raDecToVector } from '../sky/angles.ts';
import type { TriggerClass } from './windows.ts';

export const FORMULA_VERSION = 'coincide-score/1 (raven-untargeted, poisson-area-delay)';

/** RAVEN's year, seconds (365 days). */
export const YEAR_SEC = 31_536_000;

/**
 * Rates of independent events of each class, Hz (statistics.md §1.6): GRB 325 yr⁻¹
 * (Fermi + Swift + SVOM, ligo.raven), HEN 13.91 yr⁻¹ (IceCube Gold + Bronze, ligo.raven).
 * X-ray transients (Einstein Probe, MAXI) have no published RAVEN rate: 100 yr⁻¹ is this
 * project's order-of-magnitude choice. GW: O4 public-alert rate ~ 1 day⁻¹.
 */
export const EXTERNAL_RATES_HZ: Readonly<Record<TriggerClass, number>> = Object.freeze({
  grb: 325 / YEAR_SEC,
  neutrino: 13.91 / YEAR_SEC,
  xray: 100 / YEAR_SEC,
  'gw-cbc': 365 / YEAR_SEC,
  'gw-burst': 365 / YEAR_SEC,
  other: 100 / YEAR_SEC,
});

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

/** ln C(κ) for the von Mises–Fisher normaliser C(κ) = κ / (4π sinh κ); C(0) = 1/(4π). */
function logVmfNorm(kappa: number): number {
  if (kappa < 1e-9) return -Math.log(4 * Math.PI);
  // ln sinh κ = κ + ln(1 − e^(−2κ)) − ln 2
  return Math.log(kappa) - Math.log(4 * Math.PI) - (kappa + Math.log(-Math.expm1(-2 * kappa)) - Math.LN2);
}

/**
 * Sky-map overlap integral (Ashton et al. 2018; statistics.md §1.4):
 *   I_Ω = ∫ p₁(Ω) p₂(Ω) / p₀ dΩ = 4π ∫ p₁ p₂ dΩ,   p₀ = 1/(4π sr), p in sr⁻¹ (each normalised to 1)
 *
 * Discretisation: when either region is a map, the sum runs over its cells k:
 *   I_Ω = 4π Σ_k ρ₁,k · ρ₂(Ω_k) · A_k          (A_k cell area [sr], Ω_k cell centre)
 * (exact on the union grid when the summed map is at least as fine as the other one; RAVEN's
 * map × point case is the limit of a very narrow ρ₂). Two circles (von Mises–Fisher with
 * concentrations κ₁, κ₂ and centres μ₁, μ₂) have the closed form
 *   ∫ p₁ p₂ dΩ = C(κ₁) C(κ₂) / C(|κ₁ μ₁ + κ₂ μ₂|),   C(κ) = κ / (4π sinh κ).
 */
export function overlapIntegral(a: ActiveRegion, b: ActiveRegion): number {
  const mapped = a.cells ? a : b.cells ? b : undefined;
  if (mapped?.cells) {
    const other = mapped === a ? b : a;
    let sum = 0;
    for (const cell of mapped.cells()) {
      if (cell.densityPerSr <= 0) continue;
      sum += cell.densityPerSr * other.densityPerSr(cell.raDeg, cell.decDeg) * cell.areaSr;
    }
    return 4 * Math.PI * sum;
  }
  const ka = vmfKappa(a);
  const kb = vmfKappa(b);
  const ua = raDecToVector(a.centre.raDeg, a.centre.decDeg);
  const ub = raDecToVector(b.centre.raDeg, b.centre.decDeg);
  const k3 = Math.hypot(ka * ua[0] + kb * ub[0], ka * ua[1] + kb * ub[1], ka * ua[2] + kb * ub[2]);
  return 4 * Math.PI * Math.exp(logVmfNorm(ka) + logVmfNorm(kb) - logVmfNorm(k3));
}

/** κ of an analytic region from its density at the centre: ρ(0) = κ / (2π (1 − e^(−2κ))) ≈ κ/(2π). */
function vmfKappa(region: ActiveRegion): number {
  const peak = region.densityPerSr(region.centre.raDeg, region.centre.decDeg);
  // Solve ρ(0) = κ / (2π (1 − e^(−2κ))) by fixed-point iteration (converges fast for κ ≳ 1).
  let kappa = 2 * Math.PI * peak;
  for (let i = 0; i < 50; i++) kappa = 2 * Math.PI * peak * -Math.expm1(-2 * kappa);
  return kappa;
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
}

export function opticalChanceProbability(input: OpticalChanceInput): number {
  const sMax = input.maxAreaDeg2 * input.maxDelayDays;
  if (!(sMax > 0)) return 1;
  const s = Math.min(sMax, Math.max(0, input.searchedAreaDeg2) * Math.max(0, input.delayDays));
  if (s <= 0) return 0;
  const expected = input.ratePerDeg2PerDay * s * (1 + Math.log(sMax / s));
  return -Math.expm1(-expected);
}

/**
 * Chance probability of a messenger × messenger pair: the probability that an unrelated event
 * of the counterpart class (rate R [Hz]) falls in the window (length Δt_w [s]), weighted by the
 * sky overlap I_Ω (the spatial likelihood ratio; I_Ω = 1 without positions):
 *   λ = R · Δt_w / I_Ω,   pChance = 1 − e^(−λ)
 */
export function messengerChanceProbability(
  counterpartRateHz: number,
  windowLengthSec: number,
  overlap: number,
): number {
  if (!(overlap > 0)) return 1;
  return -Math.expm1(-(counterpartRateHz * windowLengthSec) / overlap);
}

/**
 * Tiers. Optical (and messenger pairs without a FAR): on pChance,
 *   gold ≤ 1e-3, silver ≤ 1e-2, bronze ≤ 1e-1, else none.
 * Under background only, the expected number of false silver-or-better candidates per trigger
 * is −ln(1 − 1e-2) = 0.01005 (and −ln(1 − 1e-3) = 0.0010005 for gold), see test/join/calibration.
 * Messenger pairs with a joint FAR: gold ≤ 1/(1000 yr), silver ≤ 1/(30 d) (gwcelery's CBC
 * publishing threshold), else bronze.
 */
export const TIER_THRESHOLDS = Object.freeze({
  pChance: { gold: 1e-3, silver: 1e-2, bronze: 1e-1 },
  farHz: { gold: 1 / (1000 * YEAR_SEC), silver: 1 / (30 * 86_400) },
});

export function tierFromPChance(pChance: number): Tier | null {
  const t = TIER_THRESHOLDS.pChance;
  if (pChance <= t.gold) return 'gold';
  if (pChance <= t.silver) return 'silver';
  if (pChance <= t.bronze) return 'bronze';
  return null;
}

export function tierFromFar(farHz: number): Tier {
  const t = TIER_THRESHOLDS.farHz;
  if (farHz <= t.gold) return 'gold';
  if (farHz <= t.silver) return 'silver';
  return 'bronze';
}

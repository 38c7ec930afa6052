/**
 * The significance of a triple: a messenger pair T×E (GW+GRB, GW+ν, …) and an optical object O
 * (GW+GRB+optical). Derivation (this project's; it combines RAVEN's space-time FAR,
 * statistics.md §1, with the optical Poisson statistic of §5.3, the way RAVEN's targeted search
 * combines two FARs, §1.2).
 *
 * Symbols and units
 *   p_T, p_E     sr⁻¹   the two notices' localisation densities (each normalised on the sphere)
 *   p_c          sr⁻¹   combined localisation p_T p_E / ∫ p_T p_E dΩ (product-map.ts); a notice
 *                       without a position contributes a uniform density (p_c = the other one)
 *   A_s^c(Ω_O)   deg²   searched area of O in p_c (area of the smallest credible region of p_c
 *                       holding O); A_max^c the area of p_c's CL (0.9) credible region
 *   τ            day    O's first detection after the start of the trigger's optical window
 *   T_max        day    length of that window; s = A_s^c · τ, s_max = A_max^c T_max  [deg² day]
 *   ρ̇            deg⁻² day⁻¹   measured areal rate of unrelated new optical transients
 *                       (background-rate.ts) over the cells of p_c's credible region
 *   F            Hz     the pair's joint FAR (RAVEN FAR_st, or FAR_t without positions: the
 *                       record's farHz)
 *   F_max        Hz     the largest pair FAR that forms triples (ScoreSettings.tripleMaxPairFarHz)
 *
 * 1. Optical chance probability under the combined localisation (statistics.md §5.3 on p_c):
 *      N_bg(≤ s) = ρ̇ s (1 + ln(s_max / s)),   p = 1 − exp(−N_bg(≤ s))
 *    Background transients fall uniformly in area and time, so A_s^c of one of them is uniform on
 *    [0, A_max^c] (A_s^c measures the area of the greedy credible regions) and τ uniform on
 *    [0, T_max]: the count at least as extreme as s is Poisson with mean N_bg(≤ s), and p of a
 *    pair's most extreme candidate is uniform on [0, 1] (the look-elsewhere effect over the
 *    region and the window is built in; p of other candidates is conservative).
 *
 * 2. FAR of the triple. A triple is ranked by x = F · p [Hz] (smaller = more significant).
 *    Under background, chance pairs occur with FAR ≤ F at the rate F (what a FAR means; RAVEN's
 *    FAR_st assumes it), i.e. with rate density 1 per unit F on [0, F_max], and p is uniform and
 *    independent of F (the optical stream knows nothing of the pair). The rate of background
 *    triples with F · p ≤ x is then
 *      FAR_triple(x) = ∫_0^F_max P(p ≤ x / F) dF = ∫_0^F_max min(1, x / F) dF
 *                    = x (1 + ln(F_max / x))                  [Hz], 0 < x ≤ F_max
 *    (the CDF of the product of two uniform variables: the same form as RAVEN's targeted
 *    FAR_t = Z (1 − ln(Z / Z_max)) and as §5.3's N_bg). FAR_triple ≥ x: the bare product F · p
 *    is not a FAR, it ignores that small products arise from either factor.
 *    Check: F = 1e-9 Hz, p = 1e-2, F_max = 1/day = 1.1574e-5 Hz → x = 1e-11 Hz,
 *    FAR_triple = 1e-11 · (1 + ln(1.1574e6)) = 1.4962e-10 Hz.
 *    Equivalently u = FAR_triple / F_max is uniform on [0, 1] for chance pairs: the simulation
 *    test (test/join/triple-simulation.test.ts) checks that, and the uniformity of p.
 *
 * Assumptions: (i) the pair's FAR is calibrated (as RAVEN assumes; FAR_st divides by I_Ω, which
 * is calibrated only on average over sky positions); (ii) optical background independent of the
 * messenger pair and uniform over the searched region and window, at the measured ρ̇; (iii) F_max
 * bounds the FAR of every pair that can form a triple: a larger F_max than the true bound is
 * conservative (the ln term grows); (iv) one counterpart set per pair: quadruples (GW+GRB+ν+O)
 * are scored as two triples, not jointly.
 *
 * Tier: the trigger's publishing rule (searches.ts) applied to FAR_triple: with the GW's trials
 * factor T and threshold FAR_thr (the pair's provenance), x_pub = FAR_triple · T (T − 1), gold
 * ≤ FAR_thr / goldMargin, silver ≤ FAR_thr, bronze ≤ bronzeFactor · FAR_thr. Pairs without a GW
 * group (no trials factor) use x_pub = FAR_triple against ScoreSettings.tripleFarThresholdHz
 * (1 yr⁻¹).
 */
import type { Tier } from './coincidence.ts';
import { FORMULA_VERSION } from './score.ts';

/** formulaVersion of triple records. */
export const TRIPLE_FORMULA_VERSION = `${FORMULA_VERSION} search=Triple formula=pair-far-times-optical-p`;

/** FAR_triple = x (1 + ln(F_max / x)), x = F · p, Hz; 0 for x = 0. */
export function tripleFarHz(pairFarHz: number, opticalP: number, maxPairFarHz: number): number {
  const x = pairFarHz * opticalP;
  if (!(x > 0)) return 0;
  // x ≤ F_max whenever F ≤ F_max and p ≤ 1; clamp the logarithm at 0 beyond (never negative).
  return x * (1 + Math.log(Math.max(1, maxPairFarHz / x)));
}

export interface TripleTierRule {
  /** T of the GW group and search; undefined for pairs without a GW group. */
  trialsFactor?: number;
  /** FAR_thr, Hz. */
  farThresholdHz: number;
  goldMargin: number;
  bronzeFactor: number;
}

export interface TripleTier {
  tier: Tier | null;
  /** x_pub, Hz. */
  publishingStatisticHz: number;
}

/** The tier of a triple from its FAR by the rule above. */
export function tripleTier(farHz: number, rule: TripleTierRule): TripleTier {
  const t = rule.trialsFactor;
  const statistic = t === undefined ? farHz : farHz * t * (t - 1);
  let tier: Tier | null = null;
  if (statistic <= rule.farThresholdHz / rule.goldMargin) tier = 'gold';
  else if (statistic <= rule.farThresholdHz) tier = 'silver';
  else if (statistic <= rule.farThresholdHz * rule.bronzeFactor) tier = 'bronze';
  return { tier, publishingStatisticHz: statistic };
}

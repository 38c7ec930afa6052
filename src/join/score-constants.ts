/**
 * The constants of the scores that need nothing else (the web console's explanations import
 * them with explain.ts, without the scores' sky code); score.ts re-exports them.
 */

/** RAVEN's year, seconds (365 days). */
export const YEAR_SEC = 31_536_000;

/**
 * Optical tiers, on pChance (calibrated, test/join/calibration.test.ts):
 *   gold ≤ 1e-3, silver ≤ 1e-2, bronze ≤ 1e-1, else none.
 * Under background only, the expected number of false silver-or-better candidates per trigger
 * is −ln(1 − 1e-2) = 0.01005 (and −ln(1 − 1e-3) = 0.0010005 for gold).
 * Messenger pairs are tiered by their search's publishing rule instead (searches.ts).
 */
export const TIER_THRESHOLDS = Object.freeze({
  pChance: { gold: 1e-3, silver: 1e-2, bronze: 1e-1 },
});

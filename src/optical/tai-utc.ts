/**
 * TAI -> UTC for Rubin/LSST times (`midpointMjdTai` and friends are MJD in the TAI scale).
 *
 * OpticalAlert.timeMjd is UTC, like every other time in coincide (notices give UTC ISO
 * times), so LSST times are converted:
 *
 *   mjdUtc = mjdTai - ΔAT / 86400,   ΔAT = TAI - UTC in seconds (leap-second table below)
 *
 * ΔAT has been 37 s since 2017-01-01 and no leap second has been announced since (IERS
 * Bulletin C); a new one means adding one row here. Before 1972 (when UTC had "rubber"
 * seconds) the 1972 value of 10 s is used; no alert stream has times that old. Values checked
 * MJD (UTC) here counts 86400 s days; during a day that ends with a leap second astropy instead
 * spreads 86401 s over the fraction, so the two differ by up to 1 s on that one day. Checked
 * against astropy.time in test/optical/tai-utc.test.ts via test/reference/optical-ids.json.
 */

/** [MJD (UTC) from which ΔAT applies, ΔAT in seconds]; from IERS Bulletin C / tai-utc.dat. */
export const LEAP_SECONDS: ReadonlyArray<readonly [startMjdUtc: number, taiMinusUtcSec: number]> = [
  [41317, 10],
  [41499, 11],
  [41683, 12],
  [42048, 13],
  [42413, 14],
  [42778, 15],
  [43144, 16],
  [43509, 17],
  [43874, 18],
  [44239, 19],
  [44786, 20],
  [45151, 21],
  [45516, 22],
  [46247, 23],
  [47161, 24],
  [47892, 25],
  [48257, 26],
  [48804, 27],
  [49169, 28],
  [49534, 29],
  [50083, 30],
  [50630, 31],
  [51179, 32],
  [53736, 33],
  [54832, 34],
  [56109, 35],
  [57204, 36],
  [57754, 37],
];

const SECONDS_PER_DAY = 86400;

/** TAI - UTC in seconds at an instant given as MJD in TAI. */
export function taiMinusUtcSec(mjdTai: number): number {
  for (let i = LEAP_SECONDS.length - 1; i >= 0; i--) {
    const [startMjdUtc, deltaSec] = LEAP_SECONDS[i] as readonly [number, number];
    if (mjdTai - deltaSec / SECONDS_PER_DAY >= startMjdUtc) return deltaSec;
  }
  return (LEAP_SECONDS[0] as readonly [number, number])[1];
}

/** MJD (TAI) -> MJD (UTC). */
export function taiMjdToUtcMjd(mjdTai: number): number {
  return mjdTai - taiMinusUtcSec(mjdTai) / SECONDS_PER_DAY;
}

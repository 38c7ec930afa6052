/**
 * Time-scale helpers.
 *
 * MJD (Modified Julian Date) = JD − 2400000.5, in days. The Unix epoch
 * 1970-01-01T00:00:00Z is MJD 40587 exactly, so
 *   timeMjd = unixMs / 86 400 000 + 40587.
 * All times here are UTC and ignore leap seconds, as every notice publisher does
 * (their ISOTime strings are UTC civil time).
 */
export const UNIX_EPOCH_MJD = 40587;
export const MS_PER_DAY = 86_400_000;
export const JD_MINUS_MJD = 2_400_000.5;

export function unixMsToMjd(unixMs: number): number {
  return unixMs / MS_PER_DAY + UNIX_EPOCH_MJD;
}

export function mjdToUnixMs(timeMjd: number): number {
  return (timeMjd - UNIX_EPOCH_MJD) * MS_PER_DAY;
}

export function jdToMjd(timeJd: number): number {
  return timeJd - JD_MINUS_MJD;
}

/** ISO 8601 UTC with millisecond precision, ending in Z (the form every record carries). */
export function unixMsToIso(unixMs: number): string {
  return new Date(Math.round(unixMs)).toISOString();
}

export function mjdToIso(timeMjd: number): string {
  return unixMsToIso(mjdToUnixMs(timeMjd));
}

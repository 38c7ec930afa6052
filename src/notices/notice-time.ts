/**
 * Trigger times as published by notice families.
 *
 * Every notice time is UTC civil time, whatever its spelling (notices.md §0.4):
 *   2023-09-11T07:53:09.73         GCN, centiseconds, no zone
 *   2019-04-25T08:18:05.017147     LVK O3, microseconds, no zone
 *   2023-05-18T12:59:08Z           LVK O4
 *   2016-09-25T11:16:48+00:00      4PiSky
 *   2024-09-18 07:19:03.518831+00:00  CHIME (space separator)
 * Date.parse would read a zone-less string as local time, so the grammar is matched here and
 * the fields handed to Date.UTC. Fractions beyond milliseconds are rounded to the nearest ms
 * (the Notice carries millisecond precision).
 *
 * GCN also publishes TJD/SOD: MJD = TJD + 40000, SOD = seconds of the UTC day.
 */
import { MS_PER_DAY, mjdToUnixMs } from '../time/mjd.ts';

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Unix ms of an ISO 8601 time read as UTC when it has no zone; undefined when it is not one. */
export function parseUtcIsoMs(text: string): number | undefined {
  const m = ISO_UTC.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const fractionMs = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + fractionMs;
  // Date.UTC rolls 31 Feb over into March: reject dates that do not exist.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    ms -= sign * offsetMin * 60_000;
  }
  return Math.round(ms);
}

/**
 * Unix ms of a GCN Truncated Julian Day and second of day:
 *   unixMs = mjdToUnixMs(TJD + 40000) + SOD · 1000.
 */
export function tjdSodToUnixMs(tjd: number, sodSec: number): number {
  return Math.round(mjdToUnixMs(tjd + 40000) + sodSec * 1000);
}

/** True when a Unix ms time is a plausible notice time (1990 to 2100). */
export function isPlausibleNoticeTime(unixMs: number): boolean {
  return Number.isFinite(unixMs) && unixMs > 7305 * MS_PER_DAY && unixMs < 47482 * MS_PER_DAY;
}

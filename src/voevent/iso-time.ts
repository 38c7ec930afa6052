/**
 * ISOTime as VOEvents write it, read as UTC.
 *
 * Grammar (ISO 8601 extended, the subset met in VOEvents):
 *   YYYY "-" MM "-" DD "T" hh ":" mm ":" ss ("." fraction)? ("Z" | ("+"|"-") hh ":"? mm)?
 * A time with no zone is UTC (VOEvent ISOTime is in the coordinate system's time scale, UTC
 * for every notice family here). Fractions of any length are kept below the millisecond
 * (e.g. ".017147" -> 17.147 ms). Second 60 (a leap second) is accepted and lands on the next
 * minute, as Date.UTC does. Returns undefined when the text is not such a time or a field is out
 * of range (month 13, hour 1278...).
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseIsoTimeUtc(text: string): number | undefined {
  const match = ISO_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  /** Milliseconds within the second, keeping any sub-millisecond digits as a fraction. */
  const fractionMs = fraction === undefined ? 0 : Number(fraction) * 1000;
  let offsetMin = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2));
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMin = sign * (zoneHours * 60 + zoneMinutes);
  }
  const dateUtc = new Date(0);
  dateUtc.setUTCFullYear(year, month - 1, day);
  dateUtc.setUTCHours(hour, minute, second, 0);
  return dateUtc.getTime() + fractionMs - offsetMin * 60_000;
}

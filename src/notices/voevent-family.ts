/**
 * One VOEvent notice family: a predicate on the parsed packet (ivorn stream, Packet_Type)
 * and a normaliser that turns it into a Notice. The dispatcher (normalise-voevent.ts) tries
 * the families in order and falls back to the generic one.
 */
import type { Notice } from './notice.ts';
import type { VoEventView } from './voevent-view.ts';

export interface VoEventFamily {
  /** Kebab-case family name, e.g. "fermi-gbm". */
  readonly name: string;
  matches(view: VoEventView): boolean;
  normalise(view: VoEventView): Notice;
}

/** Rate conversion: 1 yr⁻¹ = 1 / (365.25 · 86 400 s) Hz (Julian year, as IceCube and AMON use). */
export const SECONDS_PER_JULIAN_YEAR = 365.25 * 86_400;

export function perYearToHz(ratePerYear: number): number {
  return ratePerYear / SECONDS_PER_JULIAN_YEAR;
}

/** The flags whose value is true, from (param name, flag name) pairs; absent params are skipped. */
export function trueFlags(view: VoEventView, pairs: ReadonlyArray<readonly [string, string]>): string[] {
  return pairs.filter(([param]) => view.bool(param) === true).map(([, flag]) => flag);
}

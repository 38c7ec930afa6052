/**
 * The engine's output order: records sorted by id (string order).
 *
 * Why not `records.sort(byId)` alone: a backward join emits thousands of records at once, and
 * their ids are slices of SHA-256 hex digests, which V8 compares slowly (about 10 ms for 6,000
 * ids on a loaded machine). The first 13 hex digits of an id (52 bits) are an exact double that
 * orders ids like the strings do, and a Float64Array sorts natively. Equal prefixes and ids that
 * are not hex (none are made today) fall back to the string comparison.
 */
import type { Coincidence } from './coincidence.ts';

/** Below this many records the plain comparison is as cheap as building the keys. */
const MIN_KEYED = 64;
const PREFIX_DIGITS = 13;

export const byId = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The first 13 lowercase hex digits of `id` as a number, or −1 when they are not hex digits. */
function hexPrefix(id: string): number {
  if (id.length < PREFIX_DIGITS) return -1;
  let key = 0;
  for (let i = 0; i < PREFIX_DIGITS; i++) {
    const c = id.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    key = key * 16 + digit;
  }
  return key;
}

/** Sorts `records` in place by id (the order of `byId`) and returns them. */
export function sortById<T extends Pick<Coincidence, 'id'>>(records: T[]): T[] {
  if (records.length < MIN_KEYED) return records.sort(byId);
  // Keys sort natively in a Float64Array; two ids sharing a prefix (1 in 2^52) take the plain path.
  const keys = new Float64Array(records.length);
  const byKey = new Map<number, T>();
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as T;
    const key = hexPrefix(record.id);
    if (key < 0 || byKey.has(key)) return records.sort(byId);
    keys[i] = key;
    byKey.set(key, record);
  }
  keys.sort();
  for (let i = 0; i < keys.length; i++) records[i] = byKey.get(keys[i] as number) as T;
  return records;
}

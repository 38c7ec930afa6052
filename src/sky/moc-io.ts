/**
 * IVOA MOC 2.0 serialisations of a space MOC: ASCII and JSON (MOC 2.0 §4.3.2, §4.3.3).
 *
 * ASCII grammar:  moc := (order "/" (list)?)+ ; list := item (sep item)* ; item := ipix | ipix "-" ipix
 *   e.g. "3/3 10-12 4/76 6/" (a trailing "order/" with no cells states the MOC depth).
 * JSON: {"3": [3, 10, 11, 12], "4": [76], "6": []}.
 * Cells are NESTED indices at their order; the MOC is normalised on reading.
 */
import { CoincideError } from '../errors.ts';
import { MAX_ORDER } from './healpix.ts';
import { Moc } from './moc.ts';

function bad(message: string): CoincideError {
  return new CoincideError('SKY_BAD_REGION', `MOC: ${message}`);
}

function checkOrderText(text: string): number {
  const order = Number(text);
  if (!/^\d+$/.test(text) || order > MAX_ORDER) throw bad(`bad order '${text}'`);
  return order;
}

/**
 * Parses an ASCII MOC ("s" prefix of space MOCs allowed). Each item, single cell or range of
 * cells at one order, becomes one order-29 range (ranges are never expanded into cells).
 */
export function parseMocAscii(text: string): Moc {
  const body = text.trim().replace(/^s(?=\d)/, '');
  const flat: bigint[] = [];
  let order: number | undefined;
  for (const raw of body.split(/[\s,]+/)) {
    if (raw === '') continue;
    let token = raw;
    const slash = token.indexOf('/');
    if (slash >= 0) {
      order = checkOrderText(token.slice(0, slash));
      token = token.slice(slash + 1);
      if (token === '') continue;
    }
    if (order === undefined) throw bad(`cell '${raw}' comes before any order`);
    const m = /^(\d+)(?:-(\d+))?$/.exec(token);
    if (!m) throw bad(`bad cell '${token}'`);
    const first = BigInt(m[1] as string);
    const last = m[2] === undefined ? first : BigInt(m[2]);
    if (last < first) throw bad(`range ${token} is reversed`);
    if (last >= 12n << BigInt(2 * order)) throw bad(`cell ${last} is outside order ${order}`);
    const shift = BigInt(2 * (MAX_ORDER - order));
    flat.push(first << shift, (last + 1n) << shift);
  }
  return Moc.fromRanges29(flat);
}

/** Cells grouped by order, ascending indices. */
function cellsByOrder(moc: Moc): Map<number, bigint[]> {
  const byOrder = new Map<number, bigint[]>();
  for (const cell of moc.cells()) {
    const list = byOrder.get(cell.order) ?? [];
    list.push(cell.ipix);
    byOrder.set(cell.order, list);
  }
  for (const list of byOrder.values()) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return byOrder;
}

/** ASCII MOC 2.0; `depth` (default: the MOC's deepest order) is stated with a trailing "depth/". */
export function formatMocAscii(moc: Moc, depth: number = moc.maxOrder()): string {
  const byOrder = cellsByOrder(moc);
  const parts: string[] = [];
  const orders = [...byOrder.keys()].sort((a, b) => a - b);
  for (const order of orders) {
    const list = byOrder.get(order) ?? [];
    const items: string[] = [];
    for (let i = 0; i < list.length;) {
      let j = i;
      while (j + 1 < list.length && (list[j + 1] as bigint) === (list[j] as bigint) + 1n) j++;
      items.push(j > i ? `${list[i]}-${list[j]}` : `${list[i]}`);
      i = j + 1;
    }
    parts.push(`${order}/${items.join(' ')}`);
  }
  if (orders.length === 0 || (orders[orders.length - 1] as number) < depth) parts.push(`${depth}/`);
  return parts.join(' ');
}

/** JSON MOC 2.0 object (indices as numbers: exact up to order 24, as JSON numbers are doubles). */
export function formatMocJson(moc: Moc, depth: number = moc.maxOrder()): string {
  const byOrder = cellsByOrder(moc);
  const entries: string[] = [];
  const orders = [...byOrder.keys()].sort((a, b) => a - b);
  for (const order of orders) entries.push(`"${order}":[${(byOrder.get(order) ?? []).join(',')}]`);
  if (orders.length === 0 || (orders[orders.length - 1] as number) < depth) entries.push(`"${depth}":[]`);
  return `{${entries.join(',')}}`;
}

/**
 * Parses a JSON MOC. Indices are read from the text itself (not through JSON.parse numbers), so
 * order-25…29 indices beyond 2^53 stay exact.
 */
export function parseMocJson(text: string): Moc {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CoincideError('SKY_BAD_REGION', 'MOC: not JSON', { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad('JSON MOC is not an object');
  const flat: bigint[] = [];
  // Re-scan the raw text for exact integers: "order": [i, j, …].
  const entry = /"(\d+)"\s*:\s*\[([^\]]*)\]/g;
  let seen = 0;
  for (let m = entry.exec(text); m !== null; m = entry.exec(text)) {
    seen++;
    const order = checkOrderText(m[1] as string);
    const shift = BigInt(2 * (MAX_ORDER - order));
    const limit = 12n << BigInt(2 * order);
    for (const item of (m[2] as string).split(',')) {
      const t = item.trim();
      if (t === '') continue;
      if (!/^\d+$/.test(t)) throw bad(`bad cell '${t}'`);
      const ipix = BigInt(t);
      if (ipix >= limit) throw bad(`cell ${ipix} is outside order ${order}`);
      flat.push(ipix << shift, (ipix + 1n) << shift);
    }
  }
  if (seen !== Object.keys(parsed).length) throw bad('JSON MOC keys must be orders with arrays of cells');
  return Moc.fromRanges29(flat);
}

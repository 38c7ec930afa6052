/**
 * Stable ordering of cell indices by non-negative doubles. Written by hand: a sky map's
 * 200,000–320,000 cells are ordered twice on every load (by position and by density), and the
 * ways the platform offers (a comparator sort of indices; a native sort of the keys, then a
 * binary search per key to find each one's index) took 40–200 ms each.
 *
 * Large inputs: LSD radix sort over the IEEE 754 bit patterns (non-negative finite doubles
 * order as their bit patterns), six passes of 11-bit digits, each skipped when every key has
 * the same digit there; the keys travel with the indices, so every pass reads in sequence and
 * writes to 2,048 places at a time (16-bit digits and reading the keys by index were 3-4×
 * slower on a loaded machine: cache misses). Small inputs: a comparator sort that breaks ties
 * by position in `start`.
 *
 * -0 is ordered as +0 (they are equal numbers); NaN and negative keys are the caller's to refuse.
 */

/** The index, within a double's two 32-bit words, of its low word on this machine. */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
/** Six digits of 11 bits (the last of 9): 2,048 buckets, small enough to stay in cache. */
const PASSES = 6;
const BUCKETS = 2048;
const MASK = BUCKETS - 1;
/** Below this many keys the comparator sort is used. */
const RADIX_FROM = 32_768;

/** Digit `pass` (0 = least significant) of the 64-bit pattern (hi, lo). */
function digit(pass: number, lo: number, hi: number): number {
  switch (pass) {
    case 0:
      return lo & MASK;
    case 1:
      return (lo >>> 11) & MASK;
    case 2:
      return (lo >>> 22) | ((hi & 1) << 10);
    case 3:
      return (hi >>> 1) & MASK;
    case 4:
      return (hi >>> 12) & MASK;
    default:
      return hi >>> 23;
  }
}

/**
 * `start` (a permutation of 0…n−1; default the identity) stably reordered by `keys[i]`,
 * ascending or descending: equal keys keep their order in `start`. Returns a new array.
 */
export function radixOrder(
  keys: Float64Array,
  options: { descending?: boolean; start?: Uint32Array } = {},
): Uint32Array {
  const n = keys.length;
  const descending = options.descending === true;
  const start = options.start ? options.start.slice() : identity(n);
  if (n < RADIX_FROM) return comparatorOrder(keys, start, descending);
  // The keys' two 32-bit words, in `start` order, carried along with the indices so that every
  // pass reads sequentially (-0 made +0: x + 0 is +0 for x = -0).
  const one = new Float64Array(1);
  const oneWords = new Uint32Array(one.buffer);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const counts = new Uint32Array(PASSES * BUCKETS);
  for (let i = 0; i < n; i++) {
    one[0] = (keys[start[i] as number] as number) + 0;
    const l = oneWords[LOW_WORD] as number;
    const h = oneWords[HIGH_WORD] as number;
    lo[i] = l;
    hi[i] = h;
    for (let pass = 0; pass < PASSES; pass++) {
      const c = pass * BUCKETS + digit(pass, l, h);
      counts[c] = (counts[c] as number) + 1;
    }
  }
  let index: Uint32Array = start;
  let loTo = new Uint32Array(n);
  let hiTo = new Uint32Array(n);
  let indexTo: Uint32Array = new Uint32Array(n);
  const next = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < PASSES; pass++) {
    const base = pass * BUCKETS;
    if (sameDigit(counts, base, n)) continue;
    let at = 0;
    for (let step = 0; step < BUCKETS; step++) {
      const bucket = descending ? BUCKETS - 1 - step : step;
      next[bucket] = at;
      at += counts[base + bucket] as number;
    }
    for (let i = 0; i < n; i++) {
      const l = lo[i] as number;
      const h = hi[i] as number;
      const d = digit(pass, l, h);
      const slot = next[d] as number;
      next[d] = slot + 1;
      loTo[slot] = l;
      hiTo[slot] = h;
      indexTo[slot] = index[i] as number;
    }
    [lo, loTo] = [loTo, lo];
    [hi, hiTo] = [hiTo, hi];
    [index, indexTo] = [indexTo, index];
  }
  return index;
}

/** True when one bucket of this pass's histogram holds every key (the pass changes nothing). */
function sameDigit(counts: Uint32Array, base: number, n: number): boolean {
  for (let b = 0; b < BUCKETS; b++) {
    const c = counts[base + b] as number;
    if (c !== 0) return c === n;
  }
  return true;
}

function comparatorOrder(keys: Float64Array, start: Uint32Array, descending: boolean): Uint32Array {
  const rank = new Uint32Array(start.length);
  for (let i = 0; i < start.length; i++) rank[start[i] as number] = i;
  const sign = descending ? -1 : 1;
  return start.sort(
    (a, b) => sign * ((keys[a] as number) - (keys[b] as number)) || (rank[a] as number) - (rank[b] as number),
  );
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Stable ordering of cell indices by non-negative doubles. Written by hand: a sky map's
 * 200,000–320,000 cells are ordered twice on every load (by position and by density), and the
 * ways the platform offers (a comparator sort of indices; a native sort of the keys, then a
 * binary search per key to find each one's index) took 40–200 ms each.
 *
 * Large inputs: LSD radix sort, four passes of 16-bit digits over the IEEE 754 bit patterns
 * (non-negative finite doubles order as their bit patterns), each pass skipped when every key
 * has the same digit there. Small inputs (where clearing the 4 × 65,536 counters would cost
 * more than the sort): a comparator sort that breaks ties by position in `start`.
 *
 * -0 is ordered as +0 (they are equal numbers); NaN and negative keys are the caller's to refuse.
 */

/** The index, within a double's two 32-bit words, of its low word on this machine. */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
/** Below this many keys the comparator sort is used. */
const RADIX_FROM = 32_768;

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
  // A copy with -0 made +0 (x + 0 is +0 for x = -0), viewed as 32-bit words.
  const scratch = new Float64Array(n);
  for (let i = 0; i < n; i++) scratch[i] = (keys[i] as number) + 0;
  const words = new Uint32Array(scratch.buffer);
  // The four digit histograms in one pass over the keys.
  const counts = new Uint32Array(4 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i + LOW_WORD] as number;
    const hi = words[2 * i + HIGH_WORD] as number;
    const a = lo & DIGIT_MASK;
    const b = BUCKETS + (lo >>> DIGIT_BITS);
    const c = 2 * BUCKETS + (hi & DIGIT_MASK);
    const d = 3 * BUCKETS + (hi >>> DIGIT_BITS);
    counts[a] = (counts[a] as number) + 1;
    counts[b] = (counts[b] as number) + 1;
    counts[c] = (counts[c] as number) + 1;
    counts[d] = (counts[d] as number) + 1;
  }
  let source: Uint32Array = start;
  let target: Uint32Array = new Uint32Array(n);
  const next = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * BUCKETS;
    if (sameDigit(counts, base, n)) continue;
    const word = pass < 2 ? LOW_WORD : HIGH_WORD;
    const shift = pass % 2 === 0 ? 0 : DIGIT_BITS;
    let at = 0;
    for (let step = 0; step < BUCKETS; step++) {
      const bucket = descending ? BUCKETS - 1 - step : step;
      next[bucket] = at;
      at += counts[base + bucket] as number;
    }
    for (let i = 0; i < n; i++) {
      const k = source[i] as number;
      const digit = ((words[2 * k + word] as number) >>> shift) & DIGIT_MASK;
      const slot = next[digit] as number;
      next[digit] = slot + 1;
      target[slot] = k;
    }
    const swap = source;
    source = target;
    target = swap;
  }
  return source;
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

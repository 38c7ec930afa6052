/**
 * The slots of buffered optical objects by (survey, objectId): a hash table with open addressing
 * (linear probing, backward-shift deletion) in typed arrays, for MemoryOpticalBuffer.
 *
 * Why not a Map<string, number> (written by hand): the forward join asks this table about every
 * new object, and most are absent. A Map of object ids compares the probed entries' key strings,
 * each a pointer to a string of an alert somewhere in a heap of millions of alerts: ~3–8 cache
 * misses per get + set, 400–700 ns per insert with 40,000 objects buffered (scratch comparison,
 * bench/join.ts's alerts, load ~3). Here a bucket holds a slot and the table keeps each slot's
 * 32-bit hash (FNV-1a of the survey and the object id); the strings are compared only when the
 * hashes are equal (the same object, or a 2^−32 collision), so looking up a new object reads one
 * or two adjacent buckets and nothing else.
 */

/** An empty bucket, and "no slot". */
const NONE = -1;
/** Buckets at first; the table doubles when more than half full. */
const INITIAL_BUCKETS = 1 << 12;

/** FNV-1a (32-bit) of `survey`, a separator and `objectId`. */
export function objectHash(survey: string, objectId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < survey.length; i++) h = Math.imul(h ^ survey.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x3a, 0x01000193);
  for (let i = 0; i < objectId.length; i++) h = Math.imul(h ^ objectId.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class ObjectSlots {
  private buckets = new Int32Array(INITIAL_BUCKETS).fill(NONE);
  private mask = INITIAL_BUCKETS - 1;
  /** Each slot's hash (indexed by slot; grown as slots are). */
  private hashOf = new Int32Array(INITIAL_BUCKETS);
  private count = 0;

  /**
   * @param sameObject whether the object in `slot` is (survey, objectId): asked only for a slot
   *   whose hash equals the key's.
   */
  constructor(private readonly sameObject: (slot: number, survey: string, objectId: string) => boolean) {}

  get size(): number {
    return this.count;
  }

  /** The bucket of (survey, objectId) with hash `hash`, or the empty bucket where it would go as ~bucket (< 0). */
  private find(hash: number, survey: string, objectId: string): number {
    for (let b = hash & this.mask; ; b = (b + 1) & this.mask) {
      const slot = this.buckets[b] as number;
      if (slot === NONE) return ~b;
      if (this.hashOf[slot] === hash && this.sameObject(slot, survey, objectId)) return b;
    }
  }

  /** The slot of (survey, objectId), or NONE (-1). */
  get(hash: number, survey: string, objectId: string): number {
    const b = this.find(hash, survey, objectId);
    return b < 0 ? NONE : (this.buckets[b] as number);
  }

  /** Records `slot` for an object not in the table, whose hash is `hash`. */
  insert(hash: number, slot: number): void {
    if (slot >= this.hashOf.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.hashOf.length * 2));
      grown.set(this.hashOf);
      this.hashOf = grown;
    }
    this.hashOf[slot] = hash;
    if (2 * (this.count + 1) > this.buckets.length) this.rehash(this.buckets.length * 2);
    let b = hash & this.mask;
    while (this.buckets[b] !== NONE) b = (b + 1) & this.mask;
    this.buckets[b] = slot;
    this.count++;
  }

  /** Removes the object in `slot` (which must be in the table). */
  remove(slot: number): void {
    const mask = this.mask;
    let b = (this.hashOf[slot] as number) & mask;
    while (this.buckets[b] !== slot) {
      if (this.buckets[b] === NONE) throw new Error('ObjectSlots.remove: slot not in the table');
      b = (b + 1) & mask;
    }
    // Backward-shift deletion: move up every later entry of the run that may not skip the hole.
    let hole = b;
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const moved = this.buckets[next] as number;
      if (moved === NONE) break;
      const home = (this.hashOf[moved] as number) & mask;
      // `moved` may fill the hole unless its home lies cyclically in (hole, next].
      const homeAfterHole = next > hole ? home > hole && home <= next : home > hole || home <= next;
      if (homeAfterHole) continue;
      this.buckets[hole] = moved;
      hole = next;
    }
    this.buckets[hole] = NONE;
    this.count--;
  }

  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(size).fill(NONE);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const slot = old[i] as number;
      if (slot === NONE) continue;
      let b = (this.hashOf[slot] as number) & this.mask;
      while (this.buckets[b] !== NONE) b = (b + 1) & this.mask;
      this.buckets[b] = slot;
    }
  }
}

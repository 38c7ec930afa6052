/**
 * The optical buffer: recent optical alerts that passed the quality cuts, kept so that a notice
 * arriving after the optical data (or a revision with a new region) can be joined backwards.
 *
 * One entry per object (survey, objectId): its earliest qualifying alert (by detection time,
 * then alertId), indexed by HEALPix cell (NESTED, order BUFFER_ORDER) and by first-detection time.
 * Retention is bounded by the longest window: the engine evicts entries whose first detection
 * is older than the watermark minus that span. src/store/optical-buffer.ts is the SQLite-backed
 * implementation for the service; MemoryOpticalBuffer is for replay, tests and benchmarks.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { ang2pixNest } from '../sky/healpix.ts';
import { INDEX_ORDER } from './notice-index.ts';
import { objectHash, ObjectSlots } from './object-slots.ts';

/** The buffer's cell order equals the notice index's cover order, so covers can be used as-is. */
export const BUFFER_ORDER = INDEX_ORDER;

/** What a backward join reads of a buffered alert: the object, the alert, its position and times. */
export type BufferedAlert = Pick<
  OpticalAlert,
  'survey' | 'objectId' | 'alertId' | 'raDeg' | 'decDeg' | 'timeMjd' | 'firstDetectionMjd'
>;

export interface OpticalBuffer {
  /**
   * Adds an alert; keeps only the earliest alert of each object. `cell`: its NESTED cell at
   * BUFFER_ORDER, when the caller has it already.
   */
  add(alert: OpticalAlert, cell?: number): void;
  /** Alerts in any of `cells` (NESTED, BUFFER_ORDER) whose first detection is in [fromMjd, toMjd]. */
  query(
    cells: ReadonlySet<number>,
    fromFirstDetectionMjd: number,
    toFirstDetectionMjd: number,
  ): BufferedAlert[];
  /**
   * The alerts with the values a coincidence carries besides the join fields (band, magnitudes,
   * rb, Fink's values), in the order given, when `query` returned only the join fields (the
   * SQLite buffer). One call per backward join: a lookup per alert cost more than the join itself.
   */
  withDetails?(alerts: readonly BufferedAlert[]): (BufferedAlert & Partial<OpticalAlert>)[];
  /**
   * True when `query` and `withDetails` return fresh objects, in OpticalSummary's shape and key
   * order (summariseAlert's), that nothing else holds: the engine then uses them as the records'
   * counterparts without a copy per pair. The memory buffer returns the alerts it keeps: false.
   */
  readonly returnsSummaries?: boolean;
  /**
   * False only when no alert first detected in [fromMjd, toMjd] is buffered (a cheap check before
   * `query`, which needs a region's cover: a join with nothing to find builds no cover).
   */
  mayHoldBetween?(fromFirstDetectionMjd: number, toFirstDetectionMjd: number): boolean;
  /** Drops every entry whose first detection is before `firstDetectionMjd`; returns how many. */
  evictBefore(firstDetectionMjd: number): number;
  readonly size: number;
}

export function objectKey(alert: Pick<OpticalAlert, 'survey' | 'objectId'>): string {
  return `${alert.survey}:${alert.objectId}`;
}

/** True when `a` is an earlier detection than `b` (time, then alertId as a tie-break). */
export function isEarlierAlert(
  a: Pick<OpticalAlert, 'timeMjd' | 'alertId'>,
  b: Pick<OpticalAlert, 'timeMjd' | 'alertId'>,
): boolean {
  if (a.timeMjd !== b.timeMjd) return a.timeMjd < b.timeMjd;
  if (a.alertId.length !== b.alertId.length) return a.alertId.length < b.alertId.length;
  return a.alertId < b.alertId;
}

/** "No slot": the end of a list. */
const NONE = -1;
/** Slots allocated at first; the columns double when full. */
const INITIAL_SLOTS = 1024;

/** The slots of one night of first detection, oldest insertion first. */
interface NightList {
  head: number;
  tail: number;
  size: number;
}

/** Cells at BUFFER_ORDER: 12·4^order. */
const BUFFER_CELLS = 12 * 4 ** BUFFER_ORDER;

/** A copy of `from` in a column twice its length (the rest filled with `fill`). */
function grown<T extends Int32Array | Float64Array>(from: T, fill: number): T {
  const to = new (from.constructor as new (length: number) => T)(from.length * 2);
  to.set(from);
  to.fill(fill, from.length);
  return to;
}

export class MemoryOpticalBuffer implements OpticalBuffer {
  /**
   * Buffered objects in numbered slots, their fields in columns (typed arrays): the alert, its
   * cell, its first detection, and its links in the doubly linked lists of its cell and of its
   * night (insertion order); object-slots.ts finds an object's slot. The forward join adds every
   * new object (bench/join.ts --stages), so an add hashes the object id, probes one or two
   * buckets and writes a few column entries: no entry object and no Map of id strings, whose
   * probes read the key strings of other alerts scattered in the heap (scratch comparison on
   * bench/join.ts's alerts, load ~3: 1.0–2.3 µs per insert before, 0.4–0.9 µs now). A query
   * walks a cell's list in the columns and reads an alert only when its first detection is in
   * range. Freed slots are reused.
   */
  private readonly alerts: Array<OpticalAlert | undefined> = [];
  private cellOf = new Int32Array(INITIAL_SLOTS);
  private firstOf = new Float64Array(INITIAL_SLOTS);
  private prevInCell = new Int32Array(INITIAL_SLOTS).fill(NONE);
  private nextInCell = new Int32Array(INITIAL_SLOTS).fill(NONE);
  private prevInNight = new Int32Array(INITIAL_SLOTS).fill(NONE);
  private nextInNight = new Int32Array(INITIAL_SLOTS).fill(NONE);
  /** Slots freed by evictions, reused before new ones. */
  private readonly free: number[] = [];
  /** The slot of each buffered object, by (survey, objectId). */
  private readonly objects = new ObjectSlots((slot, survey, objectId) => {
    const alert = this.alerts[slot];
    return alert !== undefined && alert.objectId === objectId && alert.survey === survey;
  });
  /** First and last slot of each cell's list, indexed by cell (NESTED, BUFFER_ORDER). */
  private readonly cellHead = new Int32Array(BUFFER_CELLS).fill(NONE);
  private readonly cellTail = new Int32Array(BUFFER_CELLS).fill(NONE);
  /** Slots by night of first detection (⌊MJD⌋), so eviction touches only the nights it drops. */
  private readonly byNight = new Map<number, NightList>();
  /** The night the last add went to, and its list (new objects mostly share tonight's). */
  private lastNight = Number.NaN;
  private lastNightList: NightList | undefined;

  get size(): number {
    return this.objects.size;
  }

  add(alert: OpticalAlert, knownCell?: number): void {
    const { survey, objectId } = alert;
    const hash = objectHash(survey, objectId);
    let slot = this.objects.get(hash, survey, objectId);
    if (slot !== NONE) {
      // Buffered already: keep the earlier alert (its slot relinked for the new cell and night).
      if (!isEarlierAlert(alert, this.alerts[slot] as OpticalAlert)) return;
      this.unlink(slot);
      this.alerts[slot] = alert;
    } else {
      slot = this.allocate(alert);
      this.objects.insert(hash, slot);
    }
    const cell = knownCell ?? ang2pixNest(BUFFER_ORDER, alert.raDeg, alert.decDeg);
    this.cellOf[slot] = cell;
    const first = alert.firstDetectionMjd;
    this.firstOf[slot] = first;
    const tail = this.cellTail[cell] as number;
    this.prevInCell[slot] = tail;
    this.nextInCell[slot] = NONE;
    if (tail !== NONE) this.nextInCell[tail] = slot;
    else this.cellHead[cell] = slot;
    this.cellTail[cell] = slot;
    const night = Math.floor(first);
    let nightList = night === this.lastNight ? this.lastNightList : this.byNight.get(night);
    if (!nightList) this.byNight.set(night, (nightList = { head: NONE, tail: NONE, size: 0 }));
    this.lastNight = night;
    this.lastNightList = nightList;
    this.prevInNight[slot] = nightList.tail;
    this.nextInNight[slot] = NONE;
    if (nightList.tail !== NONE) this.nextInNight[nightList.tail] = slot;
    else nightList.head = slot;
    nightList.tail = slot;
    nightList.size++;
  }

  /** A slot for `alert`: a freed one, or the next one (the columns doubled when full). */
  private allocate(alert: OpticalAlert): number {
    const reused = this.free.pop();
    if (reused !== undefined) {
      this.alerts[reused] = alert;
      return reused;
    }
    const slot = this.alerts.length;
    if (slot === this.cellOf.length) {
      this.cellOf = grown(this.cellOf, 0);
      this.firstOf = grown(this.firstOf, 0);
      this.prevInCell = grown(this.prevInCell, NONE);
      this.nextInCell = grown(this.nextInCell, NONE);
      this.prevInNight = grown(this.prevInNight, NONE);
      this.nextInNight = grown(this.nextInNight, NONE);
    }
    this.alerts.push(alert);
    return slot;
  }

  /** Takes `slot` out of its cell's and its night's lists. */
  private unlink(slot: number): void {
    const cell = this.cellOf[slot] as number;
    const prevCell = this.prevInCell[slot] as number;
    const nextCell = this.nextInCell[slot] as number;
    if (prevCell !== NONE) this.nextInCell[prevCell] = nextCell;
    else this.cellHead[cell] = nextCell;
    if (nextCell !== NONE) this.prevInCell[nextCell] = prevCell;
    else this.cellTail[cell] = prevCell;
    const night = Math.floor(this.firstOf[slot] as number);
    const nightList = this.byNight.get(night);
    if (nightList) {
      const prevNight = this.prevInNight[slot] as number;
      const nextNight = this.nextInNight[slot] as number;
      if (prevNight !== NONE) this.nextInNight[prevNight] = nextNight;
      else nightList.head = nextNight;
      if (nextNight !== NONE) this.prevInNight[nextNight] = prevNight;
      else nightList.tail = prevNight;
      if (--nightList.size === 0) {
        this.byNight.delete(night);
        if (night === this.lastNight) this.lastNightList = undefined;
      }
    }
  }

  query(cells: ReadonlySet<number>, fromMjd: number, toMjd: number): OpticalAlert[] {
    const out: OpticalAlert[] = [];
    for (const cell of cells) {
      for (let slot = this.cellHead[cell] ?? NONE; slot !== NONE; slot = this.nextInCell[slot] as number) {
        const t = this.firstOf[slot] as number;
        if (t >= fromMjd && t <= toMjd) out.push(this.alerts[slot] as OpticalAlert);
      }
    }
    return out;
  }

  mayHoldBetween(fromMjd: number, toMjd: number): boolean {
    // Nights are whole MJDs: a night in range holding any alert may hold one in [from, to].
    const from = Math.floor(fromMjd);
    const to = Math.floor(toMjd);
    if (to - from > this.byNight.size) {
      for (const night of this.byNight.keys()) if (night >= from && night <= to) return true;
      return false;
    }
    for (let night = from; night <= to; night++) if (this.byNight.has(night)) return true;
    return false;
  }

  evictBefore(firstDetectionMjd: number): number {
    let evicted = 0;
    const limitNight = Math.floor(firstDetectionMjd);
    for (const [night, nightList] of [...this.byNight]) {
      if (night > limitNight) continue;
      for (let slot = nightList.head; slot !== NONE;) {
        const next = this.nextInNight[slot] as number;
        if ((this.firstOf[slot] as number) < firstDetectionMjd) {
          this.objects.remove(slot);
          this.unlink(slot);
          this.alerts[slot] = undefined;
          this.free.push(slot);
          evicted++;
        }
        slot = next;
      }
    }
    return evicted;
  }
}

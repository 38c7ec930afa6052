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

/**
 * A buffered object: its earliest alert, the alert's cell, the night of its first detection, and
 * its links in the doubly linked lists of its cell and of its night (insertion order).
 */
interface BufferEntry {
  alert: OpticalAlert;
  cell: number;
  night: number;
  prevInCell: BufferEntry | undefined;
  nextInCell: BufferEntry | undefined;
  prevInNight: BufferEntry | undefined;
  nextInNight: BufferEntry | undefined;
}

/** The entries of one night of first detection, oldest insertion first. */
interface NightList {
  head: BufferEntry | undefined;
  tail: BufferEntry | undefined;
  size: number;
}

/** Cells at BUFFER_ORDER: 12·4^order. */
const BUFFER_CELLS = 12 * 4 ** BUFFER_ORDER;

export class MemoryOpticalBuffer implements OpticalBuffer {
  /**
   * Entries by survey, then by objectId. The forward join adds every new object (bench/join.ts
   * --stages), so an add allocates one entry and links it into its cell's and its night's lists:
   * no key string per alert (objectKey's concatenation and its hash) and no Set per occupied
   * cell (scratch comparison of 320,000 inserts, same run, load ~8: 2.4–11 µs per insert with
   * the key strings and Sets, 1.4–2.2 µs with the lists).
   */
  private readonly bySurvey = new Map<string, Map<string, BufferEntry>>();
  /** First and last entry of each cell's list, indexed by cell (NESTED, BUFFER_ORDER). */
  private readonly cellHead: Array<BufferEntry | undefined> = new Array<BufferEntry | undefined>(
    BUFFER_CELLS,
  ).fill(undefined);
  private readonly cellTail: Array<BufferEntry | undefined> = new Array<BufferEntry | undefined>(
    BUFFER_CELLS,
  ).fill(undefined);
  /** Entries by night of first detection (⌊MJD⌋), so eviction touches only the nights it drops. */
  private readonly byNight = new Map<number, NightList>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(alert: OpticalAlert, knownCell?: number): void {
    let objects = this.bySurvey.get(alert.survey);
    if (!objects) this.bySurvey.set(alert.survey, (objects = new Map<string, BufferEntry>()));
    const existing = objects.get(alert.objectId);
    if (existing && !isEarlierAlert(alert, existing.alert)) return;
    const cell = knownCell ?? ang2pixNest(BUFFER_ORDER, alert.raDeg, alert.decDeg);
    if (existing) this.unlink(existing);
    else this.count++;
    const entry: BufferEntry = {
      alert,
      cell,
      night: Math.floor(alert.firstDetectionMjd),
      prevInCell: this.cellTail[cell],
      nextInCell: undefined,
      prevInNight: undefined,
      nextInNight: undefined,
    };
    objects.set(alert.objectId, entry);
    if (entry.prevInCell) entry.prevInCell.nextInCell = entry;
    else this.cellHead[cell] = entry;
    this.cellTail[cell] = entry;
    let nightList = this.byNight.get(entry.night);
    if (!nightList)
      this.byNight.set(entry.night, (nightList = { head: undefined, tail: undefined, size: 0 }));
    entry.prevInNight = nightList.tail;
    if (nightList.tail) nightList.tail.nextInNight = entry;
    else nightList.head = entry;
    nightList.tail = entry;
    nightList.size++;
  }

  /** Takes `entry` out of its cell's and its night's lists. */
  private unlink(entry: BufferEntry): void {
    const { cell, prevInCell, nextInCell, prevInNight, nextInNight } = entry;
    if (prevInCell) prevInCell.nextInCell = nextInCell;
    else this.cellHead[cell] = nextInCell;
    if (nextInCell) nextInCell.prevInCell = prevInCell;
    else this.cellTail[cell] = prevInCell;
    const nightList = this.byNight.get(entry.night);
    if (nightList) {
      if (prevInNight) prevInNight.nextInNight = nextInNight;
      else nightList.head = nextInNight;
      if (nextInNight) nextInNight.prevInNight = prevInNight;
      else nightList.tail = prevInNight;
      if (--nightList.size === 0) this.byNight.delete(entry.night);
    }
    entry.prevInCell = entry.nextInCell = entry.prevInNight = entry.nextInNight = undefined;
  }

  query(cells: ReadonlySet<number>, fromMjd: number, toMjd: number): OpticalAlert[] {
    const out: OpticalAlert[] = [];
    for (const cell of cells) {
      for (let entry = this.cellHead[cell]; entry; entry = entry.nextInCell) {
        const t = entry.alert.firstDetectionMjd;
        if (t >= fromMjd && t <= toMjd) out.push(entry.alert);
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
      for (let entry = nightList.head; entry;) {
        const next = entry.nextInNight;
        if (entry.alert.firstDetectionMjd < firstDetectionMjd) {
          this.bySurvey.get(entry.alert.survey)?.delete(entry.alert.objectId);
          this.unlink(entry);
          this.count--;
          evicted++;
        }
        entry = next;
      }
    }
    return evicted;
  }
}

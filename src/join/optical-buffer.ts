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

export class MemoryOpticalBuffer implements OpticalBuffer {
  private readonly byObject = new Map<string, { alert: OpticalAlert; cell: number }>();
  private readonly byCell = new Map<number, Set<string>>();
  /** Keys by night of first detection (⌊MJD⌋), so eviction touches only the nights it drops. */
  private readonly byNight = new Map<number, Set<string>>();

  get size(): number {
    return this.byObject.size;
  }

  add(alert: OpticalAlert, knownCell?: number): void {
    const key = objectKey(alert);
    const existing = this.byObject.get(key);
    if (existing && !isEarlierAlert(alert, existing.alert)) return;
    const cell = knownCell ?? ang2pixNest(BUFFER_ORDER, alert.raDeg, alert.decDeg);
    if (existing) this.unlink(key, existing);
    this.byObject.set(key, { alert, cell });
    let keys = this.byCell.get(cell);
    if (!keys) this.byCell.set(cell, (keys = new Set()));
    keys.add(key);
    const night = Math.floor(alert.firstDetectionMjd);
    let nightKeys = this.byNight.get(night);
    if (!nightKeys) this.byNight.set(night, (nightKeys = new Set()));
    nightKeys.add(key);
  }

  private unlink(key: string, entry: { alert: OpticalAlert; cell: number }): void {
    const keys = this.byCell.get(entry.cell);
    keys?.delete(key);
    if (keys?.size === 0) this.byCell.delete(entry.cell);
    const night = Math.floor(entry.alert.firstDetectionMjd);
    const nightKeys = this.byNight.get(night);
    nightKeys?.delete(key);
    if (nightKeys?.size === 0) this.byNight.delete(night);
  }

  query(cells: ReadonlySet<number>, fromMjd: number, toMjd: number): OpticalAlert[] {
    const out: OpticalAlert[] = [];
    for (const cell of cells) {
      const keys = this.byCell.get(cell);
      if (!keys) continue;
      for (const key of keys) {
        const entry = this.byObject.get(key);
        if (!entry) continue;
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
    for (const [night, keys] of [...this.byNight]) {
      if (night > limitNight) continue;
      for (const key of [...keys]) {
        const entry = this.byObject.get(key);
        if (!entry || entry.alert.firstDetectionMjd >= firstDetectionMjd) continue;
        this.byObject.delete(key);
        this.unlink(key, entry);
        evicted++;
      }
    }
    return evicted;
  }
}

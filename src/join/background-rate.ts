/**
 * The optical background rate, measured from the optical stream itself (statistics.md §5.1):
 *
 *   ρ̇ = Σ_{c,n} count_{c,n} / Σ_{c,n observed} (A_c · 1 day)                 [deg⁻² day⁻¹]
 *
 * count_{c,n} = number of objects whose FIRST detection falls in night n (n = ⌊MJD⌋) in HEALPix
 * cell c (NESTED, order RATE_ORDER, A_c = 13.4 deg²) and that pass the counterpart quality cuts;
 * a cell-night counts as observed when any alert fell in it. The sum runs over the cells covering
 * the trigger's region and over the `historyNights` nights that end `guardNights` nights before
 * the trigger's night: [n₀ − guard − history, n₀ − guard), n₀ = ⌊t₀⌋. The guard keeps the estimate
 * a function of complete nights only, so replay and live (alerts up to the allowed lateness out
 * of order) measure the same rate. With fewer than `minObservedCellNights` observed cell-nights
 * the configured fallback rate is used, and the result says so.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { ang2pixNest, pixelAreaDeg2 } from '../sky/healpix.ts';

export const RATE_ORDER = 4;
const CELLS = 12 * 4 ** RATE_ORDER;

export interface BackgroundRateOptions {
  historyNights: number;
  guardNights: number;
  /** Rate used when the stream has not observed the region, deg⁻² day⁻¹. */
  fallbackPerDeg2PerDay: number;
  minObservedCellNights: number;
}

export const DEFAULT_BACKGROUND_RATE_OPTIONS: BackgroundRateOptions = Object.freeze({
  historyNights: 7,
  guardNights: 1,
  fallbackPerDeg2PerDay: 0.1,
  minObservedCellNights: 1,
});

export interface MeasuredRate {
  perDeg2PerDay: number;
  source: 'measured' | 'fallback';
  /** First and last night (MJD integer) of the measurement. */
  fromNight: number;
  toNight: number;
  observedCellNights: number;
  newObjects: number;
}

export class BackgroundRate {
  private readonly observed = new Set<number>();
  private readonly counts = new Map<number, number>();
  private readonly cellAreaDeg2 = pixelAreaDeg2(RATE_ORDER);

  constructor(readonly options: BackgroundRateOptions = DEFAULT_BACKGROUND_RATE_OPTIONS) {}

  /** Records one alert; `passes` says whether it passed the quality cuts. */
  observe(alert: OpticalAlert, passes: boolean): void {
    const cell = ang2pixNest(RATE_ORDER, alert.raDeg, alert.decDeg);
    this.observed.add(Math.floor(alert.timeMjd) * CELLS + cell);
    // Count each object once: at the alert that is its first detection (within 1 s).
    if (passes && Math.abs(alert.timeMjd - alert.firstDetectionMjd) * 86_400 < 1) {
      const key = Math.floor(alert.firstDetectionMjd) * CELLS + cell;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  /** The rate for a region covered by `cells` (NESTED at RATE_ORDER), for a trigger at t0. */
  rateFor(cells: ReadonlySet<number>, triggerMjd: number): MeasuredRate {
    const toNight = Math.floor(triggerMjd) - this.options.guardNights - 1;
    const fromNight = toNight - this.options.historyNights + 1;
    let observedCellNights = 0;
    let newObjects = 0;
    for (let night = fromNight; night <= toNight; night++) {
      for (const cell of cells) {
        const key = night * CELLS + cell;
        if (!this.observed.has(key)) continue;
        observedCellNights++;
        newObjects += this.counts.get(key) ?? 0;
      }
    }
    if (observedCellNights < this.options.minObservedCellNights) {
      return {
        perDeg2PerDay: this.options.fallbackPerDeg2PerDay,
        source: 'fallback',
        fromNight,
        toNight,
        observedCellNights,
        newObjects,
      };
    }
    return {
      perDeg2PerDay: newObjects / (observedCellNights * this.cellAreaDeg2),
      source: 'measured',
      fromNight,
      toNight,
      observedCellNights,
      newObjects,
    };
  }

  /** Forgets nights before `night` (MJD integer). */
  pruneBefore(night: number): void {
    const limit = night * CELLS;
    for (const key of this.observed) if (key < limit) this.observed.delete(key);
    for (const key of this.counts.keys()) if (key < limit) this.counts.delete(key);
  }
}

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
 * the configured fallback rate (the prior) is used, and the result says so.
 *
 * A rate measured on a handful of objects is no measurement: with n new objects over the
 * exposure E = (observed cell-nights) · A_c · 1 day its relative error is 1/√n, and n = 0 would
 * make every candidate look impossible to be chance (pChance 0). So, with n < `minNewObjects`
 * (default 10, ±32 %):
 *   1. the measurement widens to the whole observed footprint of the same nights (every cell
 *      any alert fell in), assuming the background is the same across the footprint
 *      (source 'footprint');
 *   2. if that still holds fewer than `minNewObjects`, the rate is the conservative
 *        ρ̇ = max(ρ̇_prior, μ_up(n) / E)
 *      with μ_up(n) the classical one-sided Poisson upper limit at `upperLimitLevel` (0.9:
 *      μ_up(0) = 2.303, μ_up(1) = 3.890) for the exposure actually observed (source
 *      'conservative').
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
  /** Fewer new objects than this is not a measurement (widen, then the conservative rate). */
  minNewObjects: number;
  /** Confidence level of the Poisson upper limit of the conservative rate. */
  upperLimitLevel: number;
}

export const DEFAULT_BACKGROUND_RATE_OPTIONS: BackgroundRateOptions = Object.freeze({
  historyNights: 7,
  guardNights: 1,
  fallbackPerDeg2PerDay: 0.1,
  minObservedCellNights: 1,
  minNewObjects: 10,
  upperLimitLevel: 0.9,
});

/**
 * Classical one-sided Poisson upper limit μ_up at confidence level CL for n observed events:
 * P(N ≤ n | μ_up) = 1 − CL (Gehrels 1986, Table 1: CL 0.9 → 2.303, 3.890, 5.322 for n = 0, 1, 2).
 * Solved by bisection on the Poisson CDF.
 */
export function poissonUpperLimit(n: number, level: number): number {
  const cdf = (mu: number): number => {
    let term = Math.exp(-mu);
    let sum = term;
    for (let k = 1; k <= n; k++) {
      term *= mu / k;
      sum += term;
    }
    return sum;
  };
  let lo = 0;
  let hi = n + 10 + 10 * Math.sqrt(n + 1);
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) > 1 - level) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface MeasuredRate {
  perDeg2PerDay: number;
  /**
   * measured: over the region's cells; footprint: over every observed cell of those nights;
   * conservative: max(prior, Poisson upper limit); fallback: the prior (nothing observed).
   */
  source: 'measured' | 'footprint' | 'conservative' | 'fallback';
  /** First and last night (MJD integer) of the measurement. */
  fromNight: number;
  toNight: number;
  observedCellNights: number;
  newObjects: number;
  /** Observed exposure of the measurement, deg² day (cell-nights × cell area × 1 day). */
  exposureDeg2Day: number;
}

export class BackgroundRate {
  /**
   * Per night (MJD integer): which cells (NESTED, RATE_ORDER) the stream observed, and the new
   * objects first detected in each. Arrays indexed by cell, one per night (3,072 cells at order
   * 4): every alert touches them, and an array slot of the current night costs less than a hash
   * set's lookup and insert (the alert path of the forward join, bench/join-ab.ts).
   */
  private readonly observedByNight = new Map<number, Uint8Array>();
  private readonly countsByNight = new Map<number, Uint32Array>();
  /** Per night: observed cells and new objects over the whole footprint. */
  private readonly observedPerNight = new Map<number, number>();
  private readonly countsPerNight = new Map<number, number>();
  /** The night the last alert was observed on, and its cells (alerts come in time order). */
  private currentNight = Number.NaN;
  private currentObserved: Uint8Array | undefined;
  private readonly cellAreaDeg2 = pixelAreaDeg2(RATE_ORDER);

  constructor(readonly options: BackgroundRateOptions = DEFAULT_BACKGROUND_RATE_OPTIONS) {}

  /**
   * Records one alert; `passes` says whether it passed the quality cuts. `cell`: its NESTED cell
   * at RATE_ORDER, when the caller has it already.
   */
  observe(
    alert: OpticalAlert,
    passes: boolean,
    cell = ang2pixNest(RATE_ORDER, alert.raDeg, alert.decDeg),
  ): void {
    const night = Math.floor(alert.timeMjd);
    if (!Number.isFinite(night)) return; // a bad time observes nothing (the quality cut rejects it)
    if (night !== this.currentNight || this.currentObserved === undefined) {
      this.currentNight = night;
      this.currentObserved = this.observedByNight.get(night);
      if (this.currentObserved === undefined)
        this.observedByNight.set(night, (this.currentObserved = new Uint8Array(CELLS)));
    }
    if (this.currentObserved[cell] === 0) {
      this.currentObserved[cell] = 1;
      this.observedPerNight.set(night, (this.observedPerNight.get(night) ?? 0) + 1);
    }
    // Count each object once: at the alert that is its first detection (within 1 s).
    if (passes && Math.abs(alert.timeMjd - alert.firstDetectionMjd) * 86_400 < 1) {
      const firstNight = Math.floor(alert.firstDetectionMjd);
      let counts = this.countsByNight.get(firstNight);
      if (counts === undefined) this.countsByNight.set(firstNight, (counts = new Uint32Array(CELLS)));
      counts[cell] = (counts[cell] ?? 0) + 1;
      this.countsPerNight.set(firstNight, (this.countsPerNight.get(firstNight) ?? 0) + 1);
    }
  }

  /** The rate for a region covered by `cells` (NESTED at RATE_ORDER), for a trigger at t0. */
  rateFor(cells: ReadonlySet<number>, triggerMjd: number): MeasuredRate {
    const toNight = Math.floor(triggerMjd) - this.options.guardNights - 1;
    const fromNight = toNight - this.options.historyNights + 1;
    let observedCellNights = 0;
    let newObjects = 0;
    for (let night = fromNight; night <= toNight; night++) {
      const observed = this.observedByNight.get(night);
      if (observed === undefined) continue;
      const counts = this.countsByNight.get(night);
      for (const cell of cells) {
        if (observed[cell] !== 1) continue;
        observedCellNights++;
        newObjects += counts?.[cell] ?? 0;
      }
    }
    const base = { fromNight, toNight };
    if (observedCellNights < this.options.minObservedCellNights) {
      return {
        ...base,
        perDeg2PerDay: this.options.fallbackPerDeg2PerDay,
        source: 'fallback',
        observedCellNights,
        newObjects,
        exposureDeg2Day: observedCellNights * this.cellAreaDeg2,
      };
    }
    if (newObjects >= this.options.minNewObjects) {
      const exposureDeg2Day = observedCellNights * this.cellAreaDeg2;
      return {
        ...base,
        perDeg2PerDay: newObjects / exposureDeg2Day,
        source: 'measured',
        observedCellNights,
        newObjects,
        exposureDeg2Day,
      };
    }
    let footprintCellNights = 0;
    let footprintObjects = 0;
    for (let night = fromNight; night <= toNight; night++) {
      footprintCellNights += this.observedPerNight.get(night) ?? 0;
      footprintObjects += this.countsPerNight.get(night) ?? 0;
    }
    const exposureDeg2Day = footprintCellNights * this.cellAreaDeg2;
    if (footprintObjects >= this.options.minNewObjects) {
      return {
        ...base,
        perDeg2PerDay: footprintObjects / exposureDeg2Day,
        source: 'footprint',
        observedCellNights: footprintCellNights,
        newObjects: footprintObjects,
        exposureDeg2Day,
      };
    }
    const upper = poissonUpperLimit(footprintObjects, this.options.upperLimitLevel) / exposureDeg2Day;
    return {
      ...base,
      perDeg2PerDay: Math.max(this.options.fallbackPerDeg2PerDay, upper),
      source: 'conservative',
      observedCellNights: footprintCellNights,
      newObjects: footprintObjects,
      exposureDeg2Day,
    };
  }

  /** Forgets nights before `night` (MJD integer). */
  pruneBefore(night: number): void {
    for (const byNight of [
      this.observedByNight,
      this.countsByNight,
      this.observedPerNight,
      this.countsPerNight,
    ])
      for (const n of byNight.keys()) if (n < night) byNight.delete(n);
    if (this.currentNight < night) this.currentObserved = undefined;
  }
}

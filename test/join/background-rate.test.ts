import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BackgroundRate,
  DEFAULT_BACKGROUND_RATE_OPTIONS,
  poissonUpperLimit,
  RATE_ORDER,
  type BackgroundRateOptions,
  type MeasuredRate,
} from '../../src/join/background-rate.ts';
import { ang2pixNest, pixelAreaDeg2 } from '../../src/sky/healpix.ts';
import { makeAlert } from './make-records.ts';

const CELLS = 12 * 4 ** RATE_ORDER;

interface Observation {
  timeMjd: number;
  firstDetectionMjd: number;
  cell: number;
  passes: boolean;
}

/**
 * The rate by brute force from the list of observations, as background-rate.ts documents it:
 * cell-nights observed in the history nights, new objects (first detections that pass the cuts)
 * in those cell-nights; then the footprint, then the conservative upper limit.
 */
function bruteForceRate(
  observations: readonly Observation[],
  cells: ReadonlySet<number>,
  triggerMjd: number,
  options: BackgroundRateOptions,
): MeasuredRate {
  const toNight = Math.floor(triggerMjd) - options.guardNights - 1;
  const fromNight = toNight - options.historyNights + 1;
  const inHistory = (night: number): boolean => night >= fromNight && night <= toNight;
  const observed = new Set<string>();
  const newObjects = new Map<string, number>();
  for (const o of observations) {
    observed.add(`${Math.floor(o.timeMjd)}:${o.cell}`);
    if (o.passes && Math.abs(o.timeMjd - o.firstDetectionMjd) * 86_400 < 1) {
      const key = `${Math.floor(o.firstDetectionMjd)}:${o.cell}`;
      newObjects.set(key, (newObjects.get(key) ?? 0) + 1);
    }
  }
  const cellArea = pixelAreaDeg2(RATE_ORDER);
  let regionCellNights = 0;
  let regionObjects = 0;
  for (const key of observed) {
    const [night, cell] = key.split(':').map(Number) as [number, number];
    if (!inHistory(night) || !cells.has(cell)) continue;
    regionCellNights++;
    regionObjects += newObjects.get(key) ?? 0;
  }
  const base = { fromNight, toNight };
  if (regionCellNights < options.minObservedCellNights)
    return {
      ...base,
      perDeg2PerDay: options.fallbackPerDeg2PerDay,
      source: 'fallback',
      observedCellNights: regionCellNights,
      newObjects: regionObjects,
      exposureDeg2Day: regionCellNights * cellArea,
    };
  if (regionObjects >= options.minNewObjects)
    return {
      ...base,
      perDeg2PerDay: regionObjects / (regionCellNights * cellArea),
      source: 'measured',
      observedCellNights: regionCellNights,
      newObjects: regionObjects,
      exposureDeg2Day: regionCellNights * cellArea,
    };
  let footprintCellNights = 0;
  let footprintObjects = 0;
  for (const key of observed) if (inHistory(Number(key.split(':')[0]))) footprintCellNights++;
  for (const [key, n] of newObjects) if (inHistory(Number(key.split(':')[0]))) footprintObjects += n;
  const exposureDeg2Day = footprintCellNights * cellArea;
  if (footprintObjects >= options.minNewObjects)
    return {
      ...base,
      perDeg2PerDay: footprintObjects / exposureDeg2Day,
      source: 'footprint',
      observedCellNights: footprintCellNights,
      newObjects: footprintObjects,
      exposureDeg2Day,
    };
  return {
    ...base,
    perDeg2PerDay: Math.max(
      options.fallbackPerDeg2PerDay,
      poissonUpperLimit(footprintObjects, options.upperLimitLevel) / exposureDeg2Day,
    ),
    source: 'conservative',
    observedCellNights: footprintCellNights,
    newObjects: footprintObjects,
    exposureDeg2Day,
  };
}

const observationArb = fc.record({
  night: fc.integer({ min: 60_000, max: 60_012 }),
  dayFraction: fc.double({ min: 0, max: 0.999, noNaN: true }),
  firstDetectionDays: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })),
  cell: fc.integer({ min: 0, max: 40 }),
  passes: fc.boolean(),
});

describe('background rate', () => {
  test('agrees with a brute-force count of cell-nights and new objects, for every source', () => {
    fc.assert(
      fc.property(
        fc.array(observationArb, { maxLength: 400 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 60_003, max: 60_016 }),
        fc.integer({ min: 0, max: 30 }),
        (raw, cellList, triggerNight, minNewObjects) => {
          const options = { ...DEFAULT_BACKGROUND_RATE_OPTIONS, minNewObjects };
          const rate = new BackgroundRate(options);
          // In time order, as the engine observes them.
          const observations: Observation[] = raw
            .map((r) => {
              const timeMjd = r.night + r.dayFraction;
              return {
                timeMjd,
                firstDetectionMjd: timeMjd - r.firstDetectionDays,
                cell: r.cell,
                passes: r.passes,
              };
            })
            .sort((a, b) => a.timeMjd - b.timeMjd);
          for (const [i, o] of observations.entries()) {
            const alert = makeAlert({
              objectId: String(i),
              raDeg: 0,
              decDeg: 0,
              timeMjd: o.timeMjd,
              firstDetectionMjd: o.firstDetectionMjd,
            });
            rate.observe(alert, o.passes, o.cell);
          }
          const cells = new Set(cellList);
          const triggerMjd = triggerNight + 0.3;
          const expected = bruteForceRate(observations, cells, triggerMjd, options);
          const actual = rate.rateFor(cells, triggerMjd);
          assert.equal(actual.source, expected.source);
          assert.equal(actual.observedCellNights, expected.observedCellNights);
          assert.equal(actual.newObjects, expected.newObjects);
          assert.ok(
            Math.abs(actual.perDeg2PerDay - expected.perDeg2PerDay) <= 1e-12 * expected.perDeg2PerDay,
          );
        },
      ),
      { numRuns: 300, seed: 20261207 },
    );
  });

  test('computes the cell from the position when the caller does not give it', () => {
    const rate = new BackgroundRate({ ...DEFAULT_BACKGROUND_RATE_OPTIONS, minNewObjects: 1 });
    const alert = makeAlert({ objectId: 'a', raDeg: 123.4, decDeg: -45.6, timeMjd: 60_001.5 });
    rate.observe(alert, true);
    const cell = ang2pixNest(RATE_ORDER, 123.4, -45.6);
    const measured = rate.rateFor(new Set([cell]), 60_003.5);
    assert.equal(measured.source, 'measured');
    assert.equal(measured.newObjects, 1);
    assert.equal(measured.observedCellNights, 1);
    assert.equal(rate.rateFor(new Set([(cell + 1) % CELLS]), 60_003.5).observedCellNights, 0);
  });

  test('forgets the nights before the pruning night, and observes nothing for a bad time', () => {
    const rate = new BackgroundRate({ ...DEFAULT_BACKGROUND_RATE_OPTIONS, minNewObjects: 1 });
    for (let night = 60_000; night < 60_006; night++)
      rate.observe(
        makeAlert({ objectId: String(night), raDeg: 0, decDeg: 0, timeMjd: night + 0.5 }),
        true,
        7,
      );
    rate.observe(makeAlert({ objectId: 'nan', raDeg: 0, decDeg: 0, timeMjd: Number.NaN }), false, 7);
    const cells = new Set([7]);
    // History of a trigger on night 60,007: nights 60,000–60,005 (guard 1 night, 7 nights back).
    assert.equal(rate.rateFor(cells, 60_007.5).observedCellNights, 6);
    rate.pruneBefore(60_003);
    assert.equal(rate.rateFor(cells, 60_007.5).observedCellNights, 3);
    assert.equal(rate.rateFor(cells, 60_007.5).newObjects, 3);
    // The night being observed when pruned is observed again correctly afterwards.
    rate.pruneBefore(60_010);
    rate.observe(makeAlert({ objectId: 'late', raDeg: 0, decDeg: 0, timeMjd: 60_010.5 }), true, 7);
    assert.equal(rate.rateFor(cells, 60_012.5).observedCellNights, 1);
  });
});

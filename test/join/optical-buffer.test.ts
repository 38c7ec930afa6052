import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BUFFER_ORDER, isEarlierAlert, MemoryOpticalBuffer } from '../../src/join/optical-buffer.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { ang2pixNest } from '../../src/sky/healpix.ts';
import { makeAlert } from './make-records.ts';

/** The buffer's definition, kept naively: the earliest alert of each (survey, object) in a list. */
class ListModel {
  readonly alerts: OpticalAlert[] = [];
  add(alert: OpticalAlert): void {
    const i = this.alerts.findIndex((a) => a.survey === alert.survey && a.objectId === alert.objectId);
    if (i < 0) this.alerts.push(alert);
    else if (isEarlierAlert(alert, this.alerts[i] as OpticalAlert)) this.alerts[i] = alert;
  }
  query(cells: ReadonlySet<number>, from: number, to: number): OpticalAlert[] {
    return this.alerts.filter(
      (a) =>
        cells.has(ang2pixNest(BUFFER_ORDER, a.raDeg, a.decDeg)) &&
        a.firstDetectionMjd >= from &&
        a.firstDetectionMjd <= to,
    );
  }
  evictBefore(first: number): number {
    const kept = this.alerts.filter((a) => a.firstDetectionMjd >= first);
    const evicted = this.alerts.length - kept.length;
    this.alerts.splice(0, this.alerts.length, ...kept);
    return evicted;
  }
}

const key = (a: OpticalAlert): string => `${a.survey}:${a.objectId}/${a.alertId}`;

describe('in-memory optical buffer', () => {
  test('answers like a list of the earliest alert per object, through replacements and evictions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            survey: fc.constantFrom('ZTF' as const, 'LSST' as const),
            object: fc.integer({ min: 0, max: 12 }),
            // Few distinct positions, so that cells hold several objects and lists are relinked.
            position: fc.integer({ min: 0, max: 5 }),
            t: fc.integer({ min: 0, max: 500 }),
            firstBefore: fc.integer({ min: 0, max: 400 }),
          }),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 59_995, max: 60_006 }), { minLength: 1, maxLength: 3 }),
        (rows, queryPositions, evictions) => {
          const buffer = new MemoryOpticalBuffer();
          const model = new ListModel();
          const at = (p: number) => ({ raDeg: 40 + 0.3 * p, decDeg: -10 + 0.2 * p });
          for (const r of rows) {
            const alert = makeAlert({
              survey: r.survey,
              objectId: `o${r.object}`,
              alertId: String(1000 + r.t),
              ...at(r.position),
              timeMjd: 60_000 + r.t / 100,
              firstDetectionMjd: 60_000 + (r.t - r.firstBefore) / 100,
            });
            buffer.add(alert);
            model.add(alert);
          }
          const cells = new Set(
            queryPositions.map((p) => ang2pixNest(BUFFER_ORDER, at(p).raDeg, at(p).decDeg)),
          );
          const check = (): void => {
            assert.equal(buffer.size, model.alerts.length);
            for (const [from, to] of [
              [59_990, 60_010],
              [59_999, 60_002.5],
              [60_003, 60_003],
            ] as const)
              assert.deepEqual(
                buffer.query(cells, from, to).map(key).sort(),
                model.query(cells, from, to).map(key).sort(),
              );
          };
          check();
          for (const first of evictions) {
            assert.equal(buffer.evictBefore(first + 0.5), model.evictBefore(first + 0.5));
            check();
          }
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });
});

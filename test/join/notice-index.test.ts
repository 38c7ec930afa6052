import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createCircleRegion } from '../../src/join/circle-region.ts';
import { createSkyMapRegion } from '../../src/join/skymap-region.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import type { ActiveRegion } from '../../src/join/active-region.ts';
import { DIRECT_SCAN_MAX, NoticeIndex } from '../../src/join/notice-index.ts';

const position = fc.record({
  raDeg: fc.double({ min: 0, max: 359.999, noNaN: true }),
  decDeg: fc.double({ min: -90, max: 90, noNaN: true }),
});
const circleArb = fc.record({
  raDeg: fc.double({ min: 0, max: 359.999, noNaN: true }),
  decDeg: fc.double({ min: -89, max: 89, noNaN: true }),
  radiusDeg: fc.double({ min: 0.05, max: 40, noNaN: true }),
  containment: fc.constantFrom(0.5, 0.68, 0.9),
});

describe('notice index', () => {
  test('a query equals brute force over the regions, near poles and across RA 0 included', () => {
    // Up to 40 regions: both the direct scan (≤ DIRECT_SCAN_MAX) and the rbush search.
    fc.assert(
      fc.property(
        fc.array(circleArb, { minLength: 1, maxLength: 40 }),
        fc.array(position, { minLength: 1, maxLength: 40 }),
        (circles, points) => {
          const index = new NoticeIndex<string>();
          const regions = new Map<string, ActiveRegion>();
          circles.forEach((c, i) => {
            regions.set(`n${String(i).padStart(2, '0')}`, createCircleRegion(c));
          });
          // Inserted in reverse key order: results must still come in key order.
          for (const [key, region] of [...regions].reverse()) index.upsert(key, region, key);
          // Points near the centres too, so that hits are frequent.
          const probes = [
            ...points,
            ...circles.map((c) => ({ raDeg: (c.raDeg + c.radiusDeg * 0.5) % 360, decDeg: c.decDeg })),
          ];
          for (const p of probes) {
            const expected = [...regions.entries()]
              .filter(([, r]) => r.contains(p.raDeg, p.decDeg))
              .map(([k]) => k)
              .sort();
            assert.deepEqual(index.query(p.raDeg, p.decDeg), expected);
          }
        },
      ),
      { numRuns: 60, seed: 7 },
    );
    assert.ok(DIRECT_SCAN_MAX < 40);
  });

  test('removing and replacing a region changes what queries return', () => {
    const index = new NoticeIndex<string>();
    index.upsert('a', createCircleRegion({ raDeg: 10, decDeg: 0, radiusDeg: 2, containment: 0.9 }), 'a');
    assert.deepEqual(index.query(10, 0), ['a']);
    index.upsert('a', createCircleRegion({ raDeg: 50, decDeg: 0, radiusDeg: 2, containment: 0.9 }), 'a');
    assert.deepEqual(index.query(10, 0), []);
    assert.deepEqual(index.query(50, 0), ['a']);
    assert.ok(index.remove('a'));
    assert.deepEqual(index.query(50, 0), []);
    assert.equal(index.size, 0);
  });

  test('a multi-order sky map region is found by the cells of its credible region', () => {
    // A map made of two order-3 cells holding most of the probability and a faint rest of the sky.
    const orders: number[] = [];
    const ipix: number[] = [];
    const density: number[] = [];
    for (let p = 0; p < 768; p++) {
      orders.push(3);
      ipix.push(p);
      density.push(p === 100 ? 1000 : p === 101 ? 900 : 1);
    }
    const map = createSkyMapRegion(
      new SkyMap({
        orders: Uint8Array.from(orders),
        ipix: Float64Array.from(ipix),
        densityPerSr: Float64Array.from(density),
      }),
      0.5,
    );
    const index = new NoticeIndex<string>();
    index.upsert('m', map, 'm');
    fc.assert(
      fc.property(position, (p) => {
        assert.deepEqual(index.query(p.raDeg, p.decDeg), map.contains(p.raDeg, p.decDeg) ? ['m'] : []);
      }),
      { numRuns: 2000, seed: 3 },
    );
    assert.ok(map.contains(map.centre.raDeg, map.centre.decDeg));
  });

  test("builds a region's cover only when a position first falls in its boxes, once", () => {
    for (const regions of [3, DIRECT_SCAN_MAX + 5]) {
      const index = new NoticeIndex<number>();
      const builds = new Map<number, number>();
      for (let i = 0; i < regions; i++) {
        const region = createCircleRegion({ raDeg: 10 + i * 15, decDeg: 0, radiusDeg: 2, containment: 0.9 });
        const counted: ActiveRegion = {
          ...region,
          coverCells: (order) => {
            builds.set(i, (builds.get(i) ?? 0) + 1);
            return region.coverCells(order);
          },
        };
        index.upsert(`k${String(i).padStart(3, '0')}`, counted, i);
      }
      assert.equal(builds.size, 0, 'no cover built by upsert');
      assert.deepEqual(index.query(10, 0), [0]);
      assert.deepEqual(index.query(10.5, 0.5), [0]);
      if (regions > DIRECT_SCAN_MAX) assert.deepEqual([...builds.keys()], [0], 'rbush: only the region hit');
      assert.equal(builds.get(0), 1, 'built once');
    }
  });
});

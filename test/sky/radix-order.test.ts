import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { radixOrder } from '../../src/sky/radix-order.ts';
import { SkyMap } from '../../src/sky/skymap.ts';
import { seededRandom } from '../join/make-records.ts';

const rng = seededRandom;

/** The reference: a comparator sort of indices, ties by position in `start` (Array sort is stable). */
function naiveOrder(keys: Float64Array, start: number[], descending: boolean): number[] {
  return [...start].sort((a, b) => (descending ? -1 : 1) * ((keys[a] as number) - (keys[b] as number)));
}

/** Keys with many ties (zeros, -0, a few repeated values) and wide magnitudes. */
function tiedKeys(n: number, next: () => number): Float64Array {
  const repeated = [0, -0, 1e-300, 3.5, 2 ** 52 - 1, 5e-324];
  return Float64Array.from({ length: n }, () => {
    const r = next();
    if (r < 0.3) return repeated[Math.floor(next() * repeated.length)] as number;
    return Math.exp(next() * 80 - 40);
  });
}

function shuffled(n: number, next: () => number): Uint32Array {
  const out = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

describe('radixOrder', () => {
  // 1,000 keys take the comparator path, 100,000 the radix passes.
  for (const n of [1, 1000, 100_000]) {
    for (const descending of [false, true]) {
      it(`orders ${n} keys ${descending ? 'descending' : 'ascending'} as a stable comparator sort does`, () => {
        const next = rng(n + (descending ? 1 : 0));
        const keys = tiedKeys(n, next);
        const start = shuffled(n, next);
        const got = radixOrder(keys, { descending, start });
        assert.deepEqual(Array.from(got), naiveOrder(keys, Array.from(start), descending));
        // The start array is not changed.
        assert.equal(new Set(start).size, n);
      });
    }
  }
});

/** Greedy order by definition: density descending, then NUNIQ descending. */
function naiveGreedy(map: SkyMap): number[] {
  const view = map.cellView();
  const uniq = (k: number): number => 4 * 4 ** (view.orders[k] as number) + (view.ipix[k] as number);
  return Array.from({ length: map.cellCount }, (_, k) => k).sort(
    (a, b) => (view.densityPerSr[b] as number) - (view.densityPerSr[a] as number) || uniq(b) - uniq(a),
  );
}

describe('SkyMap cell orders', () => {
  it('gives the greedy levels of a comparator sort, for shuffled multi-order cells with tied densities', () => {
    // About 50,000 cells (radix path): the first 20,000 order-7 cells, each whole or as its four
    // order-8 children, given in a shuffled order, a third with one of three shared densities.
    const next = rng(7);
    const orders: number[] = [];
    const ipix: number[] = [];
    for (let coarse = 0; coarse < 20_000; coarse++) {
      if (next() < 0.5) {
        orders.push(7);
        ipix.push(coarse);
      } else {
        for (let c = 0; c < 4; c++) {
          orders.push(8);
          ipix.push(4 * coarse + c);
        }
      }
    }
    const n = orders.length;
    const permutation = shuffled(n, next);
    const shared = [0, 0.25, 1.5];
    const density = Float64Array.from({ length: n }, () =>
      next() < 0.33 ? (shared[Math.floor(next() * 3)] as number) : next() * 3,
    );
    const map = new SkyMap({
      orders: Uint8Array.from(permutation, (i) => orders[i] as number),
      ipix: Float64Array.from(permutation, (i) => ipix[i] as number),
      densityPerSr: Float64Array.from(permutation, (i) => density[i] as number),
    });
    const view = map.cellView();
    for (let k = 1; k < n; k++) assert.ok((view.starts24[k] as number) >= (view.ends24[k - 1] as number));
    let p = 0;
    const expectedLevel = new Float64Array(n);
    for (const k of naiveGreedy(map)) {
      p += (view.densityPerSr[k] as number) * ((4 * Math.PI) / (12 * 4 ** (view.orders[k] as number)));
      expectedLevel[k] = p;
    }
    for (let k = 0; k < n; k++) {
      const c = map.cellCentre(k);
      assert.equal(map.credibleLevelAt(c.raDeg, c.decDeg), expectedLevel[k], `cell ${k}`);
    }
    // The normalised map (its greedy order reused when still valid) agrees with a fresh sort.
    const normalised = map.normalised();
    const fresh = new SkyMap(normalised.cells());
    for (let k = 0; k < n; k += 7) {
      const c = map.cellCentre(k);
      assert.equal(normalised.credibleLevelAt(c.raDeg, c.decDeg), fresh.credibleLevelAt(c.raDeg, c.decDeg));
    }
  });

  it('refuses cells that overlap, also when they come out of order', () => {
    assert.throws(
      () =>
        new SkyMap({
          orders: Uint8Array.of(2, 1, 2),
          ipix: Float64Array.of(9, 0, 2),
          densityPerSr: Float64Array.of(1, 1, 1),
        }),
      { code: 'FITS_MALFORMED', message: /overlap/ },
    );
  });
});

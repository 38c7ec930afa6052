import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derasterize } from '../../src/sky/derasterize.ts';
import { writeFlatSkyMap, writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import { ang2pixNest, nest2ring, pixelAreaSr } from '../../src/sky/healpix.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import { SkyMap } from '../../src/sky/skymap.ts';

/** A flat NESTED map at order 3 that is uniform inside each order-1 pixel except pixel 5. */
function blocky(): Float64Array {
  const npix = 12 * 4 ** 3;
  const prob = new Float64Array(npix);
  for (let i = 0; i < npix; i++) {
    const parent = Math.floor(i / 16); // order-1 pixel
    prob[i] = parent === 5 ? (i % 16) + 1 : parent + 1;
  }
  const total = prob.reduce((a, b) => a + b, 0);
  return prob.map((p) => p / total);
}

describe('flat HEALPix maps', () => {
  it('merges uniform blocks into coarser cells, like ligo.skymap derasterize', () => {
    const order = 3;
    const prob = blocky();
    const density = prob.map((p) => p / pixelAreaSr(order));
    const cells = derasterize(order, [density]);
    // Order-1 pixels 0…47 minus pixel 5 (split into 16 order-3 cells): but equal neighbouring
    // order-1 pixels never merge into order 0 unless all four siblings match.
    const counts = new Map<number, number>();
    for (const o of cells.orders) counts.set(o, (counts.get(o) ?? 0) + 1);
    assert.equal(counts.get(3), 16);
    assert.equal(counts.get(1), 47);
    const map = new SkyMap(cells);
    assert.ok(Math.abs(map.totalProbability - 1) < 1e-12);
  });

  it('reads NESTED and RING, implicit and explicit, float64 and float32 layouts to the same map', () => {
    const order = 3;
    const prob = blocky();
    const npix = prob.length;
    const ring = new Float64Array(npix);
    for (let i = 0; i < npix; i++) ring[nest2ring(order, i)] = prob[i] as number;
    const reference = readSkyMap(
      writeMultiOrderSkyMap(derasterize(order, [prob.map((p) => p / pixelAreaSr(order))])),
    );
    const variants = [
      writeFlatSkyMap({ order, ordering: 'NESTED', probPerPixel: prob }),
      writeFlatSkyMap({ order, ordering: 'RING', probPerPixel: ring }),
      writeFlatSkyMap({
        order,
        ordering: 'NESTED',
        probPerPixel: prob,
        pixels: Float64Array.from({ length: npix }, (_, i) => i),
      }),
    ];
    for (const bytes of variants) {
      const map = readSkyMap(bytes);
      assert.ok(Math.abs(map.credibleAreaDeg2(0.9) - reference.credibleAreaDeg2(0.9)) < 1e-9);
      for (const [ra, dec] of [
        [10, 10],
        [200, -45],
        [359, 80],
      ] as const) {
        assert.ok(
          Math.abs(map.credibleLevelAt(ra, dec) - reference.credibleLevelAt(ra, dec)) < 1e-12,
          `${ra},${dec}`,
        );
        assert.ok(Math.abs(map.densityPerSrAt(ra, dec) / reference.densityPerSrAt(ra, dec) - 1) < 1e-12);
      }
    }
    const single = readSkyMap(
      writeFlatSkyMap({ order, ordering: 'NESTED', probPerPixel: prob, singlePrecision: true }),
    );
    assert.ok(Math.abs(single.credibleAreaDeg2(0.9) / reference.credibleAreaDeg2(0.9) - 1) < 1e-5);
  });

  it('keeps a partial explicit-index map as given: no probability where it has no pixel', () => {
    const order = 4;
    const pixel = ang2pixNest(order, 45, 45);
    const map = readSkyMap(
      writeFlatSkyMap({
        order,
        ordering: 'NESTED',
        probPerPixel: Float64Array.of(0.6, 0.4),
        pixels: Float64Array.of(pixel, pixel + 1),
      }),
    );
    assert.equal(map.cellCount, 2);
    assert.ok(Math.abs(map.credibleLevelAt(45, 45) - 0.6) < 1e-12);
    assert.equal(map.credibleLevelAt(200, -45), 1);
    assert.equal(map.densityPerSrAt(200, -45), 0);
  });
});

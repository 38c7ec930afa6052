/**
 * Bounding caps of regions (src/archive/region-cap.ts): every cell of the region lies in the
 * cap (regionCap) or in one of the caps (regionCaps), whatever the number of pieces; a region
 * in separate pieces gets one cap per piece, each far smaller than the one cap of the whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { circleMocCap } from '../../src/archive/notice-mocs.ts';
import { regionCap, regionCaps, type RegionCap } from '../../src/archive/region-cap.ts';
import { raDecToVector, vectorAngleRad } from '../../src/sky/angles.ts';
import { faceXYToVector, nestBigToFaceXY, type FaceXY } from '../../src/sky/healpix-deep.ts';
import { defaultOrderForSize, mocFromCircle, mocsFromCircle } from '../../src/sky/moc-build.ts';
import { Moc } from '../../src/sky/moc.ts';
import { seededRandom } from '../helpers/generated-archive.ts';

/** The centre and the four corners of every cell of the MOC (at its own orders). */
function cellPoints(moc: Moc): Array<readonly [number, number, number]> {
  const xy: FaceXY = { face: 0, x: 0, y: 0 };
  return moc.cells().flatMap((cell) => {
    nestBigToFaceXY(cell.order, cell.ipix, xy);
    return [
      [0.5, 0.5],
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ].map(([dx, dy]) => faceXYToVector(cell.order, xy.face, xy.x + (dx as number), xy.y + (dy as number)));
  });
}

const inside = (p: readonly [number, number, number], cap: RegionCap): boolean =>
  vectorAngleRad(p, cap.centre) <= cap.radiusRad + 1e-12;

describe('bounding caps of regions', () => {
  it('cover every cell of random multi-piece regions, one cap per separate piece', () => {
    const random = seededRandom(3);
    for (let k = 0; k < 30; k++) {
      let moc = Moc.empty();
      const pieces = 1 + Math.floor(random() * 6);
      for (let p = 0; p < pieces; p++)
        moc = moc.union(
          mocFromCircle(random() * 360, (Math.asin(2 * random() - 1) * 180) / Math.PI, 0.2 + random() * 8, {
            maxOrder: 9,
          }),
        );
      const caps = regionCaps(moc);
      assert.ok(caps.length >= 1 && caps.length <= pieces, `${caps.length} caps for ${pieces} discs`);
      const whole = regionCap(moc) as RegionCap;
      for (const point of cellPoints(moc)) {
        assert.ok(inside(point, whole), 'regionCap covers the region');
        assert.ok(
          caps.some((cap) => inside(point, cap)),
          'one of the regionCaps covers each point',
        );
      }
    }
  });

  it('splits two small discs on opposite sides of the sky into two small caps', () => {
    const moc = mocFromCircle(10, 20, 2, { maxOrder: 9 }).union(mocFromCircle(190, -20, 3, { maxOrder: 9 }));
    const caps = regionCaps(moc);
    assert.equal(caps.length, 2);
    for (const cap of caps) assert.ok(cap.radiusRad < (6 * Math.PI) / 180, `cap radius ${cap.radiusRad}`);
    assert.ok((regionCap(moc) as RegionCap).radiusRad > Math.PI / 2);
    assert.deepEqual(regionCaps(Moc.empty()), []);
  });

  it('of a cone from the cone itself (circleMocCap): covers every cell of its inclusive MOC, no looser than the MOC’s', () => {
    const random = seededRandom(11);
    for (let k = 0; k < 60; k++) {
      const raDeg = 360 * random();
      const decDeg = 180 * random() - 90;
      const radiusDeg = 10 ** (-6 + 7.5 * random());
      const maxOrder = Math.max(1, defaultOrderForSize(radiusDeg) - 1);
      const [moc] = mocsFromCircle(raDeg, decDeg, [{ radiusDeg, maxOrder }]);
      assert.ok(moc);
      const cap = circleMocCap(raDecToVector(raDeg, decDeg), { radiusDeg, maxOrder });
      for (const p of cellPoints(moc)) assert.ok(inside(p, cap), `cone ${radiusDeg}° at order ${maxOrder}`);
      const fromCells = regionCap(moc);
      assert.ok(fromCells);
      assert.ok(
        cap.radiusRad <= fromCells.radiusRad * 1.001,
        `${cap.radiusRad} vs ${fromCells.radiusRad} rad`,
      );
    }
  });
});

/**
 * The archive's MOC index rows and bounding caps against the MOC algebra of src/sky: inside
 * rows lie wholly in the region, the rows together cover it, the row limit holds, and every
 * cell of a region lies within its cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeRanges,
  encodeRanges,
  indexCellsTo29,
  indexRows,
  rangeOverlaps,
  rangesOverlap,
} from '../../src/archive/moc-ranges.ts';
import { regionCap } from '../../src/archive/region-cap.ts';
import { vectorAngleRad, raDecToVector } from '../../src/sky/angles.ts';
import { mocFromCircle, mocFromEllipse } from '../../src/sky/moc-build.ts';
import { Moc } from '../../src/sky/moc.ts';
import { seededRandom, syntheticSkyMap } from '../helpers/generated-archive.ts';

function regions(): Array<[string, Moc]> {
  const random = seededRandom(3);
  const out: Array<[string, Moc]> = [];
  for (let k = 0; k < 12; k++) {
    const ra = random() * 360;
    const dec = random() * 170 - 85;
    const r = 10 ** (-3 + random() * 4.3);
    out.push([
      `circle ${r.toFixed(4)}°`,
      mocFromCircle(ra, dec, r, { maxOrder: Math.min(20, 12 - Math.round(Math.log2(r))) }),
    ]);
  }
  out.push(['ellipse', mocFromEllipse(40, -30, 8, 1, 30, { maxOrder: 10 })]);
  out.push(['map', syntheticSkyMap('https://synthetic.invalid/200/40/12/bayestar.fits').credibleMoc(0.9)]);
  out.push([
    'two lobes',
    mocFromCircle(0, 0, 5, { maxOrder: 9 }).union(mocFromCircle(180, 0, 5, { maxOrder: 9 })),
  ]);
  return out;
}

const spanMoc = (first: number, last: number): Moc => Moc.fromRanges29(indexCellsTo29(first, last));

describe('archive MOC index rows', () => {
  for (const [name, moc] of regions()) {
    it(`${name}: inside rows lie in the region, all rows cover it, at most the limit`, () => {
      for (const limit of [1, 4, 8, 16, 64]) {
        const rows = indexRows(moc, limit);
        assert.ok(rows.length <= limit, `${rows.length} rows > ${limit}`);
        let cover = Moc.empty();
        for (const [i, row] of rows.entries()) {
          assert.ok(row.first <= row.last);
          if (i > 0) assert.ok(row.first > (rows[i - 1]?.last ?? -1), 'rows sorted and disjoint');
          const span = spanMoc(row.first, row.last);
          if (row.inside)
            assert.ok(
              span.difference(moc).isEmpty(),
              `inside row ${row.first}..${row.last} leaves the region`,
            );
          else assert.ok(!span.intersection(moc).isEmpty(), 'a boundary row touches the region');
          cover = cover.union(span);
        }
        assert.ok(moc.difference(cover).isEmpty(), 'the rows cover the region');
      }
    });
  }

  it('over the limit, the cheapest neighbours merge first: small gaps before large ones, boundary before inside', () => {
    // Order-10 cells: a lone cell at 100, cells 110 and 112 (a gap of one), a whole order-8
    // pixel (16 cells, wholly inside) from 128, and a cell at 10 000.
    const cells = (first: number, last: number): Moc => spanMoc(first, last);
    const moc = cells(100, 100)
      .union(cells(110, 110))
      .union(cells(112, 112))
      .union(cells(128, 143))
      .union(cells(10_000, 10_000));
    const all = indexRows(moc, 64);
    assert.deepEqual(
      all.map((r) => [r.first, r.last, r.inside]),
      [
        [100, 100, true],
        [110, 110, true],
        [112, 112, true],
        [128, 143, true],
        [10_000, 10_000, true],
      ],
    );
    // 4 rows: the gap of one cell (111) is the cheapest merge.
    assert.deepEqual(
      indexRows(moc, 4).map((r) => [r.first, r.last, r.inside]),
      [
        [100, 100, true],
        [110, 112, false],
        [128, 143, true],
        [10_000, 10_000, true],
      ],
    );
    // 3 rows: then 100 with 110–112 (9 cells of gap + 1 inside cell), not the 16 inside cells at 128.
    assert.deepEqual(
      indexRows(moc, 3).map((r) => [r.first, r.last, r.inside]),
      [
        [100, 112, false],
        [128, 143, true],
        [10_000, 10_000, true],
      ],
    );
    // 1 row: one range over everything, a boundary row.
    assert.deepEqual(
      indexRows(moc, 1).map((r) => [r.first, r.last, r.inside]),
      [[100, 10_000, false]],
    );
  });

  it('stored ranges round-trip, and overlap tests agree with the MOC algebra', () => {
    const random = seededRandom(8);
    const list = regions().map(([, m]) => m);
    for (const a of list) {
      const stored = decodeRanges(encodeRanges(a));
      assert.deepEqual([...stored], [...a.ranges]);
      for (let k = 0; k < 4; k++) {
        const b = mocFromCircle(random() * 360, random() * 160 - 80, 1 + random() * 20, { maxOrder: 8 });
        assert.equal(rangesOverlap(stored, b.ranges), !a.intersection(b).isEmpty());
        const r = b.ranges;
        assert.equal(
          rangeOverlaps(stored, r[0] as bigint, r[1] as bigint),
          !a.intersection(Moc.fromRanges29([r[0] as bigint, r[1] as bigint])).isEmpty(),
        );
      }
    }
  });
});

describe('archive bounding caps', () => {
  for (const [name, moc] of regions()) {
    it(`${name}: every cell of the region lies within the cap`, () => {
      const cap = regionCap(moc);
      assert.ok(cap);
      const random = seededRandom(17);
      let inside = 0;
      for (let k = 0; inside < 200 && k < 200_000; k++) {
        // Points of the region: random points near the cap, kept when the MOC holds them.
        const ra = random() * 360;
        const dec = (Math.asin(2 * random() - 1) * 180) / Math.PI;
        if (!moc.contains(ra, dec)) continue;
        inside++;
        assert.ok(vectorAngleRad(cap.centre, raDecToVector(ra, dec)) <= cap.radiusRad, `${ra} ${dec}`);
      }
      // Cell centres too (small regions get no random point).
      for (const cell of moc.cells().slice(0, 500)) {
        const m = Moc.fromCells([cell]);
        const c = regionCap(m);
        assert.ok(c && vectorAngleRad(cap.centre, c.centre) <= cap.radiusRad);
      }
    });
  }

  it('an empty region has no cap; antipodal lobes get the whole sky', () => {
    assert.equal(regionCap(Moc.empty()), undefined);
    const lobes = mocFromCircle(0, 0, 5, { maxOrder: 9 }).union(mocFromCircle(180, 0, 5, { maxOrder: 9 }));
    assert.ok((regionCap(lobes)?.radiusRad ?? 0) >= Math.PI / 2);
  });
});

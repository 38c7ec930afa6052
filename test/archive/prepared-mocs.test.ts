/**
 * The archive import's index data of a circle derived from its order-24 ranges (prepared-mocs.ts
 * prepareShape: encodeRanges24, indexRows24, no Moc) against the Moc path (prepareMocs of
 * shapeMocs: encodeRanges and indexRows on the MOC's BigInt ranges), which the archive index's
 * catch-up uses: the same BLOB bytes, R*-tree rows and caps, on generated circles of every size
 * (GBM notices with their systematic model, Gaussian circles from 0.1″ to 60°) and on ellipses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeRanges, encodeRanges24, indexRows, indexRows24 } from '../../src/archive/moc-ranges.ts';
import { DEFAULT_ARCHIVE_LEVELS_PCT, shapeMocs } from '../../src/archive/notice-mocs.ts';
import { prepareMocs, prepareShape } from '../../src/archive/prepared-mocs.ts';
import type { Notice, NoticeRegion } from '../../src/notices/notice.ts';
import { defaultOrderForSize, mocFromCircle, rangesFromCircle24 } from '../../src/sky/moc-build.ts';
import { Moc } from '../../src/sky/moc.ts';

function notice(noticeType: string, region: NoticeRegion): Notice {
  return { noticeType, region } as unknown as Notice;
}

const circle = (raDeg: number, decDeg: number, radiusDeg: number): NoticeRegion => ({
  type: 'circle',
  raDeg,
  decDeg,
  radiusDeg,
  containment: 0.68,
  systematicIncluded: false,
});

describe('archive index data of circles from order-24 ranges', () => {
  it('equal the Moc path for GBM and Gaussian circles of every size, at several level sets', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359.999, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -4.5, max: 1.8, noNaN: true }),
        fc.constantFrom(
          'Fermi_GBM_Gnd_Pos',
          'Fermi_GBM_Flt_Pos',
          'Swift_XRT_Position',
          'IceCube_Astrotrack_Gold',
        ),
        fc.constantFrom([50, 90], [90], [50, 90, 99], [90, 50, 90]),
        (raDeg, decDeg, log10Radius, type, levels) => {
          const n = notice(type, circle(raDeg, decDeg, 10 ** log10Radius));
          const viaMoc = prepareMocs(shapeMocs(n, levels) ?? { status: 'none' });
          assert.deepEqual(prepareShape(n, levels), viaMoc);
        },
      ),
      { numRuns: 3000, seed: 8 },
    );
  });

  it('equal the Moc path for ellipses, no region, and bad regions', () => {
    const cases: Array<[string, NoticeRegion]> = [
      [
        'Swift_BAT_Position',
        {
          type: 'ellipse',
          raDeg: 10,
          decDeg: 20,
          semiMajorDeg: 2,
          semiMinorDeg: 1,
          posAngleDeg: 30,
          containment: 0.9,
        },
      ],
      ['Swift_XRT_Position', { type: 'none' }],
      ['Swift_XRT_Position', circle(10, 95, 1)],
      ['Fermi_GBM_Gnd_Pos', circle(10, 20, -1)],
    ];
    for (const [type, region] of cases) {
      const n = notice(type, region);
      assert.deepEqual(
        prepareShape(n, DEFAULT_ARCHIVE_LEVELS_PCT),
        prepareMocs(shapeMocs(n, DEFAULT_ARCHIVE_LEVELS_PCT) ?? { status: 'none' }),
        type,
      );
    }
    assert.equal(
      prepareShape(notice('LVK', { type: 'skymap', url: 'https://x.invalid/a.fits' }), [90]),
      undefined,
    );
  });

  it('rangesFromCircle24, encodeRanges24 and indexRows24 give the MOC, its BLOB and its rows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359.999, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -5, max: 2.2, noNaN: true }),
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        (raDeg, decDeg, log10Radius, extra, inclusive) => {
          const radiusDeg = 10 ** log10Radius;
          const maxOrder = Math.max(1, Math.min(24, defaultOrderForSize(radiusDeg) + extra));
          const [ranges24] = rangesFromCircle24(raDeg, decDeg, [{ radiusDeg, maxOrder }], { inclusive });
          const moc = mocFromCircle(raDeg, decDeg, radiusDeg, { maxOrder, inclusive });
          assert.ok(ranges24);
          assert.deepEqual([...Moc.fromSortedRanges24(ranges24).ranges], [...moc.ranges]);
          assert.deepEqual(encodeRanges24(ranges24), encodeRanges(moc));
          for (const limit of [1, 4, 16, 64])
            assert.deepEqual(indexRows24(ranges24, limit), indexRows(moc, limit));
        },
      ),
      { numRuns: 2000, seed: 24 },
    );
  });

  it('encodeRanges24 writes values up to 12·4^24 exactly', () => {
    const top = 12 * 4 ** 24;
    const ranges24 = Float64Array.of(0, 1, 2 ** 32 / 1024 - 1, 2 ** 32 / 1024 + 1, top - 3, top);
    assert.deepEqual(encodeRanges24(ranges24), encodeRanges(Moc.fromSortedRanges24(ranges24)));
  });
});

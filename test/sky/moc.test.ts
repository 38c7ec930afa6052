import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoincideError } from '../../src/errors.ts';
import { FULL_SKY_DEG2 } from '../../src/sky/angles.ts';
import { ang2pixNestBig, pix2angNestBig } from '../../src/sky/healpix.ts';
import { formatMocAscii, formatMocJson, parseMocAscii, parseMocJson } from '../../src/sky/moc-io.ts';
import { Moc, ORDER29_CELLS } from '../../src/sky/moc.ts';
import { closeRel, readReference, type MocIoReference } from './reference.ts';

/** A random MOC: up to 12 cells at orders 0…10 (cells may overlap or nest). */
const cellArb = fc
  .integer({ min: 0, max: 10 })
  .chain((order) =>
    fc.bigInt({ min: 0n, max: (12n << BigInt(2 * order)) - 1n }).map((ipix) => ({ order, ipix })),
  );
const mocArb = fc.array(cellArb, { maxLength: 12 }).map((cells) => Moc.fromCells(cells));
/** A random order-29 cell index. */
const index29Arb = fc.bigInt({ min: 0n, max: ORDER29_CELLS - 1n });

/** Membership by brute force over the ranges. */
function member(moc: Moc, index29: bigint): boolean {
  for (let i = 0; i < moc.ranges.length; i += 2) {
    if ((moc.ranges[i] as bigint) <= index29 && index29 < (moc.ranges[i + 1] as bigint)) return true;
  }
  return false;
}

function isNormalised(moc: Moc): boolean {
  for (let i = 0; i < moc.ranges.length; i += 2) {
    const s = moc.ranges[i] as bigint;
    const e = moc.ranges[i + 1] as bigint;
    if (!(s < e)) return false;
    if (i > 0 && !((moc.ranges[i - 1] as bigint) < s)) return false;
  }
  return true;
}

describe('MOC algebra (property tests)', () => {
  it('keeps every result normalised: sorted, disjoint, non-adjacent ranges', () => {
    fc.assert(
      fc.property(mocArb, mocArb, (a, b) =>
        [a, b, a.union(b), a.intersection(b), a.difference(b), a.complement(), a.degrade(3)].every(
          isNormalised,
        ),
      ),
    );
  });

  it('obeys the union and intersection laws (commutative, associative, absorption, De Morgan)', () => {
    fc.assert(
      fc.property(mocArb, mocArb, mocArb, (a, b, c) => {
        assert.ok(a.union(b).equals(b.union(a)));
        assert.ok(a.intersection(b).equals(b.intersection(a)));
        assert.ok(
          a
            .union(b)
            .union(c)
            .equals(a.union(b.union(c))),
        );
        assert.ok(
          a
            .intersection(b)
            .intersection(c)
            .equals(a.intersection(b.intersection(c))),
        );
        assert.ok(a.union(a.intersection(b)).equals(a));
        assert.ok(a.intersection(a.union(b)).equals(a));
        assert.ok(a.intersection(b.union(c)).equals(a.intersection(b).union(a.intersection(c))));
        assert.ok(a.union(b).complement().equals(a.complement().intersection(b.complement())));
        assert.ok(a.complement().complement().equals(a));
        assert.ok(a.difference(b).equals(a.intersection(b.complement())));
      }),
    );
  });

  it('adds areas: |A ∪ B| + |A ∩ B| = |A| + |B|, and A with its complement is the whole sky', () => {
    fc.assert(
      fc.property(mocArb, mocArb, (a, b) => {
        assert.equal(
          a.union(b).cellCount29() + a.intersection(b).cellCount29(),
          a.cellCount29() + b.cellCount29(),
        );
        assert.equal(a.cellCount29() + a.complement().cellCount29(), ORDER29_CELLS);
        assert.ok(Math.abs(a.areaDeg2() + a.complement().areaDeg2() - FULL_SKY_DEG2) < 1e-9);
      }),
    );
  });

  it('answers membership like a brute-force scan, for operations and points alike', () => {
    fc.assert(
      fc.property(mocArb, mocArb, index29Arb, (a, b, x) => {
        assert.equal(a.containsIndex29(x), member(a, x));
        assert.equal(a.union(b).containsIndex29(x), member(a, x) || member(b, x));
        assert.equal(a.intersection(b).containsIndex29(x), member(a, x) && member(b, x));
        assert.equal(a.difference(b).containsIndex29(x), member(a, x) && !member(b, x));
        assert.equal(a.complement().containsIndex29(x), !member(a, x));
        // contains(ra, dec) at the centre of the order-29 cell x: the fast order-24 search agrees.
        const c = pix2angNestBig(29, x);
        const cell = ang2pixNestBig(29, c.raDeg, c.decDeg);
        assert.equal(a.contains(c.raDeg, c.decDeg), member(a, cell));
      }),
    );
  });

  it('degrades to a covering MOC whose cells are all at the chosen order or coarser', () => {
    fc.assert(
      fc.property(mocArb, fc.integer({ min: 0, max: 10 }), (a, order) => {
        const d = a.degrade(order);
        assert.ok(d.intersection(a).equals(a));
        assert.ok(d.maxOrder() <= order);
        assert.ok(d.cells().every((cell) => cell.order <= order));
      }),
    );
  });

  it('splits into cells that rebuild the same MOC', () => {
    fc.assert(fc.property(mocArb, (a) => Moc.fromCells(a.cells()).equals(a)));
  });

  it('searches MOCs deeper than order 24 exactly (BigInt path)', () => {
    const x = ang2pixNestBig(29, 123.456, -33.3);
    const tiny = Moc.fromCells([{ order: 29, ipix: x }]);
    assert.ok(tiny.contains(123.456, -33.3));
    assert.ok(!tiny.contains(123.457, -33.3));
    assert.equal(tiny.maxOrder(), 29);
  });

  it('refuses cells off the grid with SKY_BAD_REGION', () => {
    assert.throws(
      () => Moc.fromCells([{ order: 2, ipix: 192n }]),
      (e: unknown) => e instanceof CoincideError && e.code === 'SKY_BAD_REGION',
    );
    assert.throws(
      () => Moc.fromRanges29([0n, ORDER29_CELLS + 1n]),
      (e: unknown) => e instanceof CoincideError && e.code === 'SKY_BAD_REGION',
    );
  });
});

describe('IVOA MOC 2.0 serialisations', () => {
  const ref = readReference('moc-io.json') as MocIoReference;

  for (const entry of ref.mocs) {
    it(`reads mocpy’s ASCII and JSON of the ${entry.name} MOC into mocpy’s depth-29 ranges`, () => {
      const expected = Moc.fromRanges29(entry.depth29Ranges.flatMap(([s, e]) => [BigInt(s), BigInt(e)]));
      const ascii = parseMocAscii(entry.ascii);
      const json = parseMocJson(entry.json);
      assert.ok(ascii.equals(expected));
      assert.ok(json.equals(expected));
      assert.ok(closeRel(ascii.areaDeg2(), entry.areaDeg2, 1e-12));
    });

    it(`writes the ${entry.name} MOC as mocpy does`, () => {
      const moc = parseMocAscii(entry.ascii);
      // Same cells in the same order, depth stated; whitespace may differ.
      assert.equal(
        formatMocAscii(moc, entry.maxOrder).replace(/\s+/g, ' '),
        entry.ascii.trim().replace(/\s+/g, ' '),
      );
      assert.deepEqual(JSON.parse(formatMocJson(moc, entry.maxOrder)), JSON.parse(entry.json));
    });
  }

  it('round-trips random MOCs through ASCII and JSON', () => {
    fc.assert(
      fc.property(mocArb, (a) => {
        assert.ok(parseMocAscii(formatMocAscii(a)).equals(a));
        assert.ok(parseMocJson(formatMocJson(a)).equals(a));
      }),
    );
  });

  it('keeps order-29 indices beyond 2^53 exact in JSON', () => {
    const big = (12n << 58n) - 5n;
    const moc = Moc.fromCells([{ order: 29, ipix: big }]);
    const text = formatMocJson(moc);
    assert.ok(text.includes(big.toString()));
    assert.ok(parseMocJson(text).equals(moc));
  });

  it('refuses malformed MOC text with SKY_BAD_REGION', () => {
    for (const text of ['5', '3/1-x', '3/5-2', '0/12', '30/1']) {
      assert.throws(
        () => parseMocAscii(text),
        (e: unknown) => e instanceof CoincideError && e.code === 'SKY_BAD_REGION',
        text,
      );
    }
    for (const text of ['[1]', '{"3": "x"}', 'nope', '{"0": [12]}']) {
      assert.throws(
        () => parseMocJson(text),
        (e: unknown) => e instanceof CoincideError && e.code === 'SKY_BAD_REGION',
        text,
      );
    }
  });
});

/** The short seq lists of GET /console/records?skip=…, against a plain list. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSeqList, encodeSeqList, encodeSeqListWithin } from '../../src/text/seq-list.ts';

describe('seq lists', () => {
  it('round-trips any set of seqs, in any order, with duplicates', () => {
    assert.equal(encodeSeqList([]), '');
    assert.deepEqual(decodeSeqList(''), new Set());
    assert.equal(encodeSeqList([1, 2, 3, 40, 36 + 40]), '1.1.1.11.10');
    let state = 7;
    const random = (): number => (state = (state * 48271) % 2147483647);
    const seqs = Array.from({ length: 1000 }, () => 1 + (random() % 20_000));
    seqs.push(Number.MAX_SAFE_INTEGER, seqs[0]!);
    const text = encodeSeqList(seqs);
    assert.deepEqual(
      [...decodeSeqList(text)],
      [...new Set(seqs)].sort((a, b) => a - b),
    );
    assert.ok(text.length < 4000, `${text.length} characters`);
  });

  it('keeps the lowest seqs that fit, whole', () => {
    const seqs = [5, 100, 1000, 5000, 99999];
    const full = encodeSeqList(seqs);
    for (let max = 0; max <= full.length + 1; max++) {
      const text = encodeSeqListWithin(seqs, max);
      assert.ok(text.length <= max);
      const kept = [...decodeSeqList(text)];
      assert.deepEqual(kept, seqs.slice(0, kept.length));
    }
    assert.equal(encodeSeqListWithin(seqs, full.length), full);
  });

  it('refuses what is not such a list', () => {
    for (const bad of [
      '1..2',
      '1.0',
      'A',
      '-1',
      '1,2',
      'zzzzzzzzzzzz',
      '.',
      `${Number.MAX_SAFE_INTEGER.toString(36)}.1`,
    ])
      assert.throws(() => decodeSeqList(bad), RangeError, bad);
  });
});

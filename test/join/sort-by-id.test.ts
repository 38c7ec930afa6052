import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { coincidenceId } from '../../src/join/build-coincidence.ts';
import { byId, sortById } from '../../src/join/sort-by-id.ts';

const ids = (records: Array<{ id: string }>): string[] => records.map((r) => r.id);

describe('sortById', () => {
  test('orders many pair ids exactly like the string comparison', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 60, max: 400 }), (seed, count) => {
        const records = Array.from({ length: count }, (_, i) => ({
          id: coincidenceId(`T${seed}`, `LSST:${i}`),
          i,
        }));
        const expected = [...records].sort(byId);
        assert.deepEqual(ids(sortById(records)), ids(expected));
      }),
      { numRuns: 30, seed: 1 },
    );
  });

  test('keeps the string order when ids share their first 13 hex digits', () => {
    const prefix = '0123456789abc';
    const records = Array.from({ length: 100 }, (_, i) => ({
      id: `${i % 2 === 0 ? prefix : 'fedcba9876543'}${String(1000 - i).padStart(19, '0')}`,
    }));
    assert.deepEqual(ids(sortById([...records])), ids([...records].sort(byId)));
  });

  test('sorts ids that are not hex digits by the string comparison', () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ id: `${(i * 37) % 100}-pair` }));
    records.push({ id: 'ABCDEF0123456789' });
    assert.deepEqual(ids(sortById([...records])), ids([...records].sort(byId)));
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { objectHash, ObjectSlots } from '../../src/join/object-slots.ts';

describe('object slots (open addressing)', () => {
  test('answers like a Map through inserts and removals, with colliding hashes and growth', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            remove: fc.boolean(),
            survey: fc.constantFrom('ZTF', 'LSST'),
            object: fc.integer({ min: 0, max: 3000 }),
          }),
          { maxLength: 6000 },
        ),
        // Hashes confined to a few values make long probe runs, wrap-arounds and moves on removal.
        fc.constantFrom(0x7, 0xff, 0xffff, -1),
        (ops, hashMask) => {
          const keyOf: Array<[string, string] | undefined> = [];
          const slots = new ObjectSlots((slot, survey, objectId) => {
            const key = keyOf[slot];
            return key !== undefined && key[0] === survey && key[1] === objectId;
          });
          const model = new Map<string, number>();
          const hash = (survey: string, objectId: string): number => objectHash(survey, objectId) & hashMask;
          let nextSlot = 0;
          for (const op of ops) {
            const objectId = `o${op.object}`;
            const h = hash(op.survey, objectId);
            const key = `${op.survey}:${objectId}`;
            const found = slots.get(h, op.survey, objectId);
            assert.equal(found, model.get(key) ?? -1);
            if (op.remove && found >= 0) {
              slots.remove(found);
              keyOf[found] = undefined;
              model.delete(key);
            } else if (!op.remove && found < 0) {
              const slot = nextSlot++;
              keyOf[slot] = [op.survey, objectId];
              slots.insert(h, slot);
              model.set(key, slot);
            }
            assert.equal(slots.size, model.size);
          }
          for (const [key, slot] of model) {
            const [survey = '', objectId = ''] = key.split(':');
            assert.equal(slots.get(hash(survey, objectId), survey, objectId), slot);
          }
        },
      ),
      { numRuns: 60, seed: 8 },
    );
  });

  test('the hash separates the survey from the object id', () => {
    assert.notEqual(objectHash('ZTF', '1'), objectHash('ZTF1', ''));
    assert.equal(objectHash('LSST', '3000000000001'), objectHash('LSST', '3000000000001'));
  });
});

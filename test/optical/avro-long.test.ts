import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import fc from 'fast-check';
import {
  BIGINT_LONG_TYPE,
  bigIntToVarint,
  exactLongOptions,
  varintToBigInt,
} from '../../src/optical/avro-long.ts';

const RECORD = {
  type: 'record',
  name: 'ids',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'maybe', type: ['null', 'long'] },
    { name: 'many', type: { type: 'array', items: 'long' } },
  ],
} as const;

describe('exact Avro long', () => {
  it('decodes ids above 2^53 exactly, where the default avsc long refuses them', () => {
    const exact = avro.Type.forSchema(RECORD as unknown as avro.Schema, exactLongOptions());
    const id = 1127495406315015005n; // a ZTF candid, > 2^53
    const bytes = exact.toBuffer({ id, maybe: id + 1n, many: [2n ** 53n + 1n, -(2n ** 63n)] });
    const back = exact.fromBuffer(bytes) as { id: bigint; maybe: bigint; many: bigint[] };
    assert.equal(back.id, 1127495406315015005n);
    assert.equal(back.maybe, 1127495406315015006n);
    assert.deepEqual(back.many, [9007199254740993n, -9223372036854775808n]);
    const lossy = avro.Type.forSchema(RECORD as unknown as avro.Schema);
    assert.throws(() => lossy.fromBuffer(bytes));
  });

  it('round-trips every signed 64-bit integer through the varint codec', () => {
    const edges = [
      0n,
      1n,
      -1n,
      63n,
      -64n,
      64n,
      2n ** 28n - 1n,
      2n ** 28n,
      -(2n ** 28n),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ];
    for (const n of edges) assert.equal(varintToBigInt(bigIntToVarint(n)), n, String(n));
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (n) => varintToBigInt(bigIntToVarint(n)) === n,
      ),
      { numRuns: 2000, seed: 4 },
    );
  });

  it('writes the same bytes as the standard long for safe integers', () => {
    const standard = avro.Type.forSchema('long');
    for (const n of [0, 1, -1, 300, -300, 2 ** 40, -(2 ** 40), 2 ** 52 - 1]) {
      assert.deepEqual(bigIntToVarint(BigInt(n)), standard.toBuffer(n), String(n));
    }
  });

  it('reads ints written by an int writer schema as BigInt (schema evolution int -> long)', () => {
    const writer = avro.Type.forSchema('int');
    const reader = avro.Type.forSchema('long', exactLongOptions());
    assert.equal(reader.fromBuffer(writer.toBuffer(-42), reader.createResolver(writer)), -42n);
  });

  it('validates and converts to JSON as decimal strings', () => {
    assert.equal(BIGINT_LONG_TYPE.isValid(2n ** 63n), false);
    assert.equal(BIGINT_LONG_TYPE.isValid(5n), true);
    assert.equal(BIGINT_LONG_TYPE.isValid(5), false);
  });
});

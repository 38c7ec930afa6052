import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeConfluentMessage,
  isConfluentFramed,
  parseConfluentMessage,
} from '../../src/optical/wire-format.ts';

describe('Confluent wire format', () => {
  it('frames a payload with magic 0 and a big-endian 4-byte schema id', () => {
    const framed = encodeConfluentMessage(1100, Buffer.from([1, 2, 3]));
    assert.deepEqual([...framed], [0, 0, 0, 0x04, 0x4c, 1, 2, 3]);
    const parsed = parseConfluentMessage(framed);
    assert.equal(parsed.schemaId, 1100);
    assert.deepEqual([...parsed.payload], [1, 2, 3]);
    assert.equal(isConfluentFramed(framed), true);
  });

  it('reads schema ids up to 2^32 - 1 as unsigned', () => {
    assert.equal(
      parseConfluentMessage(encodeConfluentMessage(0xffffffff, Buffer.from([0]))).schemaId,
      0xffffffff,
    );
  });

  it('refuses a wrong magic byte or a short header with AVRO_MALFORMED', () => {
    assert.throws(() => parseConfluentMessage(Buffer.from([1, 0, 0, 0, 1, 2])), { code: 'AVRO_MALFORMED' });
    assert.throws(() => parseConfluentMessage(Buffer.from([0, 0, 1])), { code: 'AVRO_MALFORMED' });
    assert.equal(isConfluentFramed(Buffer.from('Obj\u0001')), false);
  });

  it('refuses a schema id outside 32 bits', () => {
    assert.throws(() => encodeConfluentMessage(-1, Buffer.alloc(1)), { code: 'AVRO_UNKNOWN_SCHEMA' });
  });
});

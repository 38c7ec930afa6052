import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Coincidence } from '../../../src/join/coincidence.ts';
import {
  COINCIDENCE_SCHEMA,
  COINCIDENCE_SCHEMA_V1,
  COINCIDENCE_SCHEMA_V2,
  COINCIDENCE_SCHEMAS,
} from '../../../src/sinks/avro/coincidence-avro.ts';
import { decodeValue, encodeValue } from '../../../src/sinks/avro/versioned-schema.ts';
import { FINK_COINCIDENCE, MM_COINCIDENCE, OPTICAL_COINCIDENCE } from './coincidence-fixtures.ts';
import { makeTriple } from '../../http/records.ts';

const roundTrip = (c: Coincidence, format: 'avro' | 'json' = 'avro'): Coincidence => {
  const encoded = encodeValue(COINCIDENCE_SCHEMA, c, format);
  return decodeValue(COINCIDENCE_SCHEMAS, encoded.value, encoded.headers);
};

describe('Coincidence Avro schema v3', () => {
  test('is the version written, and carries triples: partners and pair ids', () => {
    assert.equal(COINCIDENCE_SCHEMA.id, 'coincide.v3.Coincidence/3');
    const triple = makeTriple();
    assert.deepStrictEqual(roundTrip(triple), triple);
    assert.deepStrictEqual(roundTrip(triple, 'json'), triple);
    const decoded = roundTrip(MM_COINCIDENCE);
    assert.equal('partners' in decoded, false);
    assert.equal('pairIds' in decoded, false);
  });

  test('still reads version 2 messages', () => {
    for (const c of [FINK_COINCIDENCE, MM_COINCIDENCE]) {
      const encoded = encodeValue(COINCIDENCE_SCHEMA_V2, c, 'avro');
      assert.deepStrictEqual(decodeValue(COINCIDENCE_SCHEMAS, encoded.value, encoded.headers), c);
    }
  });
});

describe('Coincidence Avro schema v2', () => {
  test('carries the trigger position and the alert details, Fink values included', () => {
    assert.deepStrictEqual(roundTrip(FINK_COINCIDENCE), FINK_COINCIDENCE);
  });

  test('still reads version 1 messages (without the v2 details)', () => {
    const encoded = encodeValue(COINCIDENCE_SCHEMA_V1, OPTICAL_COINCIDENCE, 'avro');
    assert.deepStrictEqual(
      decodeValue(COINCIDENCE_SCHEMAS, encoded.value, encoded.headers),
      OPTICAL_COINCIDENCE,
    );
  });

  test('rebuilds optical and multi-messenger coincidences exactly, nulls and absent fields included', () => {
    for (const c of [OPTICAL_COINCIDENCE, MM_COINCIDENCE]) {
      assert.deepStrictEqual(roundTrip(c), c);
      assert.deepStrictEqual(roundTrip(c, 'json'), c);
    }
    const decoded = roundTrip(MM_COINCIDENCE);
    assert.equal(decoded.separationDeg, null);
    assert.equal(decoded.tier, null);
    assert.equal('revision' in decoded.counterpart, false);
  });

  test('keeps 64-bit alert ids exact, as decimal strings', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (id) => {
        const c: Coincidence = {
          ...OPTICAL_COINCIDENCE,
          counterpart: {
            ...OPTICAL_COINCIDENCE.counterpart,
            alertId: id.toString(),
          },
          provenance: { ...OPTICAL_COINCIDENCE.provenance, alertIds: [id.toString()] },
        };
        assert.deepStrictEqual(roundTrip(c), c);
      }),
      { numRuns: 100 },
    );
  });
});

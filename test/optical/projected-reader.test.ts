/**
 * The generated projected reader on small hand-made schemas: every scalar kind and nullable
 * nested records read as avsc reads them, and truncated or out-of-range input is
 * AVRO_MALFORMED.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { exactLongOptions } from '../../src/optical/avro-long.ts';
import { ProjectedReader } from '../../src/optical/projected-reader.ts';

const schema = {
  type: 'record',
  name: 'Packet',
  fields: [
    { name: 'skipped', type: { type: 'array', items: 'string' } },
    { name: 'id', type: 'long' },
    { name: 'flag', type: 'boolean' },
    { name: 'count', type: 'int' },
    { name: 'ra', type: 'double' },
    { name: 'mag', type: ['null', 'float'] },
    { name: 'band', type: { type: 'enum', name: 'Band', symbols: ['g', 'r', 'i'] } },
    { name: 'name', type: ['null', 'string'] },
    { name: 'blob', type: 'bytes' },
    {
      name: 'nested',
      type: ['null', { type: 'record', name: 'Nested', fields: [{ name: 'x', type: 'double' }] }],
    },
    { name: 'cutout', type: ['null', 'bytes'] },
  ],
};
const type = avro.Type.forSchema(schema as avro.Schema, exactLongOptions());
const value = {
  skipped: ['a', 'bb'],
  id: 1127495406315015005n,
  flag: true,
  count: -42,
  ra: 123.456,
  mag: 18.5,
  band: 'r',
  name: 'ZTF19acihgng',
  blob: Buffer.from([1, 2, 3]),
  nested: { x: 1.5 },
  cutout: Buffer.alloc(1000, 9),
};
const keep = Object.fromEntries(
  schema.fields
    .filter((f) => f.name !== 'skipped' && f.name !== 'cutout')
    .map((f) => [f.name, true as const]),
);
const projection = { fields: { ...keep, nested: { fields: { x: true as const } } } };

function encoded(): Buffer {
  return type.toBuffer(value);
}

describe('generated projected reader', () => {
  it('reads every kept scalar and nested record as avsc does, skipping the rest', () => {
    const reader = new ProjectedReader(type, projection);
    const bytes = encoded();
    const { value: read, offset } = reader.read(bytes, 0, true);
    assert.equal(offset, bytes.length);
    const full = type.fromBuffer(bytes) as Record<string, unknown>;
    for (const name of Object.keys(keep)) {
      if (name !== 'nested') assert.deepEqual(read[name], full[name], name);
    }
    assert.deepEqual(read.nested, { x: 1.5 });
    assert.equal('skipped' in read, false);
    assert.equal('cutout' in read, false);
  });

  it('may stop after the last kept field when the end is not needed', () => {
    const reader = new ProjectedReader(type, { fields: { id: true } });
    const bytes = encoded();
    assert.deepEqual(reader.read(bytes, 0, false), { value: { id: 1127495406315015005n }, offset: -1 });
    assert.equal(reader.read(bytes, 0, true).offset, bytes.length);
  });

  it('refuses truncated records and out-of-range union branches with AVRO_MALFORMED', () => {
    const reader = new ProjectedReader(type, projection);
    const bytes = encoded();
    for (const cut of [3, 12, 30, bytes.length - 500]) {
      assert.throws(
        () => reader.read(bytes.subarray(0, cut), 0, true),
        { code: 'AVRO_MALFORMED' },
        String(cut),
      );
    }
    const nullable = avro.Type.forSchema({
      type: 'record',
      name: 'R',
      fields: [{ name: 'm', type: ['null', 'float'] }],
    });
    const branchTwo = Buffer.from([4]); // zig-zag 2: a third branch of a two-branch union
    assert.throws(() => new ProjectedReader(nullable, { fields: { m: true } }).read(branchTwo, 0, true), {
      code: 'AVRO_MALFORMED',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { exactLongOptions } from '../../src/optical/avro-long.ts';
import { SkipCompiler } from '../../src/optical/avro-skip.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { sampleRecords } from './avro-fixtures.ts';

const MIXED = {
  type: 'record',
  name: 'mixed',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'flag', type: 'boolean' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 's', type: 'string' },
    { name: 'b', type: 'bytes' },
    { name: 'fx', type: { type: 'fixed', name: 'sixteen', size: 16 } },
    { name: 'e', type: { type: 'enum', name: 'colour', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'of', type: ['null', 'float'] },
    { name: 'of2', type: ['null', 'float'] },
    { name: 'of3', type: ['float', 'null'] },
    { name: 'ol', type: ['null', 'long'] },
    { name: 'os', type: ['string', 'null'] },
    {
      name: 'u3',
      type: ['null', 'int', { type: 'record', name: 'inner', fields: [{ name: 'x', type: 'double' }] }],
    },
    { name: 'arr', type: { type: 'array', items: 'inner' } },
    { name: 'nested', type: { type: 'array', items: { type: 'array', items: 'string' } } },
    { name: 'm', type: { type: 'map', values: ['null', 'inner'] } },
  ],
};

function skipLength(type: avro.Type, bytes: Buffer): number {
  const compiler = new SkipCompiler();
  const program = compiler.compile([type]);
  return compiler.skip(program, bytes, 0);
}

describe('skip programs', () => {
  it('skip exactly one value of every Avro type, for random values', () => {
    const type = avro.Type.forSchema(MIXED as avro.Schema, exactLongOptions());
    for (let i = 0; i < 300; i++) {
      const bytes = type.toBuffer(type.random());
      assert.equal(skipLength(type, bytes), bytes.length);
    }
  });

  it('jump over array blocks written with their byte size (negative count)', () => {
    const type = avro.Type.forSchema({ type: 'array', items: 'string' });
    // One block: count -2 (zigzag 0x03), byte size 4 (zigzag 0x08), items "a" "b", then the 0 end.
    const bytes = Buffer.from([0x03, 0x08, 0x02, 0x61, 0x02, 0x62, 0x00, 0xff]);
    assert.equal(skipLength(type, bytes), 7);
  });

  it('refuse truncated input with AVRO_MALFORMED', () => {
    const type = avro.Type.forSchema(MIXED as avro.Schema, exactLongOptions());
    const bytes = type.toBuffer(type.random());
    assert.throws(() => skipLength(type, bytes.subarray(0, bytes.length - 1)), { code: 'AVRO_MALFORMED' });
  });

  it(
    'skip whole real ZTF and LSST packets, cutouts and histories included',
    { skip: skipUnlessShared() },
    () => {
      for (const file of [
        'ztf-avro/2475433850315015009.avro',
        'ztf-avro/ZTF19acihgng.avro',
        'lsst-avro/v11_0/fakeAlert.avro',
        'lsst-avro/v7_4/fakeAlert.avro',
      ]) {
        const { compiled, records } = sampleRecords(file);
        const bytes = compiled.writerType.toBuffer(records[0]);
        assert.equal(skipLength(compiled.writerType, bytes), bytes.length, file);
        for (let i = 0; i < 20; i++) {
          const random = compiled.writerType.toBuffer(compiled.writerType.random());
          assert.equal(skipLength(compiled.writerType, random), random.length, file);
        }
      }
    },
  );
});

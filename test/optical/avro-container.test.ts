import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { isAvroContainer, readAvroContainer } from '../../src/optical/avro-container.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { encodeContainer, sampleRecords } from './avro-fixtures.ts';

const ZTF_FILES = ['ztf-avro/ZTF19acihgng.avro', 'ztf-avro/ZTF19acxxwrs.avro', 'ztf-avro/ZTF19acyfkzd.avro'];

describe('Avro container reading', { skip: skipUnlessShared() }, () => {
  it('reads a multi-block deflate container written by avsc, record for record', async () => {
    const { compiled, records } = sampleRecords(ZTF_FILES[0] as string);
    const others = ZTF_FILES.slice(1).flatMap((f) => sampleRecords(f).records);
    const all = [...records, ...others];
    // blockSize below one alert's size: one record per block, three blocks.
    const bytes = await encodeContainer(compiled.writerType, all, { codec: 'deflate', blockSize: 1024 });
    const container = readAvroContainer(bytes);
    assert.equal(container.codec, 'deflate');
    assert.ok(container.blocks.length >= 2, `${String(container.blocks.length)} blocks`);
    const alerts = new OpticalAlertDecoder().decodeContainer(bytes);
    assert.deepEqual(
      alerts.map((a) => a.alertId),
      ['1060135832015015002', '1079453312715015005', '1079262803715015019'],
    );
    const reread = new OpticalAlertDecoder({ projected: false }).containerRecords(bytes).records;
    // Same bytes when re-encoded: every field, cutouts and histories included, survived.
    assert.deepEqual(
      reread.map((r) => compiled.writerType.toBuffer(r)),
      all.map((r) => compiled.writerType.toBuffer(r)),
    );
  });

  it('reads several records in one block', async () => {
    const { compiled } = sampleRecords(ZTF_FILES[0] as string);
    const all = ZTF_FILES.flatMap((f) => sampleRecords(f).records);
    const bytes = await encodeContainer(compiled.writerType, all, { blockSize: 10 * 1024 * 1024 });
    assert.equal(readAvroContainer(bytes).blocks.length, 1);
    assert.equal(new OpticalAlertDecoder().decodeContainer(bytes).length, 3);
  });

  it('refuses truncated, unframed or corrupted containers with AVRO_MALFORMED', async () => {
    const { compiled, records } = sampleRecords(ZTF_FILES[0] as string);
    const bytes = await encodeContainer(compiled.writerType, records);
    const decoder = new OpticalAlertDecoder();
    assert.throws(() => decoder.decodeContainer(bytes.subarray(0, bytes.length - 100)), {
      code: 'AVRO_MALFORMED',
    });
    assert.throws(() => decoder.decodeContainer(bytes.subarray(0, 200)), { code: 'AVRO_MALFORMED' });
    assert.throws(() => decoder.decodeContainer(Buffer.from('{"not": "avro"}')), { code: 'AVRO_MALFORMED' });
    const badSync = Buffer.from(bytes);
    badSync[badSync.length - 1] = (badSync[badSync.length - 1] as number) ^ 0xff;
    assert.throws(() => decoder.decodeContainer(badSync), { code: 'AVRO_MALFORMED' });
    assert.equal(isAvroContainer(bytes), true);
  });

  it('refuses a container whose schema is not an alert with AVRO_UNKNOWN_SCHEMA', async () => {
    const avro = (await import('avsc')).default;
    const type = avro.Type.forSchema({ type: 'record', name: 'other', fields: [{ name: 'x', type: 'int' }] });
    const bytes = await encodeContainer(type, [{ x: 1 }]);
    assert.throws(() => new OpticalAlertDecoder().decodeContainer(bytes), { code: 'AVRO_UNKNOWN_SCHEMA' });
  });

  it('reuses the compiled schema across containers that repeat the same header schema', async () => {
    const decoder = new OpticalAlertDecoder();
    const { compiled, records } = sampleRecords(ZTF_FILES[0] as string);
    const a = await encodeContainer(compiled.writerType, records);
    const b = await encodeContainer(compiled.writerType, records); // a new random sync marker
    assert.equal(decoder.containerRecords(a).compiled, decoder.containerRecords(b).compiled);
  });
});

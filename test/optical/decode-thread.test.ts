import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { createDecodeThread } from '../../src/optical/decode-thread.ts';
import { encodeConfluentMessage } from '../../src/optical/wire-format.ts';
import { buildLsstRecords, LSST_SCHEMA_ID } from '../../scripts/optical/packets.ts';

const ZTF = [8, 9, 10].map((day) =>
  readFileSync(
    new URL(
      `../../fixtures/walkthrough/optical/ztf-201708${String(day).padStart(2, '0')}.avro`,
      import.meta.url,
    ),
  ),
);

describe('the optical decode thread', () => {
  const thread = createDecodeThread({ projected: true });
  after(() => thread.close());

  test('decodes ZTF containers as this thread does, and leaves registry-framed records to it', async () => {
    const { writerType, records } = buildLsstRecords({ count: 1, seed: 5 });
    const lsst = encodeConfluentMessage(LSST_SCHEMA_ID, writerType.toBuffer(records[0]));
    const answers = await thread.decode([...ZTF, lsst, null, Buffer.from('not avro')]);
    assert.deepEqual(
      answers.slice(0, 3),
      ZTF.map((bytes) => ({ kind: 'alerts', alerts: new OpticalAlertDecoder().decodeContainer(bytes) })),
    );
    assert.deepEqual(answers[3], { kind: 'main' });
    assert.deepEqual(answers[4], { kind: 'main' });
    assert.equal(answers[5]?.kind, 'error');
    assert.equal(answers[5]?.kind === 'error' ? answers[5].code : '', 'AVRO_MALFORMED');
  });

  test('leaves the caller its bytes (the thread gets copies)', async () => {
    const bytes = Buffer.from(ZTF[0] as Buffer);
    await thread.decode([bytes]);
    assert.ok(bytes.equals(ZTF[0] as Buffer));
  });
});

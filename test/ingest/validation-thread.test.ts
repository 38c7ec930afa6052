import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createThreadedSchemaValidator } from '../../src/ingest/validation-thread.ts';
import { createSchemaValidator } from '../../src/voevent/schema-validator.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';
import { makeVoEvent } from '../vtp/helpers.ts';

/** Documents written for this test: valid, schema-invalid, malformed, refused by the guard. */
const written: Array<[string, Buffer]> = [
  ['valid VOEvent 2.0', makeVoEvent('ivo://test.coincide/v#1')],
  ['unknown role', makeVoEvent('ivo://test.coincide/v#2', { role: 'nonsense' })],
  [
    'malformed body',
    Buffer.from(makeVoEvent('ivo://test.coincide/v#3').toString().replace('</Who>', '</Wh>')),
  ],
  ['DOCTYPE', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')],
  ['empty', Buffer.alloc(0)],
  ['no namespace', Buffer.from('<VOEvent ivorn="ivo://a/b#c" role="test" version="2.0"/>')],
];

describe('schema validation thread', () => {
  it('gives the verdicts of the in-thread validator, in order, for documents written for the test', async () => {
    const inline = createSchemaValidator();
    const threaded = createThreadedSchemaValidator();
    try {
      await threaded.ready();
      const verdicts = await Promise.all(written.map(([, bytes]) => threaded.validate(bytes)));
      written.forEach(([label, bytes], i) => {
        assert.deepEqual(verdicts[i], inline.validateSync(bytes), label);
      });
      assert.equal(verdicts[0]?.valid, true);
      assert.equal(verdicts.filter((v) => v.valid).length, 1);
    } finally {
      await threaded.close();
      await inline.close();
    }
  });

  it(
    'gives the verdicts of the in-thread validator for every VOEvent sample',
    { skip: skipUnlessShared() },
    async () => {
      const inline = createSchemaValidator();
      const threaded = createThreadedSchemaValidator();
      try {
        const files = listFiles(`${SAMPLES_DIR}/voevent`, ['.xml']);
        assert.ok(files.length > 10);
        for (const file of files) {
          const bytes = readFileSync(file);
          assert.deepEqual(await threaded.validate(bytes), inline.validateSync(bytes), file);
        }
      } finally {
        await threaded.close();
        await inline.close();
      }
    },
  );

  it('fails with SCHEMA_UNAVAILABLE once closed', async () => {
    const threaded = createThreadedSchemaValidator();
    await threaded.close();
    await assert.rejects(threaded.validate(makeVoEvent('ivo://test.coincide/v#9')), {
      code: 'SCHEMA_UNAVAILABLE',
    });
  });
});

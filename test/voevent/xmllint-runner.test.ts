import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { runSchemaBatch } from '../../src/voevent/schema-validator.ts';
import { createXmllintRunner } from '../../src/voevent/xmllint-runner.ts';

const SCHEMA = {
  fileName: 'count.xsd',
  contents: `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
    <xs:element name="count" type="xs:nonNegativeInteger"/>
  </xs:schema>`,
};

describe('the xmllint runner', () => {
  test('runs xmllint repeatedly in one worker, each run with its own files', async () => {
    const runner = createXmllintRunner([SCHEMA]);
    try {
      for (let i = 0; i < 3; i++) {
        const verdicts = await runSchemaBatch(runner, 'count.xsd', [
          `<count>${i}</count>`,
          '<count>-1</count>',
        ]);
        assert.equal(verdicts[0]?.valid, true);
        const second = verdicts[1];
        assert.ok(second !== undefined);
        assert.equal(second.valid, false);
        assert.match(second.errors.join(' '), /^line 1: .*'-1'/);
      }
      const direct = await runner.run(
        [{ fileName: 'a.xml', contents: '<count>7</count>' }],
        ['--noout', '--schema', 'count.xsd', 'a.xml'],
      );
      assert.equal(direct.exitCode, 0);
      assert.match(direct.stderr, /a\.xml validates/);
    } finally {
      await runner.close();
    }
  });

  test('replaces a worker that died, failing only the runs in flight', async () => {
    const runner = createXmllintRunner([SCHEMA]);
    try {
      assert.equal((await runSchemaBatch(runner, 'count.xsd', ['<count>1</count>']))[0]?.valid, true);
      // A large batch, so that the run is still in flight when the worker is killed.
      const batch = Array.from({ length: 2000 }, (_, i) => `<count>${i}</count>`);
      const inFlight = runSchemaBatch(runner, 'count.xsd', batch);
      await runner.crashWorkerForTest();
      await assert.rejects(inFlight, (error: unknown) => {
        assert.ok(error instanceof CoincideError);
        assert.equal(error.code, 'SCHEMA_UNAVAILABLE');
        assert.equal(error.retriable, true);
        return true;
      });
      assert.equal((await runSchemaBatch(runner, 'count.xsd', ['<count>3</count>']))[0]?.valid, true);
    } finally {
      await runner.close();
    }
  });

  test('refuses to run once closed', async () => {
    const runner = createXmllintRunner([SCHEMA]);
    await runner.close();
    await assert.rejects(runner.run([], ['--version']), (error: unknown) => {
      assert.ok(error instanceof CoincideError);
      assert.equal(error.code, 'SCHEMA_UNAVAILABLE');
      assert.equal(error.retriable, false);
      return true;
    });
  });
});

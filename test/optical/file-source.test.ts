import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { expandAlertPaths, readAlertFiles, type AlertFileFailure } from '../../src/optical/file-source.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

describe('optical file source', { skip: skipUnlessShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-optical-files-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads folders recursively in sorted order and reports bad files without stopping', async () => {
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'empty.avro'), '');
    writeFileSync(join(dir, 'garbage.avro'), 'not avro at all');
    const failures: AlertFileFailure[] = [];
    const seen: string[] = [];
    for await (const { alert } of readAlertFiles(
      [
        samplePath('ztf-avro/fink'),
        dir,
        join(dir, 'missing.avro'),
        samplePath('lsst-avro/v9_0/fakeAlert.avro'),
      ],
      { decoder: new OpticalAlertDecoder(), onFailure: (f) => failures.push(f) },
    )) {
      seen.push(alert.alertId);
    }
    assert.deepEqual(seen, [
      '1788116342915015046',
      '1788115871115010062',
      '1788110916115010009',
      '1048092120315015012',
      '1048092123615010007',
      '281323062375219200',
    ]);
    assert.deepEqual(
      failures.map((f) => [f.path, f.error.code]),
      [
        [join(dir, 'missing.avro'), 'NOT_FOUND'],
        [join(dir, 'garbage.avro'), 'AVRO_MALFORMED'],
        [join(dir, 'nested', 'empty.avro'), 'INPUT_EMPTY'],
      ],
    );
  });

  it('lists only .avro files of a folder', () => {
    const { files } = expandAlertPaths([samplePath('ztf-avro/fink')]);
    assert.equal(files.length, 3);
    assert.ok(files.every((f) => f.endsWith('.avro')));
  });
});

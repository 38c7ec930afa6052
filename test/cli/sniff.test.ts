/**
 * `coincide parse` and `coincide validate` on a folder read extension-less files, as
 * `coincide subscribe --save-dir` writes them, by their content.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasNoExtension, sniffBytes } from '../../src/cli/sniff.ts';
import { saveEventFileName } from '../../src/cli/subscribe.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const GBM_XML = join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml');

describe('extension-less files in folders', () => {
  it('sniffs XML, JSON and Avro and tells extension-less names', () => {
    assert.equal(sniffBytes(Buffer.from('\uFEFF  <?xml version="1.0"?>')), 'xml');
    assert.equal(sniffBytes(Buffer.from('\n{"a":1}')), 'json');
    assert.equal(sniffBytes(Buffer.from('Obj\x01rest', 'latin1')), 'avro');
    assert.equal(sniffBytes(Buffer.from('hello')), undefined);
    assert.equal(
      hasNoExtension('/x/ivo__nasa.gsfc.gcn_FermiGBM_2017-08-17T12:41:06.18_524666471_57-001'),
      true,
    );
    assert.equal(hasNoExtension('/x/ivo___nasa_gsfc_gcn_Fermi_524666471'), true);
    assert.equal(hasNoExtension('/x/event.xml'), false);
  });

  it('coincide parse and validate read them from a folder, and skip other extension-less files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-sniff-'));
    try {
      // The name `coincide subscribe --save-dir` gives this event.
      const saved = saveEventFileName(
        'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2017-08-17T12:41:06.18_524666471_57-001',
        () => false,
      );
      copyFileSync(GBM_XML, join(dir, saved));
      writeFileSync(join(dir, 'NOTES'), 'not an event\n');
      const parse = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'parse', dir], { encoding: 'utf8' });
      assert.equal(parse.status, 0, parse.stderr);
      const lines = parse.stdout.trim().split('\n');
      assert.equal(lines.length, 1);
      assert.equal((JSON.parse(lines[0] ?? '{}') as { triggerId: string }).triggerId, 'Fermi:524666471');
      const validate = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'validate', dir], { encoding: 'utf8' });
      assert.equal(validate.status, 0, validate.stdout + validate.stderr);
      assert.ok(validate.stdout.includes(saved), validate.stdout);
      assert.doesNotMatch(validate.stdout, /NOTES/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-replay-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function coincide(args: string[]) {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/coincide.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('coincide replay', { skip: skipUnlessShared() }, () => {
  test('prints JSON lines to stdout, the same lines with --out FILE, and a summary on stderr', () => {
    const inputs = [samplePath('voevent/gw/G298048-1-Initial.xml'), samplePath('voevent/grb')];
    const stdout = coincide(['replay', ...inputs]);
    assert.equal(stdout.status, 0, stdout.stderr);
    const lines = stdout.stdout.trim().split('\n');
    assert.ok(lines.length >= 1);
    for (const line of lines) assert.equal((JSON.parse(line) as { kind: string }).kind, 'coincidence');
    assert.match(stdout.stderr, /coincide replay: \d+ documents, \d+ notices, 0 alerts, \d+ coincidences/);
    const out = join(dir, 'out.jsonl');
    const toFile = coincide(['replay', '--out', out, '--progress', ...inputs]);
    assert.equal(toFile.status, 0, toFile.stderr);
    assert.equal(toFile.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), stdout.stdout);
    assert.match(toFile.stderr, /\[#+\] 100% \d+\/\d+ records/);
  });

  test('a missing path exits 2 with one line on stderr naming it', () => {
    const result = coincide(['replay', join(dir, 'nope.xml')]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /nope\.xml: no such file or folder/);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-replay-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function coincide(args: string[], nodeFlags: string[] = []) {
  return spawnSync(process.execPath, [...nodeFlags, join(PROJECT_ROOT, 'bin/coincide.js'), ...args], {
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

  test('run with the node flags of its shebang, a replay starts its decode threads and writes what it writes without them', () => {
    // bin/coincide.js's own V8 flag, which Node refuses in a Worker's execArgv list when given one.
    const flags = ['--initial-old-space-size=128'];
    const avro = readdirSync(samplePath('ztf-avro')).filter((name) => name.endsWith('.avro'));
    const inputs = [
      ...avro.map((name) => samplePath(`ztf-avro/${name}`)),
      samplePath('gcn-json/igwn/initial.txt'),
    ];
    const threaded = coincide(['replay', '--threads', '1', ...inputs], flags);
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.doesNotMatch(threaded.stderr, /warning/);
    const alone = coincide(['replay', '--threads', '0', ...inputs], flags);
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal(threaded.stdout, alone.stdout);
    assert.match(threaded.stderr, /coincide replay: \d+ documents, 1 notices, [1-9]\d* alerts/);
  });

  test('a missing path exits 2 with one line on stderr naming it', () => {
    const result = coincide(['replay', join(dir, 'nope.xml')]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /nope\.xml: no such file or folder/);
  });
});

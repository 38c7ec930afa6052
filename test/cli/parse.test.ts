import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Notice } from '../../src/notices/notice.ts';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'notices');

function runParse(args: string[]): { code: number | null; stdout: string; stderrLines: string[] } {
  const result = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'parse', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const stderrLines = result.stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('npm warn'));
  return { code: result.status, stdout: result.stdout, stderrLines };
}

function notices(stdout: string): Notice[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Notice);
}

describe('coincide parse', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'coincide-parse-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one Notice per line for VOEvent and JSON files and exits 0', () => {
    const { code, stdout, stderrLines } = runParse([
      join(FIXTURES, 'gbm-flt-pos.xml'),
      join(FIXTURES, 'lvk-preliminary.json'),
    ]);
    assert.equal(code, 0);
    assert.deepEqual(stderrLines, []);
    const out = notices(stdout);
    assert.deepEqual(
      out.map((n) => n.triggerId),
      ['Fermi:725857450', 'LVK:S240102x'],
    );
    assert.equal(out[0]!.region.type, 'circle');
  });

  it('gives exit code 2 and exactly one line per bad file, naming it, while still printing the good ones', () => {
    const binary = join(dir, 'binary.xml');
    writeFileSync(
      binary,
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]),
    );
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const bad = [
      'truncated.xml',
      'not-xml.txt',
      'billion-laughs.xml',
      'wrong-namespace.xml',
      'missing-wherewhen.xml',
      'nan-coordinates.xml',
      'out-of-range-dec.xml',
      'empty.xml',
      'truncated.json',
    ].map((name) => join(FIXTURES, name));
    const missing = join(dir, 'does-not-exist.xml');
    const good = join(FIXTURES, 'gbm-flt-pos.xml');
    const { code, stdout, stderrLines } = runParse([...bad, good, binary, empty, missing]);
    assert.equal(code, 2);
    assert.equal(notices(stdout).length, 1, 'the good file is still printed');
    const expected = [...bad, binary, empty, missing];
    assert.equal(stderrLines.length, expected.length, stderrLines.join('\n'));
    expected.forEach((file, i) => {
      assert.ok(stderrLines[i]!.startsWith(`coincide parse: ${file}: `), stderrLines[i]);
    });
    assert.ok(
      stderrLines.every((l) => !/^\s+at /.test(l)),
      'no stack trace',
    );
    const codes = stderrLines.map((l) => /: ([A-Z_]+): /.exec(l)?.[1] ?? 'no code');
    assert.deepEqual(codes.slice(0, 9), [
      'XML_MALFORMED',
      'NOTICE_UNKNOWN_FORMAT',
      'XML_DTD_FORBIDDEN',
      'VOEVENT_BAD_NAMESPACE',
      'NOTICE_BAD_VALUE',
      'VOEVENT_BAD_VALUE',
      'VOEVENT_BAD_VALUE',
      'INPUT_EMPTY',
      'JSON_MALFORMED',
    ]);
    assert.deepEqual(codes.slice(9, 11), ['INPUT_BINARY', 'INPUT_EMPTY']);
    assert.match(stderrLines[11]!, /no such file or directory/);
  });

  it('walks directories recursively, in sorted order, taking .xml, .json, .txt and .avro files', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'b'), { recursive: true });
    mkdirSync(join(tree, 'a'), { recursive: true });
    copyFileSync(join(FIXTURES, 'km3net-alert.xml'), join(tree, 'b', 'km3net.xml'));
    copyFileSync(join(FIXTURES, 'lvk-preliminary.json'), join(tree, 'a', 'lvk.txt'));
    copyFileSync(join(FIXTURES, 'gbm-flt-pos.xml'), join(tree, 'z.xml'));
    writeFileSync(join(tree, 'a', 'ignored.bin'), Buffer.from([0x4f, 0x62, 0x6a, 0x01, 0x00]));
    const { code, stdout, stderrLines } = runParse([tree]);
    assert.equal(code, 0, stderrLines.join('\n'));
    assert.deepEqual(
      notices(stdout).map((n) => n.triggerId),
      ['LVK:S240102x', 'KM3NeT:1', 'Fermi:725857450'],
    );
  });

  it(
    'parses the real S230518h sample chain in VOEvent and JSON to one trigger id',
    { skip: skipUnlessShared() },
    () => {
      const { code, stdout } = runParse([
        samplePath('voevent/gw/LVC_real_preliminary.xml'),
        samplePath('voevent/gw/LVC_real_initial.xml'),
        samplePath('gcn-json/igwn/initial.txt'),
      ]);
      assert.equal(code, 0);
      const out = notices(stdout);
      assert.deepEqual(new Set(out.map((n) => n.triggerId)), new Set(['LVK:S230518h']));
      assert.deepEqual(
        out.map((n) => n.alertType),
        ['preliminary', 'initial', 'initial'],
      );
    },
  );
});

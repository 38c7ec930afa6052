import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = 'fixtures/voevent';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI, `node bin/coincide.js validate ...args`, from the project root. */
function runValidate(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'validate', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

/** Each malformed input and the code its one stderr line must give. */
const BAD_INPUTS: Array<[string, string]> = [
  ['truncated.xml', 'XML_MALFORMED'],
  ['not-xml.xml', 'XML_MALFORMED'],
  ['billion-laughs.xml', 'XML_DTD_FORBIDDEN'],
  ['external-entity.xml', 'XML_DTD_FORBIDDEN'],
  ['deep.xml', 'XML_TOO_DEEP'],
  ['wrong-namespace.xml', 'SCHEMA_INVALID'],
  ['missing-wherewhen.xml', 'VOEVENT_MISSING_FIELD'],
  ['nan-coordinate.xml', 'VOEVENT_BAD_VALUE'],
  ['ra-out-of-range.xml', 'VOEVENT_BAD_VALUE'],
  ['dec-out-of-range.xml', 'VOEVENT_BAD_VALUE'],
  ['bad-isotime.xml', 'VOEVENT_BAD_VALUE'],
  ['bad-role.xml', 'SCHEMA_INVALID'],
  ['missing-ivorn.xml', 'SCHEMA_INVALID'],
  ['empty.xml', 'INPUT_EMPTY'],
  ['binary.xml', 'INPUT_BINARY'],
];

describe('coincide validate', () => {
  test('prints one "valid (kind)" line per good file and exits 0', async () => {
    const result = await runValidate(`${FIXTURES}/minimal-2.0.xml`, `${FIXTURES}/transport-ack.xml`);
    assert.equal(result.stderr, '');
    assert.deepEqual(lines(result.stdout), [
      `${FIXTURES}/minimal-2.0.xml: valid (voevent-2.0)`,
      `${FIXTURES}/transport-ack.xml: valid (transport)`,
    ]);
    assert.equal(result.code, 0);
  });

  test('gives one stderr line per bad file, naming it and the problem, still checks the good ones, and exits 2', async () => {
    const files = [...BAD_INPUTS.map(([name]) => `${FIXTURES}/${name}`), `${FIXTURES}/no-such-file.xml`];
    const result = await runValidate(`${FIXTURES}/minimal-2.0.xml`, ...files);
    assert.equal(result.code, 2);
    assert.deepEqual(lines(result.stdout), [`${FIXTURES}/minimal-2.0.xml: valid (voevent-2.0)`]);
    const errors = lines(result.stderr);
    assert.equal(errors.length, files.length, result.stderr);
    BAD_INPUTS.forEach(([name, code], i) => {
      assert.ok(errors[i]?.startsWith(`coincide validate: ${FIXTURES}/${name}: invalid (`), errors[i]);
      assert.ok(errors[i]?.includes(`: ${code}: `), `${name}: ${errors[i] ?? ''}`);
    });
    assert.equal(
      errors.at(-1),
      `coincide validate: ${FIXTURES}/no-such-file.xml: unreadable: no such file or directory`,
    );
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  });

  test('exits 2 with exactly one line for each malformed input of issue 2 given alone', async () => {
    const issueCases = new Set([
      'truncated.xml',
      'not-xml.xml',
      'billion-laughs.xml',
      'external-entity.xml',
      'wrong-namespace.xml',
      'missing-wherewhen.xml',
      'nan-coordinate.xml',
      'ra-out-of-range.xml',
      'empty.xml',
      'binary.xml',
    ]);
    const cases = BAD_INPUTS.filter(([name]) => issueCases.has(name));
    assert.equal(cases.length, issueCases.size);
    // Two CLI processes at a time: the machine has two cores.
    for (let i = 0; i < cases.length; i += 2) {
      const pair = cases.slice(i, i + 2);
      const results = await Promise.all(pair.map(([name]) => runValidate(`${FIXTURES}/${name}`)));
      pair.forEach(([name, code], k) => {
        const result = results[k];
        assert.ok(result !== undefined);
        assert.equal(result.code, 2, name);
        assert.equal(result.stdout, '', name);
        const errors = lines(result.stderr);
        assert.equal(errors.length, 1, `${name}: ${result.stderr}`);
        assert.match(
          errors[0] ?? '',
          new RegExp(`^coincide validate: ${FIXTURES}/${name}: invalid \\(.*\\): ${code}: `),
        );
      });
    }
  });

  test('with --schema-only, accepts what the XML Schema accepts (no WhereWhen, NaN) but not bad XML', async () => {
    const ok = await runValidate(
      '--schema-only',
      `${FIXTURES}/missing-wherewhen.xml`,
      `${FIXTURES}/nan-coordinate.xml`,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(lines(ok.stdout).length, 2);
    const bad = await runValidate('--schema-only', `${FIXTURES}/billion-laughs.xml`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /XML_DTD_FORBIDDEN/);
  });

  test('walks a directory of real samples', { skip: skipUnlessShared() }, async () => {
    const result = await runValidate(samplePath('voevent/gw'));
    assert.equal(result.code, 0, result.stderr);
    const verdicts = lines(result.stdout);
    assert.ok(verdicts.length >= 30);
    assert.ok(verdicts.every((line) => line.endsWith(': valid (voevent-2.0)')));
  });
});

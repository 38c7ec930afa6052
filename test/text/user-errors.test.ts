/**
 * Parse errors of user files in the user's terms: the line and column (1-based) of the problem,
 * and none of the parsers' internals (fast-xml-parser's tag stack as JSON, xmldom's "Reporting
 * fatalError", V8's "in JSON at position N" or a copy of the text).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { CoincideError } from '../../src/errors.ts';
import { describeJsonError } from '../../src/text/json-error.ts';
import { lineColumnAt } from '../../src/text/line-column.ts';
import { guardXml } from '../../src/voevent/secure-xml.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-user-errors-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return describeJsonError(error, text);
  }
  throw new Error('parsed');
}

function xmlError(text: string): CoincideError {
  try {
    guardXml(text);
  } catch (error) {
    assert.ok(error instanceof CoincideError);
    return error;
  }
  throw new Error('well-formed');
}

describe('user file errors', () => {
  it('line and column of an offset', () => {
    assert.equal(lineColumnAt('ab\ncd', 0), 'line 1, column 1');
    assert.equal(lineColumnAt('ab\ncd', 4), 'line 2, column 2');
    assert.equal(lineColumnAt('ab\n', 3), 'line 2, column 1');
  });

  it('JSON: where, in words, without the text', () => {
    assert.equal(jsonError('{"a": 1,\n "b": }'), 'line 2, column 7: a value was expected');
    assert.equal(jsonError('{\n  "a": 1\n  "b": 2\n}'), 'line 3, column 3: "," was expected');
    assert.equal(jsonError('{"a": "x'), 'line 1, column 7: unterminated string');
    assert.equal(jsonError('{"a":1,}'), 'line 1, column 8: a property name (in double quotes) was expected');
    assert.equal(jsonError(''), 'line 1, column 1: a value was expected');
  });

  it('XML: elements left open, undeclared entity, second root, not XML at all', () => {
    const open = xmlError('<a>\n <b>\n  <c>text\n');
    assert.equal(open.code, 'XML_MALFORMED');
    assert.equal(
      open.message,
      'not well-formed XML at line 3, column 10: the document ends with elements still open (<a>, <b>, <c>)',
    );
    assert.match(
      xmlError('<a>\n <b>&bogus;</b>\n</a>').message,
      /^not well-formed XML at line 2, column 5: /,
    );
    assert.match(xmlError('<a/>\n<c/>').message, /at line 2, column 1: a second root element <c>/);
    assert.match(xmlError('{"a": 1}').message, /^not XML: the document starts with "\{" at line 1, column 1/);
    assert.match(xmlError('<a>\n <b>\n </a>').message, /at line 3, column 2: /);
  });

  it('VTP payloads: no xmldom wrapper in the reason', () => {
    assert.throws(
      () => parsePayload(Buffer.from('<a><b></a>')),
      (error: unknown) =>
        error instanceof CoincideError &&
        error.code === 'XML_MALFORMED' &&
        !/Reporting|caused Error/.test(error.message),
    );
  });

  it('a configuration file: the line and column', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{\n  "localIvo": "ivo://x/y",\n  "log": { "level": "debug", }\n}\n');
    assert.throws(
      () => loadConfig({ env: {}, flags: { config: path } }),
      (error: unknown) =>
        error instanceof CoincideError &&
        error.code === 'CONFIG_INVALID' &&
        error.message ===
          `${path} is not valid JSON at line 3, column 30: a property name (in double quotes) was expected`,
    );
  });

  it('coincide send: one line with a code, exit 2, nothing internal', () => {
    const cases: Array<[string, RegExp]> = [
      [
        '<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://x/y#z" role="observation">\n<Who>',
        /XML_MALFORMED: not well-formed XML at line 2, column 6: the document ends with elements still open/,
      ],
      [
        '<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" role="ack"/>',
        /VOEVENT_NOT_VOEVENT: the root element is a VTP Transport message, not a VOEvent/,
      ],
      ['<a x=1/>', /XML_MALFORMED: not well-formed XML at line 1, column 4: /],
      ['{"a": 1}', /XML_MALFORMED: not XML/],
    ];
    for (const [i, [text, expected]] of cases.entries()) {
      const file = join(dir, `send-${i}.xml`);
      writeFileSync(file, text);
      const run = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'send', file, '--to', '127.0.0.1:9'], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 2);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0] ?? '', expected);
      assert.doesNotMatch(run.stderr, /Reporting|caused Error|root role|\[\s*"/);
    }
  });
});

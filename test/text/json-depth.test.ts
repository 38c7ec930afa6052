import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractEmbeddedSkymap } from '../../src/notices/embedded-skymap.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { checkJsonDepth, DEFAULT_MAX_JSON_DEPTH } from '../../src/text/json-depth.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON nesting checked before any parse', () => {
  it('accepts nesting up to the limit and refuses one level more with JSON_TOO_DEEP', () => {
    checkJsonDepth(bytes(nested(DEFAULT_MAX_JSON_DEPTH)));
    assert.throws(
      () => {
        checkJsonDepth(bytes(nested(DEFAULT_MAX_JSON_DEPTH + 1)));
      },
      { code: 'JSON_TOO_DEEP' },
    );
    assert.throws(
      () => {
        checkJsonDepth(bytes(`{"a":${'{"b":'.repeat(4)}1}}}}}`), 4);
      },
      {
        code: 'JSON_TOO_DEEP',
      },
    );
    checkJsonDepth(bytes(`{"a":${'{"b":'.repeat(3)}1}}}}`), 4);
  });

  it('does not count brackets inside strings, escaped quotes included, nor multi-byte UTF-8', () => {
    checkJsonDepth(bytes(`{"s": "${'['.repeat(200)}\\"${'{'.repeat(200)}", "é€😀": ["[{"]}`), 3);
    assert.throws(
      () => {
        checkJsonDepth(bytes(`{"s": "\\\\", "t": [[[1]]]}`), 3);
      },
      { code: 'JSON_TOO_DEEP' },
    );
  });

  it('refuses a deeply nested notice with JSON_TOO_DEEP (was a RangeError or ~0.3 s per MB), unclosed too', () => {
    for (const text of [
      nested(400_000),
      '['.repeat(800_000),
      '{"a":'.repeat(300_000),
      `{"x":${'[{"a":'.repeat(100_000)}1${'}]'.repeat(100_000)}}`,
    ]) {
      assert.throws(() => parseNoticeDocument(text), { code: 'JSON_TOO_DEEP' });
      assert.throws(() => extractEmbeddedSkymap(text), { code: 'JSON_TOO_DEEP' });
    }
  });

  it('leaves real notices alone: an LVK alert parses; shallow JSON that is no notice is refused for that', () => {
    const lvk = readFileSync(join(PROJECT_ROOT, 'fixtures', 'notices', 'lvk-preliminary.json'));
    checkJsonDepth(lvk);
    assert.equal(parseNoticeDocument(lvk).messenger, 'gw');
    assert.throws(() => parseNoticeDocument('{"a": [[[1]]]}'), { code: 'NOTICE_UNSUPPORTED' });
  });
});

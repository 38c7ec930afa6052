import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CoincideError } from '../../src/errors.ts';
import { parseVoEvent } from '../../src/voevent/parse.ts';
import { guardXml } from '../../src/voevent/secure-xml.ts';

const MINIMAL = readFileSync(new URL('../../fixtures/voevent/minimal-2.0.xml', import.meta.url));

/** Runs parseVoEvent and returns the error code, or 'ok'; anything but a CoincideError fails. */
function outcome(input: Uint8Array | string): string {
  try {
    parseVoEvent(input);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof CoincideError, `not a CoincideError: ${String(error)}`);
    return error.code;
  }
}

describe('parseVoEvent on damaged input', () => {
  test('refuses every truncation of a document with a coded error', () => {
    const text = MINIMAL.toString('utf8');
    const rootEnd = text.lastIndexOf('</voe:VOEvent>') + '</voe:VOEvent>'.length;
    for (let length = 0; length < rootEnd; length++) {
      const code = outcome(text.slice(0, length));
      assert.ok(code === 'XML_MALFORMED' || code === 'INPUT_EMPTY', `length ${length}: ${code}`);
    }
    assert.equal(outcome(text.slice(0, rootEnd)), 'ok');
    assert.doesNotThrow(() => guardXml(text.slice(0, rootEnd)));
  });

  test('never throws anything but a CoincideError when bytes are changed at random', () => {
    const bytes = fc.array(fc.tuple(fc.nat(MINIMAL.length - 1), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(bytes, (changes) => {
        const copy = Uint8Array.from(MINIMAL);
        for (const [offset, value] of changes) copy[offset] = value;
        outcome(copy);
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  test('never throws anything but a CoincideError when markup characters are inserted at random', () => {
    const text = MINIMAL.toString('utf8');
    const insertion = fc.tuple(
      fc.nat(text.length),
      fc.constantFrom('<', '>', '&', '"', "'", '</a>', '<!--', ']]>', '<x:y/>'),
    );
    fc.assert(
      fc.property(fc.array(insertion, { minLength: 1, maxLength: 4 }), (inserts) => {
        let damaged = text;
        for (const [offset, piece] of inserts)
          damaged = damaged.slice(0, offset) + piece + damaged.slice(offset);
        outcome(damaged);
      }),
      { seed: 7, numRuns: 400 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoincideError, describeError, ERROR_CODES } from '../src/errors.ts';

describe('CoincideError', () => {
  it('carries a stable code, a cause and the retriable flag', () => {
    const cause = new Error('socket closed');
    const error = new CoincideError('VTP_CONNECTION', 'peer went away', { cause, retriable: true });
    assert.equal(error.code, 'VTP_CONNECTION');
    assert.equal(error.cause, cause);
    assert.equal(error.retriable, true);
    assert.ok(error.code in ERROR_CODES);
  });

  it('describes itself on one line with its code', () => {
    assert.equal(
      describeError(new CoincideError('INPUT_EMPTY', 'file is empty')),
      'INPUT_EMPTY: file is empty',
    );
    assert.equal(describeError(new Error('first\nsecond')), 'first');
  });
});

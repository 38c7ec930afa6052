/**
 * flattenParams: a JSON notice's fields as params, nested ones by path and, where the name is
 * free, by their bare name; keys named like Object.prototype members ("__proto__", "toString",
 * which JSON.parse makes own keys) are params like any other.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flattenParams, type JsonObject } from '../../../src/notices/gcn-json/json-values.ts';

describe('flattenParams', () => {
  test('paths for nested fields, bare names where free', () => {
    const params = flattenParams(JSON.parse('{"a": 1, "x": {"a": 2, "b": [1, 2], "c": null}}') as JsonObject);
    assert.deepEqual(Object.entries(params), [
      ['a', 1],
      ['x.a', 2],
      ['x.b', '[1,2]'],
      ['x.c', null],
      ['b', '[1,2]'],
      ['c', null],
    ]);
  });

  test('keys named like Object.prototype members are own params', () => {
    const params = flattenParams(
      JSON.parse('{"__proto__": null, "toString": "t", "n": {"constructor": 3}}') as JsonObject,
    );
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
    assert.deepEqual(Object.entries(params), [
      ['__proto__', null],
      ['toString', 't'],
      ['n.constructor', 3],
      ['constructor', 3],
    ]);
  });
});

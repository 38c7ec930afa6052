import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileXPathFilter, compileXPathFilters, passesFilters } from '../../src/vtp/xpath-filter.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { makeVoEvent } from './helpers.ts';

const observation = parsePayload(makeVoEvent('ivo://test.coincide/f#1', { lat: 700 })).document;
const testEvent = parsePayload(makeVoEvent('ivo://test.coincide/f#2', { role: 'test', lat: 500 })).document;

describe('XPath filters (Comet semantics)', () => {
  it('selects on the namespaced root with local-name() and @role', () => {
    const notTest = compileXPathFilter('/*[local-name()="VOEvent" and @role!="test"]');
    assert.equal(notTest.matches(observation), true);
    assert.equal(notTest.matches(testEvent), false);
    const onlyTest = compileXPathFilter('/*[local-name()="VOEvent" and @role="test"]');
    assert.equal(onlyTest.matches(testEvent), true);
  });

  it('compares Param values numerically and matches unqualified children', () => {
    const high = compileXPathFilter('//Param[@name="SC_Lat" and @value>600]');
    assert.equal(high.matches(observation), true);
    assert.equal(high.matches(testEvent), false);
    assert.equal(
      compileXPathFilter('//Who[AuthorIVORN="ivo://test.coincide/author"]').matches(observation),
      true,
    );
  });

  it('treats numbers, strings and booleans by XPath truthiness, relative paths from the root', () => {
    assert.equal(compileXPathFilter('count(//Param)').matches(observation), true);
    assert.equal(compileXPathFilter('count(//Nothing)').matches(observation), false);
    assert.equal(compileXPathFilter('string(@ivorn)').matches(observation), true);
    assert.equal(compileXPathFilter('contains(@ivorn, "#2")').matches(testEvent), true);
    assert.equal(compileXPathFilter('What/Param').matches(observation), true);
  });

  it('treats an unbound prefix as no match, and skips expressions that do not compile', () => {
    assert.equal(compileXPathFilter('/voe:VOEvent').matches(observation), false);
    const { filters, invalid } = compileXPathFilters(['//Who', 'Not a valid XPath expression', '//What[']);
    assert.equal(filters.length, 1);
    assert.deepEqual(invalid, ['Not a valid XPath expression', '//What[']);
  });

  it('passes an event when there are no filters or at least one matches', () => {
    assert.equal(passesFilters([], testEvent), true);
    const filters = [
      compileXPathFilter('/*[@role="observation"]'),
      compileXPathFilter('//Param[@value<600]'),
    ];
    assert.equal(passesFilters(filters, testEvent), true);
    assert.equal(passesFilters([compileXPathFilter('/*[@role="observation"]')], testEvent), false);
  });
});

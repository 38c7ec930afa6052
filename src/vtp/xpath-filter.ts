/**
 * Comet's per-subscriber XPath filters (comet/protocol/broadcaster.py, docs/filtering.rst).
 *
 * A subscriber sends its filters in its authenticate reply (Meta/Param[@name="xpath-filter"]/@value,
 * or the legacy Meta/filter[@type="xpath"] text). Each is compiled once; one that does not compile
 * is skipped (logged) and the connection kept. An event is sent when the subscriber has NO filters
 * or AT LEAST ONE matches. A filter matches when its XPath 1.0 boolean() value is true: a non-empty
 * node-set, a non-zero number, a non-empty string, or true - the truthiness lxml gives Comet.
 * An evaluation error is "no match".
 *
 * Supported language: full XPath 1.0 (the `xpath` package), evaluated with the event's root element
 * as context node and no namespace prefixes bound, exactly as Comet's `root.xpath(expr)`; so real
 * filters work unchanged:
 *   /*[local-name()="VOEvent" and @role!="test"]       (namespaced root: use local-name())
 *   //Param[@name="SC_Lat" and @value<600]              (children are unqualified)
 *   //Who[AuthorIVORN="ivo://lofar.transients/"]
 *   count(//Param) > 3, contains(@ivorn, "SWIFT"), starts-with(...), not(...)
 * A prefixed name test (voe:VOEvent) has no binding and fails to evaluate (no match), as in lxml.
 */
import type { Document } from '@xmldom/xmldom';
import xpath from 'xpath';

interface CompiledExpression {
  evaluateBoolean(options: { node: unknown; namespaces?: unknown }): boolean;
}

/** lxml binds no prefixes for Comet's root.xpath(expr): an unbound prefix is an evaluation error. */
// The `xpath` package falls back to the document's in-scope prefixes; mapping every prefix to a
// namespace no document uses makes a prefixed name test select nothing (no match), as in Comet.
const NO_PREFIXES = (prefix: string): string =>
  prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : `urn:coincide:unbound-prefix:${prefix}`;

const xpathModule = xpath as unknown as { parse(expression: string): CompiledExpression };
const parseXPath = (expression: string): CompiledExpression => xpathModule.parse(expression);

export interface XPathFilter {
  readonly expression: string;
  matches(document: Document): boolean;
}

/** Compiles one expression; throws (CONFIG_INVALID semantics are the caller's) when it is not XPath 1.0. */
export function compileXPathFilter(expression: string): XPathFilter {
  if (expression.trim() === '') throw new Error('empty XPath expression');
  const compiled = parseXPath(expression);
  return {
    expression,
    matches(document: Document): boolean {
      const root = document.documentElement;
      if (!root) return false;
      try {
        return compiled.evaluateBoolean({ node: root, namespaces: NO_PREFIXES });
      } catch {
        return false;
      }
    },
  };
}

/** Compiles what it can; returns the filters and the expressions that were refused. */
export function compileXPathFilters(expressions: readonly string[]): {
  filters: XPathFilter[];
  invalid: string[];
} {
  const filters: XPathFilter[] = [];
  const invalid: string[] = [];
  for (const expression of expressions) {
    try {
      filters.push(compileXPathFilter(expression));
    } catch {
      invalid.push(expression);
    }
  }
  return { filters, invalid };
}

/** Comet's rule: no filters, or at least one match. */
export function passesFilters(filters: readonly XPathFilter[], document: Document): boolean {
  return filters.length === 0 || filters.some((f) => f.matches(document));
}

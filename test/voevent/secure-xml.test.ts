import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { DEFAULT_MAX_BYTES, guardXml, peekXmlRoot } from '../../src/voevent/secure-xml.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/voevent/${name}`, import.meta.url));

function rejectsWith(code: string, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CoincideError, `expected a CoincideError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('the XML guard', () => {
  test('accepts a well-formed document and reports its root name, namespace and attributes', () => {
    const { root } = guardXml(fixture('minimal-2.0.xml'));
    assert.equal(root.name, 'voe:VOEvent');
    assert.equal(root.localName, 'VOEvent');
    assert.equal(root.namespace, 'http://www.ivoa.net/xml/VOEvent/v2.0');
    assert.equal(root.attributes.ivorn, 'ivo://coincide.test/fixtures#minimal-2.0');
    assert.equal(root.attributes.role, 'test');
  });

  test('resolves a default namespace and a root in no namespace', () => {
    assert.equal(guardXml('<VOEvent xmlns="urn:x" role="a"/>').root.namespace, 'urn:x');
    assert.equal(guardXml('<VOEvent role="a"/>').root.namespace, '');
  });

  test('refuses an empty or whitespace-only input with INPUT_EMPTY', () => {
    rejectsWith('INPUT_EMPTY', () => guardXml(''));
    rejectsWith('INPUT_EMPTY', () => guardXml(new Uint8Array(0)));
    rejectsWith('INPUT_EMPTY', () => guardXml(' \n\t '));
  });

  test('refuses an input over the size limit with INPUT_TOO_LARGE, for bytes and for text', () => {
    const big = `<a>${'x'.repeat(DEFAULT_MAX_BYTES)}</a>`;
    rejectsWith('INPUT_TOO_LARGE', () => guardXml(big));
    rejectsWith('INPUT_TOO_LARGE', () => guardXml(Buffer.from(big)));
    rejectsWith('INPUT_TOO_LARGE', () => guardXml('<a>0123456789</a>', { maxBytes: 10 }));
    // Multi-byte characters count as their UTF-8 bytes: 4 x 3 bytes > 10.
    rejectsWith('INPUT_TOO_LARGE', () => guardXml('<a>€€€€</a>', { maxBytes: 16 }));
  });

  test('refuses binary input (NUL bytes, control bytes, invalid UTF-8) with INPUT_BINARY', () => {
    rejectsWith('INPUT_BINARY', () => guardXml(fixture('binary.xml')));
    rejectsWith('INPUT_BINARY', () => guardXml('<a>\u0000</a>'));
    rejectsWith('INPUT_BINARY', () =>
      guardXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])),
    );
  });

  test('decodes a document declared ISO-8859-1 as Latin-1 and drops a UTF-8 byte-order mark', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a b="\u00e9"/>', 'latin1');
    assert.equal(guardXml(latin1).root.attributes.b, '\u00e9');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a/>')]);
    assert.equal(guardXml(withBom).text, '<a/>');
  });

  test('refuses a billion-laughs document with XML_DTD_FORBIDDEN before expanding anything', () => {
    rejectsWith('XML_DTD_FORBIDDEN', () => guardXml(fixture('billion-laughs.xml')));
  });

  test('refuses an external-entity document with XML_DTD_FORBIDDEN', () => {
    rejectsWith('XML_DTD_FORBIDDEN', () => guardXml(fixture('external-entity.xml')));
    rejectsWith('XML_DTD_FORBIDDEN', () => peekXmlRoot(fixture('external-entity.xml')));
  });

  test('refuses a quadratic-blowup document (one huge entity used many times) with XML_DTD_FORBIDDEN', () => {
    const entity = 'x'.repeat(50_000);
    const doc = `<!DOCTYPE a [<!ENTITY e "${entity}">]><a>${'&e;'.repeat(50_000)}</a>`;
    rejectsWith('XML_DTD_FORBIDDEN', () => guardXml(doc, { maxBytes: 1_000_000 }));
  });

  test('ignores "<!DOCTYPE" inside a comment or CDATA section', () => {
    assert.equal(guardXml('<a><!-- <!DOCTYPE x> --><![CDATA[<!ENTITY y "z">]]></a>').root.name, 'a');
  });

  test('refuses nesting deeper than the limit with XML_TOO_DEEP, and accepts it at the limit', () => {
    rejectsWith('XML_TOO_DEEP', () => guardXml(fixture('deep.xml')));
    const atLimit = '<a>'.repeat(64) + '</a>'.repeat(64);
    assert.equal(guardXml(atLimit).root.name, 'a');
    rejectsWith('XML_TOO_DEEP', () => guardXml('<a>'.repeat(65) + '</a>'.repeat(65)));
    rejectsWith('XML_TOO_DEEP', () => guardXml('<a><a><a></a></a></a>', { maxDepth: 2 }));
  });

  test('refuses a document with a hundred thousand nested elements with XML_TOO_DEEP', () => {
    const depth = 100_000;
    rejectsWith('XML_TOO_DEEP', () => guardXml('<a>'.repeat(depth) + '</a>'.repeat(depth)));
  });

  test('refuses truncated and non-XML text with XML_MALFORMED', () => {
    rejectsWith('XML_MALFORMED', () => guardXml(fixture('truncated.xml')));
    rejectsWith('XML_MALFORMED', () => guardXml(fixture('not-xml.xml')));
    rejectsWith('XML_MALFORMED', () => guardXml('{"json": true}'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a><b></a></b>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a><!-- never closed </a>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a/><b/>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a/>junk'));
    rejectsWith('XML_MALFORMED', () => guardXml('junk<a/>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a>x]]>y</a>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a><!-- x -- y --></a>'));
    rejectsWith('XML_MALFORMED', () => guardXml(' <?xml version="1.0"?><a/>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a b="1" b="2"/>'));
    assert.equal(
      guardXml('<?xml version="1.0"?>\n<!-- c -->\n<a><![CDATA[x]]]></a>\n<!-- d -->\n').root.name,
      'a',
    );
  });

  test('refuses an unbound namespace prefix on an element or attribute with XML_MALFORMED', () => {
    rejectsWith('XML_MALFORMED', () => guardXml('<voe:VOEvent ivorn="x"/>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<VOEvent xsi:schemaLocation="x"/>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a xmlns:p="urn:p"><p:b/></a><p:c/>'));
    assert.equal(guardXml('<a xml:lang="en" xmlns:p="urn:p"><p:b p:c="1"/></a>').root.name, 'a');
  });

  test('refuses a reference to an undeclared entity but accepts predefined and character references', () => {
    rejectsWith('XML_MALFORMED', () => guardXml('<a>&nbsp;</a>'));
    rejectsWith('XML_MALFORMED', () => guardXml('<a b="&foo;"/>'));
    assert.equal(guardXml('<a b="&lt;&#65;&#x42;&amp;">&gt;&quot;&apos;</a>').root.attributes.b, '<AB&');
  });

  test('refuses a character reference to a code point that is not an XML character with XML_MALFORMED (fuzz finding)', () => {
    // &#x110000; made String.fromCodePoint throw a RangeError (an uncoded crash) from the guard.
    for (const ref of [
      '&#x110000;',
      '&#1114112;',
      '&#99999999999;',
      '&#0;',
      '&#x1F;',
      '&#xD800;',
      '&#xFFFE;',
    ]) {
      rejectsWith('XML_MALFORMED', () => guardXml(`<a b="${ref}"/>`));
      rejectsWith('XML_MALFORMED', () => peekXmlRoot(`<a b="${ref}"/>`));
      rejectsWith('XML_MALFORMED', () => guardXml(`<a>${ref}</a>`));
    }
    assert.equal(guardXml('<a b="&#x10FFFF;&#9;&#xE000;"/>').root.attributes.b, '\u{10FFFF}\t\uE000');
  });
});

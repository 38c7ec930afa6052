import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { wellFormednessError } from '../../src/voevent/xml-parse.ts';
import { prescanXml } from '../../src/voevent/xml-prescan.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/voevent/${name}`, import.meta.url));
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

function rejectsWith(code: string, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CoincideError, `expected a CoincideError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** `depth` nested <a> elements inside a root. */
function nested(depth: number, leaf = ''): Buffer {
  return bytes(`<r role="x">${'<a>'.repeat(depth - 1)}${leaf}${'</a>'.repeat(depth - 1)}</r>`);
}

describe('the XML pre-scan', () => {
  test('reads the root name, namespace and attributes (entities decoded) without decoding the document', () => {
    const { root, tooDeep, encoding } = prescanXml(fixture('minimal-2.0.xml'));
    assert.equal(root.name, 'voe:VOEvent');
    assert.equal(root.localName, 'VOEvent');
    assert.equal(root.namespace, 'http://www.ivoa.net/xml/VOEvent/v2.0');
    assert.equal(root.attributes.ivorn, 'ivo://coincide.test/fixtures#minimal-2.0');
    assert.equal(root.attributes.role, 'test');
    assert.equal(tooDeep, false);
    assert.equal(encoding, 'utf-8');
    const escaped = prescanXml(bytes(`<V xmlns="urn:x" ivorn="ivo://a/b#c&amp;d&#233;" role='t'/>`));
    assert.deepEqual([escaped.root.namespace, escaped.root.attributes.ivorn], ['urn:x', 'ivo://a/b#c&dé']);
  });

  test('normalises attribute values as XML does, and refuses an unquoted one (fuzz cases 75763, 36477)', () => {
    const root = (xml: string) => prescanXml(Buffer.from(xml)).root;
    // A literal tab, line end or CR LF in a value is one space; a character reference is kept.
    assert.equal(root('<a xmlns="urn:x\ty" b="1\r\n2" c="3&#9;4"/>').namespace, 'urn:x y');
    assert.equal(root('<a xmlns="urn:x\ty" b="1\r\n2" c="3&#9;4"/>').attributes.b, '1 2');
    assert.equal(root('<a xmlns="urn:x\ty" b="1\r\n2" c="3&#9;4"/>').attributes.c, '3\t4');
    for (const xml of ['<a xmlns=&amp;>x</a>', '<a b="1"c="2" d>x</a>', '<a b="1" junk>x</a>'])
      assert.throws(
        () => prescanXml(Buffer.from(xml)),
        (e: unknown) => e instanceof CoincideError,
        xml,
      );
  });

  test('measures nesting depth past comments, CDATA, processing instructions and quoted ">" and "<"', () => {
    assert.equal(prescanXml(nested(64)).tooDeep, false);
    assert.equal(prescanXml(nested(65)).tooDeep, true);
    // An empty-element tag at depth 65 is an element at depth 65.
    assert.equal(prescanXml(nested(64, '<e/>')).tooDeep, true);
    const tricky = bytes(
      '<?xml version="1.0"?><!-- <a><a><a> --><r role="a>b"><![CDATA[<a><a><a>]]><?pi <a><a> ?><a b="<a>"/></r>',
    );
    assert.equal(prescanXml(tricky, { maxDepth: 2 }).tooDeep, false);
    assert.equal(prescanXml(tricky, { maxDepth: 1 }).tooDeep, true);
  });

  test('refuses DTDs, binary, empty and oversized input with the guard codes', () => {
    rejectsWith('XML_DTD_FORBIDDEN', () => prescanXml(fixture('billion-laughs.xml')));
    rejectsWith('XML_DTD_FORBIDDEN', () => prescanXml(fixture('external-entity.xml')));
    rejectsWith('INPUT_BINARY', () => prescanXml(fixture('binary.xml')));
    rejectsWith('INPUT_BINARY', () => prescanXml(Buffer.from([0x3c, 0x72, 0x2f, 0x3e, 0xff, 0xfe, 0x80])));
    rejectsWith('INPUT_EMPTY', () => prescanXml(bytes(' \n\t ')));
    rejectsWith('INPUT_TOO_LARGE', () => prescanXml(bytes('<r/>'), { maxBytes: 3 }));
    rejectsWith('XML_MALFORMED', () => prescanXml(bytes('just text')));
    rejectsWith('XML_MALFORMED', () => prescanXml(bytes('<r role="unterminated>')));
    rejectsWith('XML_MALFORMED', () => prescanXml(bytes('<voe:VOEvent role="x"/>')));
    rejectsWith('XML_MALFORMED', () => prescanXml(bytes('<V xsi:schemaLocation="a b" role="x"/>')));
  });

  test('reads UTF-16 (with its BOM) and ISO-8859-1 documents', () => {
    const text = '<?xml version="1.0"?><V xmlns="urn:x" ivorn="ivo://a/b#é" role="t"><a/></V>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const scan = prescanXml(le);
    assert.deepEqual([scan.encoding, scan.root.attributes.ivorn], ['utf-16le', 'ivo://a/b#é']);
    const latin1 = Buffer.from(text.replace('?>', ' encoding="ISO-8859-1"?>'), 'latin1');
    assert.equal(prescanXml(latin1).root.attributes.ivorn, 'ivo://a/b#é');
  });
});

describe('libxml2 well-formedness (the one parser of the ack path)', () => {
  test('accepts well-formed documents, UTF-16 and ISO-8859-1 included', () => {
    assert.equal(wellFormednessError(fixture('minimal-2.0.xml')), undefined);
    const text = '<?xml version="1.0" encoding="ISO-8859-1"?><V ivorn="é"/>';
    assert.equal(wellFormednessError(Buffer.from(text, 'latin1')), undefined);
    const utf16 = '<?xml version="1.0" encoding="UTF-16"?><V ivorn="é"/>';
    assert.equal(
      wellFormednessError(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16, 'utf16le')])),
      undefined,
    );
  });

  test('refuses what the pre-scan leaves to it: tags, prefixes, entities, comments, text outside the root', () => {
    for (const text of [
      '<r><a></b></r>',
      '<r><x:a/></r>',
      '<r><a x:b="1"/></r>',
      '<r>&undeclared;</r>',
      '<r><!-- a -- b --></r>',
      '<r/><second/>',
      '<r/>text after the root',
      '<r>]]></r>',
      '<r>&#0;</r>',
    ]) {
      assert.notEqual(wellFormednessError(bytes(text)), undefined, text);
    }
  });
});

/**
 * The strict one-pass tree builder (src/voevent/xml-tree.ts) against the general path it
 * replaces for the common case: the full guard (scanner + fast-xml-parser's validator) and
 * fast-xml-parser's tree. The contract: whatever the strict pass accepts, the guard accepts
 * with the same root, and fast-xml-parser builds the same tree. parseVoEvent reads only the
 * root and the tree, so its output (and every error after the guard) is then the same on both
 * paths; a document the strict pass declines takes the general path, errors included.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { mutatedSeeds, showBytes, type Seed } from '../../bench/fuzz/mutate.ts';
import { generatedXml, nestedXml, XML_TOKENS } from '../../bench/fuzz/gen/xml.ts';
import { CoincideError } from '../../src/errors.ts';
import { decodeXmlInput, guardXmlText } from '../../src/voevent/secure-xml.ts';
import { buildGeneralTree, readStrictXmlTree } from '../../src/voevent/xml-tree.ts';
import { listFiles, PROJECT_ROOT, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

const MAX_DEPTH = 64;

/** The decoded text, or undefined when decoding refuses the bytes (before either path). */
function decoded(bytes: Uint8Array): string | undefined {
  try {
    return decodeXmlInput(bytes);
  } catch (error) {
    if (error instanceof CoincideError) return undefined;
    throw error;
  }
}

/** The general path's root and tree, or the CoincideError it refuses the document with. */
function general(text: string): { root: unknown; tree: unknown } | CoincideError {
  try {
    return { root: guardXmlText(text).root, tree: buildGeneralTree(text) };
  } catch (error) {
    if (error instanceof CoincideError) return error;
    throw error;
  }
}

/** The contract on one document; returns whether the strict pass accepted it. */
function agrees(bytes: Uint8Array): boolean {
  const text = decoded(bytes);
  if (text === undefined) return false;
  const strict = readStrictXmlTree(text, MAX_DEPTH);
  if (strict === undefined) return false;
  const reference = general(text);
  if (reference instanceof CoincideError) {
    assert.fail(
      `the strict pass accepted what the guard refuses (${reference.message}):\n${showBytes(bytes)}`,
    );
  }
  assert.deepStrictEqual(strict.root, reference.root, showBytes(bytes));
  assert.deepStrictEqual(strict.tree, reference.tree, showBytes(bytes));
  return true;
}

const text = (document: string): Buffer => Buffer.from(document, 'utf8');

const VOE = 'xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0"';
const ROOT = `<voe:VOEvent ${VOE} ivorn="ivo://a/b#c" role="test" version="2.0">`;

/** Documents whose reading depends on fast-xml-parser's exact rules: the strict pass must take them. */
const ACCEPTED: Record<string, string> = {
  'text split by a comment is one run': `${ROOT}<What><Description> a <!-- c --> b </Description></What></voe:VOEvent>`,
  'mixed content: runs trimmed and joined': `${ROOT}<Why> x <Name>n</Name> y </Why></voe:VOEvent>`,
  'CDATA beside text': `${ROOT}<How><Description> t <![CDATA[ <raw> &amp; ]]> u </Description></How></voe:VOEvent>`,
  'an empty CDATA section': `${ROOT}<How><Description><![CDATA[]]></Description></How></voe:VOEvent>`,
  'CR LF and lone CR in text and attributes': `${ROOT}\r\n<What>\r\n<Param name="a" value="x\r\ny\rz"/>\r<Description>l1\r\nl2\rl3</Description></What></voe:VOEvent>`,
  'tabs and padding in attribute values': `${ROOT}<What><Param name=" a\t" value="\t1 "/></What></voe:VOEvent>`,
  'references in text and attributes': `${ROOT}<What><Param name="a&amp;b" value="&#x3C;&#60;&lt;&gt;&quot;&apos;&#x1F600;"/><Description>&amp;&#10;</Description></What></voe:VOEvent>`,
  'prefixed attributes by local name': `${ROOT}<What xmlns:x="urn:x"><Param x:ucd="u" name="n" xml:lang="en"/></What></voe:VOEvent>`,
  'a default namespace and a prefix declared below the root': `<VOEvent xmlns="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a/b#c" role="test" version="2.0"><p:What xmlns:p="urn:p"><p:Param name="n"/></p:What></VOEvent>`,
  'elements named like Object.prototype members': `${ROOT}<What><isPrototypeOf/><isPrototypeOf>2</isPrototypeOf><valueOfx/></What></voe:VOEvent>`,
  'attributes only (xmlns dropped) and empty elements': `${ROOT}<What xmlns:q="urn:q"></What><How/><Why importance="0.5"/></voe:VOEvent>`,
  'single quotes, spaces around =, end tag with space': `<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<!-- before -->\n${ROOT}<What ><Param name = 'a' value= "1" /></What ></voe:VOEvent >\n<!-- after -->\n`,
  'nesting at the depth limit': `${ROOT}${'<a>'.repeat(MAX_DEPTH - 1)}${'</a>'.repeat(MAX_DEPTH - 1)}</voe:VOEvent>`,
};

/** Documents outside the subset: declined by the strict pass (the guard decides, with its errors). */
const DECLINED: Record<string, string> = {
  'a DOCTYPE': `<!DOCTYPE x>${ROOT}</voe:VOEvent>`,
  'an undeclared entity': `${ROOT}<What>&e;</What></voe:VOEvent>`,
  'a reference to a non-character': `${ROOT}<What>&#0;</What></voe:VOEvent>`,
  'an unbound element prefix': `${ROOT}<x:What/></voe:VOEvent>`,
  'an unbound attribute prefix': `${ROOT}<What x:a="1"/></voe:VOEvent>`,
  'a mismatched end tag': `${ROOT}<What></How></voe:VOEvent>`,
  'an unclosed element': `${ROOT}<What>`,
  'a duplicate attribute': `${ROOT}<What a="1" a="2"/></voe:VOEvent>`,
  'two attributes with one local name': `${ROOT}<What xmlns:x="urn:x" a="1" x:a="2"/></voe:VOEvent>`,
  'an unquoted attribute': `${ROOT}<What a=1/></voe:VOEvent>`,
  'attributes without white space between': `${ROOT}<What a="1"b="2"/></voe:VOEvent>`,
  '"<" in an attribute value': `${ROOT}<What a="<"/></voe:VOEvent>`,
  '"]]>" in text': `${ROOT}<What>]]></What></voe:VOEvent>`,
  '"--" in a comment': `${ROOT}<!-- a -- b --></voe:VOEvent>`,
  'text outside the root': `x${ROOT}</voe:VOEvent>`,
  'a second root': `${ROOT}</voe:VOEvent><b/>`,
  'a processing instruction in the root': `${ROOT}<?pi x?></voe:VOEvent>`,
  'a declaration not at the start': ` <?xml version="1.0"?>${ROOT}</voe:VOEvent>`,
  'an element named __proto__': `${ROOT}<__proto__/></voe:VOEvent>`,
  'a non-ASCII name': `${ROOT}<Wh\u00e4t/></voe:VOEvent>`,
  'nesting beyond the depth limit': `${ROOT}${'<a>'.repeat(MAX_DEPTH)}${'</a>'.repeat(MAX_DEPTH)}</voe:VOEvent>`,
};

/**
 * Documents inside the strict subset with the constructs whose reading depends on fast-xml-parser's
 * rules: repeated and prefixed names, attribute values with padding, tabs, line ends and
 * references, text runs split by comments and child elements, CDATA, line ends in text.
 */
const PIECES = [
  ' ',
  '\t',
  '\r\n',
  '\r',
  '\n',
  'x',
  ' y ',
  '&amp;',
  '&#x3C;',
  '&#65;',
  '&lt;',
  '\u00e9',
  '\u00a0',
  '"',
  "'",
  '>',
];
const piece = fc.constantFrom(...PIECES);
const chars = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
const elementName = fc.constantFrom(
  'What',
  'Param',
  'Group',
  'p:Param',
  'q:Group',
  'Description',
  'isPrototypeOf',
  'a.b-c_d',
);
const attributeName = fc.constantFrom('name', 'value', 'p:name', 'xml:lang', 'q:unit', 'dataType');
const attributeValue = chars.map((v) => v.replace(/"/g, '&quot;'));
const attributes = fc
  .uniqueArray(fc.tuple(attributeName, attributeValue), {
    maxLength: 3,
    selector: ([name]) => name.replace(/^.*:/, ''), // one local name once (else not in the subset)
  })
  .map((list) => list.map(([name, value]) => ` ${name}="${value}"`).join(''));
const content: fc.Memo<string> = fc.memo((depth) =>
  fc
    .array(
      fc.oneof(
        { arbitrary: chars.map((t) => t.replace(/>/g, '&gt;')), weight: 3 },
        { arbitrary: fc.constant('<!-- c -->'), weight: 1 },
        { arbitrary: chars.map((t) => `<![CDATA[${t}]]>`), weight: 1 },
        {
          arbitrary:
            depth <= 1
              ? fc.tuple(elementName, attributes).map(([name, attrs]) => `<${name}${attrs}/>`)
              : fc
                  .tuple(elementName, attributes, content(depth - 1))
                  .map(([name, attrs, inner]) => `<${name}${attrs}>${inner}</${name}>`),
          weight: 3,
        },
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.join('')),
);
const subsetDocument = content(4).map(
  (inner) =>
    `<?xml version="1.0"?>\n${ROOT.replace('>', ' xmlns:p="urn:p" xmlns:q="urn:q">')}${inner}</voe:VOEvent>\n`,
);

describe('the strict XML tree pass', () => {
  test('reads every sample and fixture as the guard and fast-xml-parser do, and takes every one the guard accepts', (t) => {
    const skip = skipUnlessShared();
    if (skip !== false) t.diagnostic(`${skip}: only the project's own XML files are checked`);
    const files = [
      ...(skip === false ? listFiles(SAMPLES_DIR, ['.xml']) : []),
      ...listFiles(join(PROJECT_ROOT, 'fixtures'), ['.xml']),
      ...listFiles(join(PROJECT_ROOT, 'test'), ['.xml']),
      ...listFiles(join(PROJECT_ROOT, 'examples'), ['.xml']),
    ];
    let accepted = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      const strictAccepts = agrees(bytes);
      const source = decoded(bytes);
      const guardAccepts = source !== undefined && !(general(source) instanceof CoincideError);
      assert.equal(strictAccepts, guardAccepts, `${file}: strict ${strictAccepts}, guard ${guardAccepts}`);
      if (strictAccepts) accepted += 1;
    }
    assert.ok(accepted > 0, 'no XML file was read');
    t.diagnostic(`${accepted} of ${files.length} files read by the strict pass`);
  });

  test('takes the documents whose reading follows fast-xml-parser rules, with the same tree', () => {
    for (const [label, document] of Object.entries(ACCEPTED)) {
      assert.equal(agrees(text(document)), true, `${label} was declined`);
    }
  });

  test('declines malformed or unusual documents, which the guard then decides', () => {
    for (const [label, document] of Object.entries(DECLINED)) {
      const source = decodeXmlInput(text(document));
      assert.equal(readStrictXmlTree(source, MAX_DEPTH), undefined, `${label} was accepted`);
    }
  });

  test('reads documents of its subset as fast-xml-parser does (generated with its quirks)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(subsetDocument, (document) => {
        if (agrees(text(document))) accepted += 1;
      }),
      { numRuns: 1500, seed: 20261207 },
    );
    // Nearly all are in the subset (a CDATA section holding "]]>"-free text always is).
    assert.ok(accepted >= 1400, `only ${accepted} of 1500 generated documents were in the subset`);
  });

  test('agrees with the general path on generated and mutated documents', () => {
    const seeds: Seed[] = [
      ...Object.entries(ACCEPTED).map(([name, document]) => ({ name, bytes: text(document) })),
      ...listFiles(join(PROJECT_ROOT, 'fixtures', 'voevent'), ['.xml']).map((path) => ({
        name: path,
        bytes: readFileSync(path),
      })),
    ];
    fc.assert(
      fc.property(
        fc.oneof(generatedXml, nestedXml, mutatedSeeds(seeds, { tokens: XML_TOKENS, maxEdits: 3 })),
        (bytes) => {
          agrees(bytes);
        },
      ),
      { numRuns: 3000, seed: 20261207 },
    );
  });
});

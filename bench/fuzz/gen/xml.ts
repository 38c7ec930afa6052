/**
 * Generated XML for the XML, VOEvent and VTP targets: documents built from a vocabulary of
 * VOEvent and Transport names with random attributes, text (entities, character references,
 * "]]>", non-ASCII), comments, CDATA, processing instructions, DOCTYPEs, namespace prefixes
 * (bound and unbound), declarations with real and bogus encodings, BOMs, and deep nesting.
 */
import fc from 'fast-check';
import { BOUNDARY_NUMBERS } from '../mutate.ts';

const NAMES = [
  'VOEvent',
  'voe:VOEvent',
  'Transport',
  'trn:Transport',
  'Who',
  'What',
  'WhereWhen',
  'How',
  'Why',
  'Citations',
  'Param',
  'Group',
  'Description',
  'Reference',
  'AuthorIVORN',
  'Date',
  'Author',
  'Inference',
  'Concept',
  'Name',
  'EventIVORN',
  'ObsDataLocation',
  'ObservatoryLocation',
  'ObservationLocation',
  'AstroCoordSystem',
  'AstroCoords',
  'Time',
  'TimeInstant',
  'ISOTime',
  'Position2D',
  'Value2',
  'C1',
  'C2',
  'Error2Radius',
  'Origin',
  'Response',
  'TimeStamp',
  'Meta',
  'Result',
  'filter',
  'x:y',
  'a',
  '__proto__',
  'constructor',
];

const ATTRIBUTES = [
  'role',
  'ivorn',
  'version',
  'name',
  'value',
  'dataType',
  'unit',
  'ucd',
  'id',
  'cite',
  'type',
  'uri',
  'xmlns',
  'xmlns:voe',
  'xmlns:trn',
  'xmlns:xsi',
  'xsi:schemaLocation',
  'p:q',
  'xml:lang',
  '__proto__',
];

const VALUES = [
  'observation',
  'test',
  'utility',
  'prediction',
  'ack',
  'nak',
  'iamalive',
  'authenticate',
  '2.0',
  '1.1',
  'ivo://nasa.gsfc.gcn/Fermi#GBM_Fin_Pos2017-08-17T12:41:06.47_524666471-0-118',
  'ivo://gwnet/LVC#S190425z-1-Preliminary',
  'ivo://a/b#',
  'ivo://',
  'http://www.ivoa.net/xml/VOEvent/v2.0',
  'http://www.ivoa.net/xml/VOEvent/v1.1',
  'http://telescope-networks.org/schema/Transport/v1.1',
  'http://www.telescope-networks.org/xml/Transport/v1.1',
  'http://www.w3.org/2001/XMLSchema-instance',
  'float',
  'int',
  'string',
  'followup',
  'supersedes',
  'retraction',
  'UTC-FK5-GEO',
  'deg',
  '2017-08-17T12:41:04.446',
  '2017-02-30T25:61:61',
  '&amp;',
  '&lt;&gt;&quot;&apos;',
  '&#0;',
  '&#x110000;',
  '&#xD800;',
  '&#99999999999;',
  '&bogus;',
  '&',
  '\u00e9\u4e2d\ud83d\ude00',
  '',
  ' ',
  ...BOUNDARY_NUMBERS,
];

const TEXTS = [...VALUES, ']]>', '<', '>', '\u0000', '\u000b', '\ufffe', '\ud800', ' \n\t ', 'x'.repeat(300)];

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.string({ minLength: 0, maxLength: 8 }) },
);
const attrValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const attribute = fc
  .tuple(fc.constantFrom(...ATTRIBUTES), attrValue, fc.constantFrom('"', "'", ''))
  .map(([n, v, q]) => ` ${n}=${q}${v}${q}`);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TEXTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }) },
);

const misc = fc.constantFrom(
  '<!-- c -->',
  '<!-- a -- b -->',
  '<![CDATA[ <x> & ]]>',
  '<![CDATA[ unterminated',
  '<?pi data?>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "ee">]>',
  '<!ENTITY x SYSTEM "file:///etc/passwd">',
  '<!ELEMENT a ANY>',
  '<!x>',
  '&e;',
  '</a>',
  '<a',
  '<',
  '>',
);

const tree = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    misc,
    fc
      .record({
        name,
        attributes: fc.array(attribute, { maxLength: 4 }),
        children: fc.array(tie('node'), { maxLength: 5 }),
        selfClosing: fc.boolean(),
        wrongClose: fc.option(name, { freq: 20 }),
      })
      .map(
        (e: {
          name: string;
          attributes: string[];
          children: string[];
          selfClosing: boolean;
          wrongClose: string | null;
        }) =>
          e.selfClosing && e.children.length === 0
            ? `<${e.name}${e.attributes.join('')}/>`
            : `<${e.name}${e.attributes.join('')}>${e.children.join('')}</${e.wrongClose ?? e.name}>`,
      ),
  ),
})).node;

const declaration = fc.constantFrom(
  '',
  '<?xml version="1.0" encoding="UTF-8"?>\n',
  "<?xml version='1.0' encoding='UTF-8'?>\n",
  '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
  '<?xml version="1.0" encoding="US-ASCII"?>\n',
  '<?xml version="1.0" encoding="UTF-16"?>\n',
  '<?xml version="1.0" encoding="EBCDIC-bogus"?>\n',
  '<?xml version="1.1"?>',
  '<?xml version = "1.0" standalone="yes" ?>',
  '  <?xml version="1.0"?>',
  '<?xml?>',
);

/** One generated XML document as bytes (UTF-8, sometimes with a BOM or re-encoded). */
export const generatedXml: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    declaration,
    fc.array(misc, { maxLength: 2 }),
    tree,
    fc.array(fc.oneof(misc, text), { maxLength: 2 }),
    fc.constantFrom('utf8', 'utf8', 'utf8', 'bom', 'latin1', 'utf16le'),
  )
  .map(([decl, before, body, after, encoding]) => {
    const textDoc = `${decl}${before.join('')}${body}${after.join('')}`;
    switch (encoding) {
      case 'bom':
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(textDoc, 'utf8')]);
      case 'latin1':
        return Buffer.from(textDoc, 'latin1');
      case 'utf16le':
        return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(textDoc, 'utf16le')]);
      default:
        return Buffer.from(textDoc, 'utf8');
    }
  });

/** Deep or wide nesting: `depth` open tags (closed or not), optionally prefixed and attributed. */
export const nestedXml: fc.Arbitrary<Uint8Array> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 4000 })),
    element: fc.constantFrom('<a>', '<voe:a>', '<a x="1">', '<Group>', '<a/><a>', '<a><!-- -->'),
    closed: fc.boolean(),
    root: fc.constantFrom(
      '<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://a/b#c" version="2.0">',
      '<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" role="ack" version="1.0">',
      '<r>',
    ),
  })
  .map(({ depth, element, closed, root }) => {
    const close = element.includes('voe:') ? '</voe:a>' : element.includes('Group') ? '</Group>' : '</a>';
    const rootClose = root.startsWith('<voe')
      ? '</voe:VOEvent>'
      : root.startsWith('<trn')
        ? '</trn:Transport>'
        : '</r>';
    return Buffer.from(
      `${root}${element.repeat(depth)}${closed ? close.repeat(depth) : ''}${rootClose}`,
      'utf8',
    );
  });

export const XML_TOKENS = [
  '<!DOCTYPE x [<!ENTITY e "ee">]>',
  '<!ENTITY e SYSTEM "http://127.0.0.1/">',
  '&e;',
  '&#0;',
  '&#x110000;',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<?',
  '?>',
  '</',
  '/>',
  '<voe:x>',
  ' xmlns:voe="x"',
  ' xmlns=""',
  ' role="ack"',
  ' role="observation"',
  ' ivorn="ivo://x/y#z"',
  '"',
  "'",
  '\u0000',
  '\ufeff',
  '<a>'.repeat(70),
];

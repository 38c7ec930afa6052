/** Generated VTP Transport messages: roles, namespaces, prefixes and children in any order. */
import fc from 'fast-check';

const NAMESPACES = [
  'http://telescope-networks.org/schema/Transport/v1.1',
  'http://www.telescope-networks.org/xml/Transport/v1.1',
  'http://example.org/other',
  '',
];

const child = fc.oneof(
  fc
    .constantFrom('ivo://a/b', 'ivo://nasa.gsfc.gcn/gcn', '', ' ', '&amp;', '&bogus;', '<x/>')
    .map((v) => `<Origin>${v}</Origin>`),
  fc.constantFrom('ivo://c/d', '').map((v) => `<Response>${v}</Response>`),
  fc
    .constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:00', 'garbage')
    .map((v) => `<TimeStamp>${v}</TimeStamp>`),
  fc
    .array(
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom('xpath-filter', 'other', ''),
            fc.constantFrom('//Who', "//Param[@name='x']", '//*[', '', 'count(//*)', '&lt;&gt;'),
          )
          .map(([n, v]) => `<Param name="${n}" value="${v}"/>`),
        fc.constantFrom(
          '<Result>Event rejected: x</Result>',
          '<filter type="xpath">//What</filter>',
          '<filter type="xpath">((((</filter>',
          '<Param/>',
        ),
      ),
      { maxLength: 4 },
    )
    .map((items) => `<Meta>${items.join('')}</Meta>`),
  fc.constantFrom(
    '<trn:Origin>x</trn:Origin>',
    '<p:Origin xmlns:p="urn:x">x</p:Origin>',
    '<!-- c -->',
    '<![CDATA[x]]>',
    'text',
  ),
);

export const generatedTransport: fc.Arbitrary<Uint8Array> = fc
  .record({
    declaration: fc.constantFrom(
      '',
      "<?xml version='1.0' encoding='UTF-8'?>\n",
      '<?xml version="1.0" encoding="latin1"?>',
      '<?xml version="1.0" encoding="utf-16"?>',
    ),
    prefix: fc.constantFrom('trn:', '', 'voe:', 'x:'),
    bindPrefix: fc.boolean(),
    namespace: fc.constantFrom(...NAMESPACES),
    role: fc.constantFrom('ack', 'nak', 'iamalive', 'authenticate', 'observation', 'ACK', '', 'ack ack'),
    roleQuote: fc.constantFrom('"', "'"),
    extra: fc.constantFrom('', ' version="1.0"', ' x:y="1"', ' role="nak"', ' ivorn="ivo://a/b#c"'),
    children: fc.array(child, { maxLength: 6 }),
  })
  .map(({ declaration, prefix, bindPrefix, namespace, role, roleQuote, extra, children }) => {
    const binding = bindPrefix
      ? prefix === ''
        ? ` xmlns="${namespace}"`
        : ` xmlns:${prefix.slice(0, -1)}="${namespace}"`
      : '';
    return Buffer.from(
      `${declaration}<${prefix}Transport${binding} role=${roleQuote}${role}${roleQuote}${extra}>${children.join('')}</${prefix}Transport>`,
      'utf8',
    );
  });

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classifyPayload, parsePayload, type ParsedPayload } from '../../src/vtp/payload.ts';
import { listFiles, samplePath, skipUnlessShared } from '../helpers/shared.ts';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://a.b/c#1">&lol3;</voe:VOEvent>`;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('VTP payload classification', () => {
  it('classifies by role like Comet: VOEvent roles, Transport roles, anything else incomprehensible', () => {
    assert.equal(parsePayload(Buffer.from('<x role="test" ivorn="ivo://a.b/c#1"/>')).kind, 'voevent');
    assert.equal(parsePayload(Buffer.from('<Transport role="iamalive"/>')).kind, 'transport');
    assert.equal(parsePayload(Buffer.from('<xml/>')).kind, 'incomprehensible');
    assert.equal(parsePayload(Buffer.from('<VOEvent ivorn="ivo://a.b/c#1"/>')).kind, 'incomprehensible');
  });

  it('rejects empty, non-XML, text before the declaration and unbound prefixes as coded errors', () => {
    assert.equal(
      code(() => parsePayload(Buffer.alloc(0))),
      'INPUT_EMPTY',
    );
    assert.equal(
      code(() => parsePayload(Buffer.from('{"json": true}'))),
      'XML_MALFORMED',
    );
    assert.equal(
      code(() => parsePayload(Buffer.from(' <?xml version="1.0"?><a role="test"/>'))),
      'XML_MALFORMED',
    );
    assert.equal(
      code(() => parsePayload(Buffer.from('<a role="test"><x:b/></a>'))),
      'XML_MALFORMED',
    );
  });

  it('never expands entities: a billion-laughs payload is unparsable', () => {
    assert.equal(
      code(() => parsePayload(Buffer.from(BILLION_LAUGHS))),
      'XML_MALFORMED',
    );
  });

  it('accepts predefined entities, character references, a BOM and single-quoted declarations', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const payload = parsePayload(
      Buffer.concat([
        bom,
        Buffer.from(`<?xml version='1.0' encoding='utf-8'?><a role="test" ivorn="ivo://a.b/c#&amp;&#65;"/>`),
      ]),
    );
    assert.equal(payload.ivorn, 'ivo://a.b/c#&A');
  });

  it('decodes the encoding named in the declaration', () => {
    const latin1 = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?><a role="test" ivorn="ivo://a.b/c#\u00e9"/>`,
      'latin1',
    );
    assert.equal(parsePayload(latin1).ivorn, 'ivo://a.b/c#\u00e9');
    assert.equal(
      code(() => parsePayload(Buffer.from(`<?xml version="1.0" encoding="NOPE-1"?><a/>`))),
      'XML_MALFORMED',
    );
  });

  it('parses every real-world shape of the samples and keeps the bytes', { skip: skipUnlessShared() }, () => {
    for (const [file, ivorn] of [
      ['voevent/grb/GRB180116A_Fermi_GBM_Alert.xml', undefined],
      ['voevent/grb/gbm_flt_pos.xml', undefined],
      ['voevent/other/no_namespace_packet.xml', undefined],
      ['voevent/other/voevent-ex1.xml', undefined],
      ['voevent/other/kill_socket.xml', 'ivo://nasa.gsfc.gcn/gcn'],
    ] as const) {
      const bytes = readFileSync(samplePath(file));
      const payload = parsePayload(bytes);
      assert.equal(payload.kind, 'voevent', file);
      assert.ok(payload.ivorn.startsWith('ivo://'), file);
      if (ivorn) assert.equal(payload.ivorn, ivorn);
      assert.equal(payload.bytes, bytes);
    }
    assert.equal(
      code(() => parsePayload(readFileSync(samplePath('voevent/other/Swift_unknown_fail.xml')))),
      'XML_MALFORMED',
    );
    assert.equal(
      code(() => parsePayload(readFileSync(samplePath('voevent/other/MS220722v.xml')))),
      'XML_MALFORMED',
    );
  });
});

describe('VTP payload classification without a DOM (classifyPayload)', () => {
  /** What a caller can observe: classification, or the error code of the classification or of the DOM. */
  function observe(parse: (bytes: Buffer) => ParsedPayload, bytes: Buffer): unknown {
    let payload: ParsedPayload;
    try {
      payload = parse(bytes);
    } catch (error) {
      return { error: (error as { code?: string }).code };
    }
    const { kind, role, ivorn, rootLocalName, rootNamespace } = payload;
    const domError = code(() => payload.document);
    if (domError !== undefined) return { error: domError };
    return { kind, role, ivorn, rootLocalName, rootNamespace, rootTag: payload.root.tagName };
  }

  const CASES = [
    '<x role="test" ivorn="ivo://a.b/c#1"/>',
    '<Transport role="iamalive"/>',
    '<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" role="ack"><Origin>ivo://a/b</Origin></trn:Transport>',
    '<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="observation" ivorn="ivo://a.b/c#&amp;&#65;"/>',
    '<VOEvent xmlns="http://www.ivoa.net/xml/VOEvent/v2.0" role="utility" ivorn="ivo://a.b/c#2"><Who/></VOEvent>',
    '<xml/>',
    '<VOEvent ivorn="ivo://a.b/c#1"/>',
    '{"json": true}',
    ' <?xml version="1.0"?><a role="test"/>',
    '<x:a role="test"/>',
    '<a role="test"><x:b/></a>',
    '<a role="test" ivorn="ivo://a.b/c#1"><b></a>',
    '<!DOCTYPE a><a role="test" ivorn="ivo://a.b/c#1"/>',
    BILLION_LAUGHS,
  ];

  it('observes the same classification and the same errors as the full parse', () => {
    for (const text of CASES) {
      const bytes = Buffer.from(text);
      assert.deepEqual(observe(classifyPayload, bytes), observe(parsePayload, bytes), text);
    }
    assert.equal(
      code(() => classifyPayload(Buffer.alloc(0))),
      'INPUT_EMPTY',
    );
  });

  it('classifies from the root start tag and builds the DOM only when it is read', () => {
    const payload = classifyPayload(Buffer.from('<a role="test" ivorn="ivo://a.b/c#1"><b></a>'));
    assert.equal(payload.kind, 'voevent');
    assert.equal(payload.ivorn, 'ivo://a.b/c#1');
    assert.equal(
      code(() => payload.root),
      'XML_MALFORMED',
    );
    const good = classifyPayload(Buffer.from('<a role="test" ivorn="ivo://a.b/c#1"><b/></a>'));
    assert.equal(good.document, good.document, 'the DOM is built once');
    assert.equal(good.root.localName, 'a');
  });

  it('observes the same as the full parse on every VOEvent sample', { skip: skipUnlessShared() }, () => {
    const files = listFiles(samplePath('voevent'), ['.xml']);
    assert.ok(files.length > 5);
    for (const file of files) {
      const bytes = readFileSync(file);
      assert.deepEqual(observe(classifyPayload, bytes), observe(parsePayload, bytes), file);
    }
  });
});

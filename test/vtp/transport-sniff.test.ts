import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ack, iamalive, iamaliveReply, nak, TRANSPORT_NAMESPACE_COMET } from '../../src/vtp/messages.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { sniffSimpleTransport } from '../../src/vtp/transport-sniff.ts';

/** What the full parser says: the Transport role, or undefined when it would not count it. */
function fullRole(bytes: Buffer): string | undefined {
  try {
    const payload = parsePayload(bytes);
    return payload.kind === 'transport' ? payload.role : undefined;
  } catch {
    return undefined;
  }
}

const NOW = { nowMs: Date.UTC(2026, 10, 25) };
const PYGCN_ACK = `<?xml version='1.0' encoding='UTF-8'?><trn:Transport role="ack" version="1.0" xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://telescope-networks.org/schema/Transport/v1.1 http://telescope-networks.org/schema/Transport-v1.1.xsd"><Origin>ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729</Origin><Response>ivo://python_voeventclient/anonymous</Response><TimeStamp>2025-11-25T08:26:01.123456</TimeStamp></trn:Transport>`;

describe('Transport fast path', () => {
  it('recognises the acks and iamalives real peers send, as the full parser does', () => {
    const cases = [
      ack('ivo://a.b/c#1', 'ivo://x.y/z', NOW),
      ack('ivo://a.b/c#1', undefined, { ...NOW, namespace: TRANSPORT_NAMESPACE_COMET }),
      iamaliveReply('ivo://x.y/z', 'ivo://a.b/sub', NOW),
      iamalive('ivo://x.y/z', NOW),
      Buffer.from(PYGCN_ACK),
      Buffer.from('<Transport role="iamalive" version="1.0"><Origin>ivo://x.y/z</Origin></Transport>'),
    ];
    for (const bytes of cases) {
      const sniffed = sniffSimpleTransport(bytes);
      assert.ok(sniffed, bytes.toString());
      assert.equal(sniffed, fullRole(bytes));
    }
  });

  it('declines everything else, so the full parser decides', () => {
    const declined = [
      nak('ivo://a.b/c#1', undefined, 'no', NOW), // other role
      Buffer.from('<trn:Transport role="ack"><Origin>x</Origin></trn:Transport>'), // unbound prefix
      Buffer.from('<t:Transport xmlns:t="urn:x" role="ack"><Origin>x</Origin></t:Transport2>'), // malformed
      Buffer.from('<t:Transport xmlns:t="urn:x" role="ack"><Origin>x</t:Transport>'), // unclosed child
      Buffer.from('<t:Transport xmlns:t="urn:x" role="ack"><x:Origin>x</x:Origin></t:Transport>'), // prefixed child
      Buffer.from('<!DOCTYPE t [<!ENTITY a "b">]><Transport role="ack"><Origin>&a;</Origin></Transport>'),
      Buffer.from(' <?xml version="1.0"?><Transport role="ack"/>'), // text before the declaration
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><Transport role="ack"/>'),
      Buffer.from('<VOEvent role="test" ivorn="ivo://a.b/c#1"/>'),
      Buffer.from('not xml'),
      Buffer.alloc(0),
    ];
    // After the root, or a processing instruction anywhere: the full parser decides (libxml2
    // refuses an unterminated `<?x` or a second root; fast-xml-parser's validator let them by).
    const iamaliveText = '<Transport role="iamalive" version="1.0"><Origin>ivo://x.y/z</Origin></Transport>';
    for (const tail of ['<?x', '<?', ' <?x ', '<?x>', '<a/>', '<Transport role="ack"/>', '<?pi data?>']) {
      declined.push(Buffer.from(iamaliveText + tail));
    }
    declined.push(Buffer.from(`<?pi x?>${iamaliveText}`));
    for (const bytes of declined) {
      assert.equal(sniffSimpleTransport(bytes), undefined, bytes.toString());
    }
  });

  it('agrees with the full parser on an iamalive with anything after its root', () => {
    const base = iamalive('ivo://x.y/z', NOW).toString();
    for (const tail of [
      '<?x',
      '<?x?>',
      '<?xml version="1.0"?>',
      '<!--c-->',
      '<a/>',
      ' \n',
      'text',
      '</Transport>',
    ]) {
      const bytes = Buffer.from(base + tail);
      const sniffed = sniffSimpleTransport(bytes);
      if (sniffed) assert.equal(sniffed, fullRole(bytes), JSON.stringify(tail));
    }
    assert.equal(fullRole(Buffer.from(`${base}<?x`)), undefined, 'the full parser refuses a trailing <?x');
    assert.equal(sniffSimpleTransport(Buffer.from(`${base} \n`)), 'iamalive', 'trailing whitespace is fine');
  });

  it('never disagrees with the full parser on truncations and byte flips of real acks and iamalives', () => {
    const bases = [
      Buffer.from(PYGCN_ACK),
      ack('ivo://a.b/c#1', 'ivo://x.y/z', NOW),
      iamaliveReply('ivo://x.y/z', undefined, { ...NOW, namespace: TRANSPORT_NAMESPACE_COMET }),
    ];
    const replacements = [0x3c, 0x3e, 0x22, 0x27, 0x2f, 0x3a, 0x20, 0x3d, 0x26, 0x3f, 0x21, 0x78, 0x00, 0xff];
    let agreed = 0;
    for (const base of bases) {
      for (let cut = 0; cut < base.length; cut += 1) {
        const truncated = base.subarray(0, cut);
        const sniffed = sniffSimpleTransport(truncated);
        if (sniffed) assert.equal(sniffed, fullRole(truncated), `cut ${cut}`);
      }
      for (let i = 0; i < base.length; i += 1) {
        for (const replacement of replacements) {
          const flipped = Buffer.from(base);
          flipped[i] = replacement;
          const sniffed = sniffSimpleTransport(flipped);
          if (sniffed) {
            assert.equal(sniffed, fullRole(flipped), `byte ${i} -> ${replacement}: ${flipped.toString()}`);
            agreed += 1;
          }
        }
      }
    }
    assert.ok(agreed > 100, 'the fast path answers for harmless variations too');
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateXML } from 'xmllint-wasm';
import {
  ack,
  authenticate,
  authenticateReply,
  formatTimeStamp,
  iamalive,
  iamaliveReply,
  nak,
  readTransport,
  TRANSPORT_NAMESPACE_COMET,
  TRANSPORT_NAMESPACE_GCN,
  xpathFiltersOf,
} from '../../src/vtp/messages.ts';
import { parsePayload } from '../../src/vtp/payload.ts';
import { OFFICIAL_SCHEMAS_DIR, skipUnlessShared } from '../helpers/shared.ts';

const NOW_MS = Date.UTC(2026, 10, 25, 7, 26, 1, 456);
const TIMESTAMP = '2026-11-25T07:26:01Z';

const ALL_NAMESPACES = [
  'http://www.telescope-networks.org/xml/Transport/v1.1',
  'http://telescope-networks.org/schema/Transport/v1.1',
  'http://telescope-networks.org/xml/Transport/v1.1',
  'http://www.ivoa.net/xml/VTP/v2',
  'http://www.telescope-networks.org/xml/Transport/v2.0',
];

describe('Transport messages', () => {
  const filters = [
    '/*[local-name()="VOEvent" and @role!="test"]',
    '//Param[@name="SC_Lat" and @value<600]',
    `a<>?!&"'`,
  ];
  const emitted = {
    iamalive: iamalive('ivo://coincide/broker', { nowMs: NOW_MS }),
    iamaliveReply: iamaliveReply('ivo://remote/broker', 'ivo://coincide/sub', { nowMs: NOW_MS }),
    authenticate: authenticate('ivo://coincide/broker', { nowMs: NOW_MS }),
    authenticateReply: authenticateReply('ivo://remote/broker', undefined, filters, { nowMs: NOW_MS }),
    authenticateReplyNoFilters: authenticateReply('ivo://remote/broker', undefined, [], { nowMs: NOW_MS }),
    ack: ack('ivo://a.b/c#1', 'ivo://coincide/broker', { nowMs: NOW_MS }),
    nak: nak('ivo://a.b/c#1', 'ivo://coincide/broker', 'Previously seen by this broker', { nowMs: NOW_MS }),
  };

  it(
    'emits messages that validate against the Transport v1.1 schema (in its Comet namespace)',
    { skip: skipUnlessShared() },
    async () => {
      const schema = readFileSync(join(OFFICIAL_SCHEMAS_DIR, 'Transport-v1.1.xsd'), 'utf8');
      for (const [name, bytes] of Object.entries(emitted)) {
        // The official XSD's targetNamespace is Comet's; emit in that profile to validate.
        const inComet = bytes.toString('utf8').replace(TRANSPORT_NAMESPACE_GCN, TRANSPORT_NAMESPACE_COMET);
        const result = await validateXML({
          xml: [{ fileName: `${name}.xml`, contents: inComet }],
          schema: [schema],
        });
        assert.equal(result.valid, true, `${name}: ${result.errors.map((e) => e.message).join('; ')}`);
      }
    },
  );

  it('stamps each time with its own UTC second, also when one second is asked for many times', () => {
    const reference = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const times = [
      1764059161000, 1764059161001, 1764059161999.9, 1764059162000, 1764059161500, 0, -0.5, -1, -1000, -1001,
      951782399999, 951782400000, 4102444800123,
    ];
    for (const ms of [...times, ...times]) assert.equal(formatTimeStamp(ms), reference(ms), String(ms));
    assert.throws(() => formatTimeStamp(NaN), RangeError);
  });

  it('uses the GCN namespace by default, a prefixed root, unqualified children and a UTC Z TimeStamp', () => {
    const text = emitted.ack.toString('utf8');
    assert.match(text, /^<\?xml version='1.0' encoding='UTF-8'\?>/);
    assert.match(
      text,
      new RegExp(`<trn:Transport xmlns:trn="${TRANSPORT_NAMESPACE_GCN}" version="1.0" role="ack">`),
    );
    assert.doesNotMatch(text, /xmlns="/);
    assert.match(text, new RegExp(`<TimeStamp>${TIMESTAMP}</TimeStamp>`));
    const message = readTransport(parsePayload(emitted.ack));
    assert.equal(message.role, 'ack');
    assert.equal(message.origin, 'ivo://a.b/c#1');
    assert.equal(message.response, 'ivo://coincide/broker');
  });

  it('emits the Comet namespace in the Comet profile', () => {
    const text = iamalive('ivo://x/y', { nowMs: NOW_MS, namespace: TRANSPORT_NAMESPACE_COMET }).toString();
    assert.match(text, /xmlns:trn="http:\/\/www.telescope-networks.org\/xml\/Transport\/v1.1"/);
  });

  it('puts the nak reason in Meta/Result after "Event rejected: "', () => {
    const message = readTransport(parsePayload(emitted.nak));
    assert.equal(message.role, 'nak');
    assert.equal(message.result, 'Event rejected: Previously seen by this broker');
  });

  it('omits Response from an iamalive reply when there is no local IVOID and always writes Meta in an authenticate reply', () => {
    const reply = readTransport(
      parsePayload(iamaliveReply('ivo://remote/broker', undefined, { nowMs: NOW_MS })),
    );
    assert.equal(reply.response, undefined);
    assert.equal(reply.origin, 'ivo://remote/broker');
    assert.match(emitted.authenticateReplyNoFilters.toString(), /<Meta>\s*<\/Meta>/);
  });

  it('round-trips filter strings with <>?!&"\' through attribute escaping', () => {
    const message = readTransport(parsePayload(emitted.authenticateReply));
    assert.deepEqual(xpathFiltersOf(message), filters);
  });

  it('reads Transport messages in every known namespace and in none, with children in any order', () => {
    for (const ns of [...ALL_NAMESPACES, '']) {
      const xmlns = ns === '' ? '' : ` xmlns:t="${ns}"`;
      const tag = ns === '' ? 'Transport' : 't:Transport';
      const xml = `<?xml version = '1.0' encoding = 'UTF-8'?><${tag}${xmlns} role="iamalive" version="1.0"><Meta><Param name="IPAddr" value="1.2.3.4"/></Meta><TimeStamp>2025-11-25T08:26:01.123456</TimeStamp><Response>ivo://python_voeventclient/anonymous</Response><Origin>ivo://coincide/broker</Origin></${tag}>`;
      const payload = parsePayload(Buffer.from(xml));
      assert.equal(payload.kind, 'transport', ns);
      const message = readTransport(payload);
      assert.equal(message.role, 'iamalive');
      assert.equal(message.origin, 'ivo://coincide/broker');
      assert.equal(message.response, 'ivo://python_voeventclient/anonymous');
      assert.equal(message.timeStamp, '2025-11-25T08:26:01.123456');
      assert.deepEqual(message.params, [{ name: 'IPAddr', value: '1.2.3.4' }]);
    }
  });

  it('reads the legacy <filter type="xpath"> form of an authenticate reply', () => {
    const xml = `<trn:Transport xmlns:trn="${TRANSPORT_NAMESPACE_COMET}" role="authenticate" version="1.0"><Origin>ivo://b/c</Origin><TimeStamp>x</TimeStamp><Meta><filter type="xpath">//Who</filter></Meta></trn:Transport>`;
    assert.deepEqual(xpathFiltersOf(readTransport(parsePayload(Buffer.from(xml)))), ['//Who']);
  });
});

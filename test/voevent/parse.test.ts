import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { requireWhereWhen } from '../../src/voevent/checks.ts';
import { parseVoEvent, peekVoEventHeader, typeParamValue } from '../../src/voevent/parse.ts';
import {
  listFiles,
  OFFICIAL_SCHEMAS_DIR,
  SAMPLES_DIR,
  samplePath,
  skipUnlessShared,
} from '../helpers/shared.ts';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/voevent/${name}`, import.meta.url));
const sample = (relativePath: string): Buffer => readFileSync(samplePath(relativePath));

function rejectsWith(code: string, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CoincideError, `expected a CoincideError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const MINIMAL = readFileSync(new URL('../../fixtures/voevent/minimal-2.0.xml', import.meta.url), 'utf8');

describe('parseVoEvent on hand-written documents', () => {
  test('reads every section of a VOEvent 2.0 document', () => {
    const event = parseVoEvent(MINIMAL);
    assert.equal(event.version, '2.0');
    assert.equal(event.namespace, 'http://www.ivoa.net/xml/VOEvent/v2.0');
    assert.equal(event.ivorn, 'ivo://coincide.test/fixtures#minimal-2.0');
    assert.equal(event.role, 'test');
    assert.deepEqual(event.who, {
      authorIvorn: 'ivo://coincide.test/fixtures',
      date: '2026-01-02T03:04:05',
      shortName: 'coincide fixtures',
    });
    assert.deepEqual(event.whereWhen, {
      observatoryLocationId: 'GEOLUN',
      coordSystemId: 'UTC-ICRS-GEO',
      isoTime: '2026-01-02T03:04:00.25',
      timeUnixMs: Date.UTC(2026, 0, 2, 3, 4, 0, 250),
      unit: 'deg',
      ra: 123.45,
      dec: -45.5,
      errorRadius: 0.5,
    });
    assert.equal(event.hasWhereWhen, true);
    assert.deepEqual(event.params, [
      { name: 'TrigID', value: 123456, rawValue: '123456', ucd: 'meta.id' },
      { name: 'Energy', value: 150, rawValue: '1.5e2', unit: 'TeV', dataType: 'float' },
    ]);
    assert.deepEqual(event.how, { descriptions: ['Hand-written fixture'], references: [] });
    assert.deepEqual(event.why, {
      importance: 0.5,
      inferences: [{ probability: 0.9, names: [], concepts: ['process.variation.burst'] }],
      names: [],
      concepts: [],
    });
    assert.deepEqual(event.citations, []);
  });

  test('accepts any namespace prefix, a default namespace and no namespace at all', () => {
    const otherPrefix = MINIMAL.replaceAll('voe:', 'v2:').replace('xmlns:voe', 'xmlns:v2');
    const defaultNs = MINIMAL.replaceAll('voe:VOEvent', 'VOEvent').replace('xmlns:voe', 'xmlns');
    const noNs = MINIMAL.replaceAll('voe:VOEvent', 'VOEvent').replace(
      'xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0"',
      '',
    );
    assert.equal(parseVoEvent(otherPrefix).whereWhen.ra, 123.45);
    assert.equal(parseVoEvent(defaultNs).namespace, 'http://www.ivoa.net/xml/VOEvent/v2.0');
    assert.equal(parseVoEvent(defaultNs).whereWhen.dec, -45.5);
    const bare = parseVoEvent(noNs);
    assert.equal(bare.namespace, '');
    assert.equal(bare.version, '2.0');
    assert.equal(bare.params[0]?.value, 123456);
  });

  test('reads Params and Groups with typed values, keeping the raw text', () => {
    const doc = MINIMAL.replace(
      '</What>',
      `<Param name="Hex" value="0x1000000"/>
       <Param name="Big" value="12345678901234567890"/>
       <Param name="Str" value="42" dataType="string"/>
       <Param name="Flag" value="True"/>
       <Param name="Empty" value="" dataType="int"/>
       <Param name="NoValue"/>
       <Param name="Child" dataType="float"><Description>in a Value element</Description><Value>2.5</Value></Param>
       <Param name="Esc" value="a &amp; b &#x3c; c"/>
       <Group name="Properties" type="Classification"><Param name="HasNS" value="0.25" dataType="float"/></Group>
     </What>`,
    );
    const event = parseVoEvent(doc);
    const byName = new Map(event.params.map((p) => [p.name, p]));
    assert.equal(byName.get('Hex')?.value, '0x1000000');
    assert.equal(byName.get('Big')?.value, '12345678901234567890');
    assert.equal(byName.get('Str')?.value, '42');
    assert.equal(byName.get('Flag')?.value, true);
    assert.equal(byName.get('Empty')?.value, null);
    assert.equal(byName.get('NoValue')?.value, null);
    assert.equal(byName.get('NoValue')?.rawValue, null);
    assert.deepEqual(byName.get('Child'), {
      name: 'Child',
      value: 2.5,
      rawValue: '2.5',
      dataType: 'float',
      description: 'in a Value element',
    });
    assert.equal(byName.get('Esc')?.value, 'a & b < c');
    const cdata = MINIMAL.replace('Hand-written fixture', '<![CDATA[x &amp; <y>]]>');
    assert.deepEqual(parseVoEvent(cdata).how.descriptions, ['x &amp; <y>']);
    assert.deepEqual(event.groups, [
      {
        name: 'Properties',
        type: 'Classification',
        params: [{ name: 'HasNS', value: 0.25, rawValue: '0.25', dataType: 'float' }],
      },
    ]);
  });

  test('types values: numbers, booleans, text and null', () => {
    assert.equal(typeParamValue(' 6.30 ', undefined), 6.3);
    assert.equal(typeParamValue('-1382056420', 'int'), -1382056420);
    assert.equal(typeParamValue('Infinity', 'float'), 'Infinity');
    assert.equal(typeParamValue('false', undefined), false);
    assert.equal(typeParamValue('S230518h', undefined), 'S230518h');
    assert.equal(typeParamValue(null, 'int'), null);
  });

  test('reads Why names and concepts, Inference relation, Citations and the top-level Description', () => {
    const doc = MINIMAL.replace(
      /<Why importance="0.5">[\s\S]*<\/Why>/,
      `<Why importance="1"><Name>GRB 260102A</Name><Concept>process.variation.burst;em.gamma</Concept>
         <Inference probability="0.1" relation="associated"><Name>M31</Name></Inference></Why>
       <Citations><EventIVORN cite="supersedes">ivo://x/y#1</EventIVORN><EventIVORN cite="retraction">ivo://x/y#2</EventIVORN>
         <Description>why</Description></Citations>
       <Description>First line</Description>`,
    );
    const event = parseVoEvent(doc);
    assert.deepEqual(event.why, {
      importance: 1,
      names: ['GRB 260102A'],
      concepts: ['process.variation.burst;em.gamma'],
      inferences: [{ probability: 0.1, relation: 'associated', names: ['M31'], concepts: [] }],
    });
    assert.deepEqual(event.citations, [
      { ivorn: 'ivo://x/y#1', cite: 'supersedes' },
      { ivorn: 'ivo://x/y#2', cite: 'retraction' },
    ]);
    assert.equal(event.description, 'First line');
  });

  test('exposes a missing WhereWhen as empty, and requireWhereWhen refuses it', () => {
    const event = parseVoEvent(fixture('missing-wherewhen.xml'));
    assert.equal(event.hasWhereWhen, false);
    assert.deepEqual(event.whereWhen, {});
    rejectsWith('VOEVENT_MISSING_FIELD', () => requireWhereWhen(event));
    assert.equal(requireWhereWhen(parseVoEvent(MINIMAL)).timeUnixMs, Date.UTC(2026, 0, 2, 3, 4, 0, 250));
  });

  test('refuses a non-numeric or out-of-range coordinate and a bad ISOTime with VOEVENT_BAD_VALUE', () => {
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(fixture('nan-coordinate.xml')));
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(fixture('ra-out-of-range.xml')));
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(fixture('dec-out-of-range.xml')));
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(fixture('bad-isotime.xml')));
    rejectsWith('VOEVENT_BAD_VALUE', () =>
      parseVoEvent(MINIMAL.replace('<Error2Radius>0.5', '<Error2Radius>abc')),
    );
  });

  test('refuses a bad role or cite and an ivorn that is not ivo:// with VOEVENT_BAD_VALUE', () => {
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(fixture('bad-role.xml')));
    rejectsWith('VOEVENT_BAD_VALUE', () => parseVoEvent(MINIMAL.replace('ivorn="ivo://', 'ivorn="http://')));
    rejectsWith('VOEVENT_BAD_VALUE', () =>
      parseVoEvent(
        MINIMAL.replace(
          '</Why>',
          '</Why><Citations><EventIVORN cite="maybe">ivo://x/y#1</EventIVORN></Citations>',
        ),
      ),
    );
  });

  test('refuses a document without ivorn or role with VOEVENT_MISSING_FIELD', () => {
    rejectsWith('VOEVENT_MISSING_FIELD', () => parseVoEvent(fixture('missing-ivorn.xml')));
    rejectsWith('VOEVENT_MISSING_FIELD', () => parseVoEvent(MINIMAL.replace('role="test" ', '')));
  });

  test('refuses an unknown VOEvent namespace with VOEVENT_BAD_NAMESPACE', () => {
    rejectsWith('VOEVENT_BAD_NAMESPACE', () => parseVoEvent(fixture('wrong-namespace.xml')));
  });

  test('refuses a Transport message or another root element with VOEVENT_NOT_VOEVENT', () => {
    rejectsWith('VOEVENT_NOT_VOEVENT', () => parseVoEvent(fixture('transport-ack.xml')));
    rejectsWith('VOEVENT_NOT_VOEVENT', () => parseVoEvent('<html><body/></html>'));
  });

  test('refuses bombs, deep, huge, empty and binary input with the guard codes', () => {
    rejectsWith('XML_DTD_FORBIDDEN', () => parseVoEvent(fixture('billion-laughs.xml')));
    rejectsWith('XML_DTD_FORBIDDEN', () => parseVoEvent(fixture('external-entity.xml')));
    rejectsWith('XML_TOO_DEEP', () => parseVoEvent(fixture('deep.xml')));
    rejectsWith('INPUT_TOO_LARGE', () =>
      parseVoEvent(MINIMAL.replace('</How>', `${'<!-- pad -->'.repeat(100_000)}</How>`)),
    );
    rejectsWith('INPUT_TOO_LARGE', () => parseVoEvent(MINIMAL, { maxBytes: 1000 }));
    rejectsWith('INPUT_EMPTY', () => parseVoEvent(fixture('empty.xml')));
    rejectsWith('INPUT_BINARY', () => parseVoEvent(fixture('binary.xml')));
    rejectsWith('XML_MALFORMED', () => parseVoEvent(fixture('truncated.xml')));
    rejectsWith('XML_MALFORMED', () => parseVoEvent(fixture('not-xml.xml')));
  });

  test('ignores elements named like JavaScript internals, without polluting any prototype', () => {
    const doc = MINIMAL.replace(
      '</What>',
      '<__proto__ polluted="yes"/><constructor/><Param name="__proto__" value="1"/></What>',
    );
    const event = parseVoEvent(doc);
    assert.deepEqual(
      event.params.map((p) => p.name),
      ['TrigID', 'Energy', '__proto__'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('peekVoEventHeader reads ivorn, role and version from the root start tag', () => {
    assert.deepEqual(peekVoEventHeader(MINIMAL), {
      ivorn: 'ivo://coincide.test/fixtures#minimal-2.0',
      role: 'test',
      version: '2.0',
      namespace: 'http://www.ivoa.net/xml/VOEvent/v2.0',
    });
    rejectsWith('VOEVENT_NOT_VOEVENT', () => peekVoEventHeader(fixture('transport-ack.xml')));
    rejectsWith('XML_DTD_FORBIDDEN', () => peekVoEventHeader(fixture('billion-laughs.xml')));
  });
});

describe('parseVoEvent on the real samples', { skip: skipUnlessShared() }, () => {
  test('reads a pretty-printed Fermi GBM VOEvent 2.0 (GRB 180116A Flt_Pos)', () => {
    const event = parseVoEvent(sample('voevent/grb/GRB180116A_Fermi_GBM_Flt_Pos.xml'));
    assert.equal(
      event.ivorn,
      'ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2018-01-16T00:36:52.81_537755817_46-995',
    );
    assert.equal(event.role, 'observation');
    assert.equal(event.version, '2.0');
    assert.equal(event.who.authorIvorn, 'ivo://nasa.gsfc.tan/gcn');
    assert.equal(event.who.date, '2018-01-16T00:36:56');
    assert.equal(event.who.shortName, 'Fermi (via VO-GCN)');
    assert.equal(event.who.contactName, 'Julie McEnery');
    assert.deepEqual(event.whereWhen, {
      observatoryLocationId: 'GEOLUN',
      coordSystemId: 'UTC-FK5-GEO',
      isoTime: '2018-01-16T00:36:52.81',
      timeUnixMs: Date.UTC(2018, 0, 16, 0, 36, 52, 810),
      unit: 'deg',
      ra: 216.3833,
      dec: 18.7,
      errorRadius: 19.8333,
    });
    const param = (name: string) => event.params.find((p) => p.name === name);
    assert.equal(param('Packet_Type')?.value, 111);
    assert.equal(param('TrigID')?.value, 537755817);
    assert.equal(param('Burst_SOD')?.unit, 'sec');
    assert.equal(param('Misc_flags')?.value, '0x1000000');
    const trigger = event.groups.find((g) => g.name === 'Trigger_ID');
    assert.equal(trigger?.params.find((p) => p.name === 'Def_NOT_a_GRB')?.value, false);
    assert.deepEqual(event.how.references, ['http://gcn.gsfc.nasa.gov/fermi.html']);
    assert.equal(event.why.importance, 0.5);
    assert.deepEqual(event.why.inferences, [
      { probability: 0.5, names: [], concepts: ['process.variation.burst;em.gamma'] },
    ]);
    assert.deepEqual(event.citations, [
      {
        ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Alert_2018-01-16T00:36:52.81_537755817_1-994',
        cite: 'followup',
      },
    ]);
  });

  test('reads a VOEvent 1.1 whose ObsDataLocation is in the STC namespace', () => {
    const event = parseVoEvent(sample('voevent/grb/gbm_flt_pos.xml'));
    assert.equal(event.version, '1.1');
    assert.equal(event.whereWhen.isoTime, '2011-09-04T03:54:36.02');
    assert.equal(event.whereWhen.ra, 193);
    assert.equal(event.whereWhen.dec, -31.75);
    assert.equal(event.whereWhen.errorRadius, 17.4333);
    assert.equal(event.whereWhen.coordSystemId, 'FK5-UTC-GEO');
  });

  test('reads an LVK notice with no Position2D, its sky map Group and its Z-suffixed time', () => {
    const event = parseVoEvent(sample('voevent/gw/S230518h-3-Update.xml'));
    assert.equal(event.ivorn.startsWith('ivo://gwnet/LVC#S230518h'), true);
    assert.equal(event.whereWhen.ra, undefined);
    assert.equal(event.whereWhen.timeUnixMs, Date.parse(event.whereWhen.isoTime ?? ''));
    const skymap = event.groups.find((g) => g.type === 'GW_SKYMAP');
    assert.ok(skymap?.params.some((p) => p.name === 'skymap_fits' && String(p.value).startsWith('https://')));
    assert.ok(event.citations.length > 0);
    assert.ok(
      event.citations.every(
        (c) => c.cite === 'supersedes' && c.ivorn.startsWith('ivo://gwnet/LVC#S230518h-'),
      ),
    );
  });

  test('reads a single-line lxml re-serialisation the same as the pretty original', () => {
    const event = parseVoEvent(sample('voevent/grb/GBM_Fin_Pos2023-09-11T07:53:09.73_716111594_0-588.xml'));
    assert.equal(event.whereWhen.isoTime, '2023-09-11T07:53:09.73');
    assert.ok(event.params.length > 10);
  });

  test('reads KILL_SOCKET (VOEvent 1.1, no Who, no WhereWhen) as a VOEvent without WhereWhen', () => {
    const event = parseVoEvent(sample('voevent/other/kill_socket.xml'));
    assert.equal(event.ivorn, 'ivo://nasa.gsfc.gcn/gcn');
    assert.equal(event.hasWhereWhen, false);
    assert.deepEqual(event.who, {});
    assert.equal(event.params[0]?.value, 4);
  });

  test('parses every XML sample or refuses it with the expected code', () => {
    const refused: Record<string, string> = {
      'MS220722v.xml': 'XML_MALFORMED', // JSON named .xml
      'Swift_unknown_fail.xml': 'XML_MALFORMED', // unbound xsi prefix
      'adacs_Antares_1438351269.xml': 'VOEVENT_BAD_NAMESPACE', // https:// namespace
      'coinc.xml': 'XML_DTD_FORBIDDEN', // LIGO_LW with a DOCTYPE
      'lvalert_xmpp.xml': 'VOEVENT_NOT_VOEVENT', // XMPP message
      'voevent-ex1.xml': 'VOEVENT_BAD_NAMESPACE', // VOEvent 2.1 draft
      'voevent-ex2.xml': 'VOEVENT_BAD_NAMESPACE',
      'ivoa_voevent-ex1_v2.1-draft.xml': 'VOEVENT_BAD_NAMESPACE',
      'ivoa_voevent-ex2_v2.1-draft.xml': 'VOEVENT_BAD_NAMESPACE',
    };
    const files = [
      ...listFiles(SAMPLES_DIR, ['.xml']),
      ...listFiles(`${OFFICIAL_SCHEMAS_DIR}/samples`, ['.xml']),
    ];
    assert.ok(files.length > 100, `only ${files.length} XML samples found`);
    for (const file of files) {
      const expected = refused[basename(file)];
      if (expected === undefined) {
        const event = parseVoEvent(readFileSync(file));
        assert.ok(event.ivorn.startsWith('ivo://'), file);
      } else {
        rejectsWith(expected, () => parseVoEvent(readFileSync(file)));
      }
    }
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateXML } from 'xmllint-wasm';
import { buildCoincidenceVoEvent } from '../../src/sinks/voevent-out.ts';
import { parseVoEvent } from '../../src/voevent/parse.ts';
import { OFFICIAL_SCHEMAS_DIR, skipUnlessShared } from '../helpers/shared.ts';
import { makeCoincidence, makeTriple } from '../http/records.ts';

const LOCAL_IVO = 'ivo://coincide.test/broker';
const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5, 600);

/** Validates against the official IVOA VOEvent 2.0 schema (the oracle, from ../shared). */
async function validateOfficial(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const schema = readFileSync(join(OFFICIAL_SCHEMAS_DIR, 'VOEvent-v2.0.xsd'), 'utf8');
  const result = await validateXML({ xml: [{ fileName: 'packet.xml', contents: xml }], schema: [schema] });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}

describe('VOEvent output', () => {
  it('writes an ivorn under the local IVO that cites the trigger, with the score in Params', () => {
    const c = makeCoincidence();
    const { ivorn, xml } = buildCoincidenceVoEvent(c, { localIvo: LOCAL_IVO, seq: 42, nowMs: NOW_MS });
    assert.equal(ivorn, `${LOCAL_IVO}#coincidence-c-757418405-ZTF25aaaaaaa-42`);
    const parsed = parseVoEvent(xml);
    assert.equal(parsed.ivorn, ivorn);
    assert.equal(parsed.role, 'observation');
    assert.equal(parsed.who.authorIvorn, LOCAL_IVO);
    assert.deepEqual(parsed.citations, [{ ivorn: c.trigger.ivorn, cite: 'followup' }]);
    const byName = new Map(parsed.params.map((p) => [p.name, p]));
    assert.equal(byName.get('p_chance')?.value, 0.004);
    assert.equal(byName.get('tier')?.value, 'silver');
    assert.equal(byName.get('separation_deg')?.unit, 'deg');
    const counterpart = parsed.groups.find((g) => g.name === 'Counterpart');
    assert.equal(counterpart?.params.find((p) => p.name === 'alert_id')?.rawValue, '2345678901234567891');
  });

  it('writes a triple with a Partner group per other trigger, its pair ids, and cites every trigger', () => {
    const c = makeTriple();
    const parsed = parseVoEvent(
      buildCoincidenceVoEvent(c, { localIvo: LOCAL_IVO, seq: 5, nowMs: NOW_MS }).xml,
    );
    const byName = new Map(parsed.params.map((p) => [p.name, p]));
    assert.equal(byName.get('pair_type')?.value, 'mm-mm-optical');
    assert.equal(byName.get('pair_ids')?.value, c.pairIds?.join(','));
    assert.equal(byName.get('far_hz')?.value, 3.5e-12);
    const partners = parsed.groups.filter((g) => g.name === 'Partner');
    assert.equal(partners.length, 1);
    assert.equal(partners[0]?.params.find((p) => p.name === 'partner_id')?.value, 'Fermi:757418405');
    assert.deepEqual(parsed.citations, [
      { ivorn: c.trigger.ivorn, cite: 'followup' },
      { ivorn: c.partners?.[0]?.ivorn, cite: 'followup' },
    ]);
    assert.equal(parsed.whereWhen.ra, 150.3);
  });

  it("puts the optical candidate's position and detection time in WhereWhen", () => {
    const c = makeCoincidence();
    const parsed = parseVoEvent(
      buildCoincidenceVoEvent(c, { localIvo: LOCAL_IVO, seq: 1, nowMs: NOW_MS }).xml,
    );
    assert.equal(parsed.whereWhen.ra, 150.3);
    assert.equal(parsed.whereWhen.dec, 2.1);
    assert.equal(parsed.whereWhen.coordSystemId, 'UTC-ICRS-TOPO');
    // timeMjd 60676.6 = 2025-01-01T14:24:00Z
    assert.equal(parsed.whereWhen.timeUnixMs, Date.UTC(2025, 0, 1, 14, 24, 0));
  });

  it('makes a withdrawal cite the packet it withdraws as a retraction, and keeps role=test for tests', () => {
    const c = makeCoincidence({ status: 'withdrawn', role: 'test' });
    const previous = `${LOCAL_IVO}#coincidence-c-757418405-ZTF25aaaaaaa-7`;
    const parsed = parseVoEvent(
      buildCoincidenceVoEvent(c, { localIvo: LOCAL_IVO, seq: 9, nowMs: NOW_MS, previousIvorn: previous }).xml,
    );
    assert.equal(parsed.role, 'test');
    assert.deepEqual(parsed.citations, [
      { ivorn: c.trigger.ivorn, cite: 'followup' },
      { ivorn: previous, cite: 'retraction' },
    ]);
  });

  it('escapes XML metacharacters in every text and attribute it writes', () => {
    const c = makeCoincidence({ id: 'a<b>&"c"' });
    c.trigger = { ...c.trigger, observatory: 'A&B <"x">' };
    const { ivorn, xml } = buildCoincidenceVoEvent(c, { localIvo: LOCAL_IVO, seq: 3, nowMs: NOW_MS });
    assert.equal(ivorn, `${LOCAL_IVO}#coincidence-a_b___c_-3`);
    const parsed = parseVoEvent(xml);
    assert.equal(
      parsed.groups.find((g) => g.name === 'Trigger')?.params.find((p) => p.name === 'observatory')?.value,
      'A&B <"x">',
    );
  });

  it(
    'is valid against the official VOEvent 2.0 schema, for optical and messenger pairs, candidates and withdrawals',
    {
      skip: skipUnlessShared(),
    },
    async () => {
      const optical = makeCoincidence();
      const withdrawn = makeCoincidence({
        status: 'withdrawn',
        tier: null,
        farHz: 1e-7,
        credibleLevel: 0.42,
      });
      const mm = makeCoincidence({
        pairType: 'mm-mm',
        counterpart: {
          triggerId: 'LVK:S250101a',
          ivorn: 'ivo://gwnet/LVC#S250101a-1-Preliminary',
          messenger: 'gw',
          observatory: 'LVK',
          noticeType: 'LVC_PRELIMINARY',
          triggerTime: '2025-01-01T09:59:58.300Z',
          revision: 1,
        },
      });
      for (const [i, c] of [
        optical,
        withdrawn,
        mm,
        makeTriple(),
        makeTriple({ status: 'withdrawn' }),
      ].entries()) {
        const { xml } = buildCoincidenceVoEvent(c, {
          localIvo: LOCAL_IVO,
          seq: i + 1,
          nowMs: NOW_MS,
          ...(i === 1 ? { previousIvorn: `${LOCAL_IVO}#coincidence-x-1` } : {}),
        });
        const result = await validateOfficial(xml);
        assert.ok(result.valid, `${c.pairType}/${c.status}: ${result.errors.join('; ')}`);
      }
    },
  );
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine, type JoinEngine } from '../../src/join/engine.ts';
import type { Coincidence, OpticalSummary } from '../../src/join/coincidence.ts';
import type { Notice } from '../../src/notices/notice.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { tripleFarHz } from '../../src/join/triple-score.ts';
import { DAY_SEC } from '../../src/join/score.ts';
import { DEFAULT_SCORE_SETTINGS } from '../../src/join/searches.ts';
import { circle, makeAlert, makeNotice } from './make-records.ts';

const T0 = 60_000.5;
const HOUR = 1 / 24;

const gw = (revision = 1, ra = 150): Notice =>
  makeNotice({
    triggerId: 'LVK:S1',
    messenger: 'gw',
    timeMjd: T0,
    region: circle(ra, 20, 12),
    farHz: 1e-8,
    revision,
  });
const grb = (revision = 1): Notice =>
  makeNotice({
    triggerId: 'GRB:1',
    timeMjd: T0 + 2 / 86_400,
    region: circle(153, 21, 4),
    noticeType: 'Swift_BAT_GRB_Pos',
    observatory: 'Swift',
    instrument: 'BAT',
    revision,
  });
const optical = (objectId = 'o1', ra = 153.2, dec = 21.1, dtDays = HOUR): OpticalAlert =>
  makeAlert({ objectId, raDeg: ra, decDeg: dec, timeMjd: T0 + dtDays });

type Input = Notice | OpticalAlert;
const feed = (engine: JoinEngine, input: Input): Coincidence[] =>
  'ivorn' in input ? engine.onNotice(input) : engine.onOpticalAlert(input);

/** The records standing after a sequence of inputs: the last version of each id. */
function standing(inputs: readonly Input[]): Map<string, Coincidence> {
  const engine = createJoinEngine();
  const last = new Map<string, Coincidence>();
  for (const input of inputs) for (const c of feed(engine, input)) last.set(c.id, c);
  return last;
}
const candidates = (m: Map<string, Coincidence>, type: Coincidence['pairType']): Coincidence[] =>
  [...m.values()].filter((c) => c.status === 'candidate' && c.pairType === type);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

describe('triples (messenger pair + optical object)', () => {
  test('GW + GRB + optical forms one triple, linked to its pair records, with FAR = x (1 + ln(F_max / x))', () => {
    const out = standing([gw(), grb(), optical()]);
    const [pair] = candidates(out, 'mm-mm');
    const [triple] = candidates(out, 'mm-mm-optical');
    assert.ok(pair && triple, 'a pair and a triple');
    assert.equal(triple.trigger.triggerId, 'LVK:S1');
    assert.deepEqual(
      triple.partners?.map((p) => p.triggerId),
      ['GRB:1'],
    );
    assert.equal((triple.counterpart as OpticalSummary).objectId, 'o1');
    const opticalPairs = candidates(out, 'mm-optical');
    assert.equal(opticalPairs.length, 2, 'the object is also in the GW circle and the GRB circle');
    assert.deepEqual(triple.pairIds, [
      pair.id,
      ...opticalPairs
        .map((c) => c.id)
        .sort((a, b) => {
          const order = (id: string) => (out.get(id)?.trigger.triggerId === 'LVK:S1' ? 0 : 1);
          return order(a) - order(b);
        }),
    ]);
    const r = triple.provenance.rates;
    assert.equal(r.pairFarHz, pair.farHz);
    assert.equal(r.maxPairFarHz, 1 / DAY_SEC);
    assert.equal(triple.farHz, tripleFarHz(pair.farHz as number, triple.pChance, 1 / DAY_SEC));
    assert.ok(triple.farHz > (pair.farHz as number) * triple.pChance);
    // The combined localisation is smaller than either circle: the object's p is smaller under it.
    const gwOptical = opticalPairs.find((c) => c.trigger.triggerId === 'LVK:S1') as Coincidence;
    assert.ok((r.searchedAreaDeg2 as number) < (gwOptical.provenance.rates.searchedAreaDeg2 as number));
    assert.ok(triple.pChance < gwOptical.pChance, `${triple.pChance} < ${gwOptical.pChance}`);
    assert.match(triple.provenance.formulaVersion, /search=Triple/);
    assert.ok(triple.tier !== undefined);
  });

  test('every order of arrival gives the same triple', () => {
    const reference = candidates(standing([gw(), grb(), optical()]), 'mm-mm-optical');
    assert.equal(reference.length, 1);
    for (const order of permutations<Input>([gw(), grb(), optical()])) {
      const got = candidates(standing(order), 'mm-mm-optical');
      assert.deepEqual(
        got,
        reference,
        order.map((x) => ('ivorn' in x ? x.triggerId : x.objectId)).join(' → '),
      );
    }
  });

  test('an object outside the combined localisation forms no triple', () => {
    // Inside the 12° GW circle, far outside the 4° GRB circle.
    const out = standing([gw(), grb(), optical('o2', 142, 17)]);
    assert.equal(candidates(out, 'mm-optical').length, 1);
    assert.equal(candidates(out, 'mm-mm-optical').length, 0);
  });

  test('a retraction of any trigger withdraws the triple', () => {
    for (const retracted of ['LVK:S1', 'GRB:1']) {
      const engine = createJoinEngine();
      const ids = new Set<string>();
      for (const input of [gw(), grb(), optical()])
        for (const c of feed(engine, input)) if (c.pairType === 'mm-mm-optical') ids.add(c.id);
      assert.equal(ids.size, 1);
      const base = retracted === 'GRB:1' ? grb(2) : gw(2);
      const out = engine.onNotice({ ...base, alertType: 'retraction' });
      const withdrawn = out.filter((c) => c.pairType === 'mm-mm-optical');
      assert.equal(withdrawn.length, 1, retracted);
      assert.equal(withdrawn[0]?.status, 'withdrawn');
      assert.ok(ids.has(withdrawn[0]?.id));
      // A later optical alert of another object in the region forms no triple.
      const later = engine.onOpticalAlert(optical('o3', 153.1, 21.0, 2 * HOUR));
      assert.equal(later.filter((c) => c.pairType === 'mm-mm-optical').length, 0);
    }
  });

  test('a revision that moves the GW away withdraws the pair and the triple; moving back re-forms it', () => {
    const engine = createJoinEngine();
    for (const input of [gw(), grb(), optical()]) feed(engine, input);
    const moved = engine.onNotice(gw(2, 320));
    // The circles' tails still overlap (the pair stays, with a FAR far above F_max), the object
    // is far outside the GW circle and the combined localisation.
    const withdrawn = moved
      .filter((c) => c.status === 'withdrawn')
      .map((c) => c.pairType)
      .sort();
    assert.deepEqual(withdrawn, ['mm-mm-optical', 'mm-optical']);
    const pair = moved.find((c) => c.pairType === 'mm-mm');
    assert.ok(pair === undefined || (pair.farHz as number) > 1 / DAY_SEC, String(pair?.farHz));
    const back = engine.onNotice(gw(3, 150));
    assert.equal(back.filter((c) => c.pairType === 'mm-mm-optical' && c.status === 'candidate').length, 1);
  });

  test('a later alert of the same object does not duplicate the triple', () => {
    const engine = createJoinEngine();
    for (const input of [gw(), grb(), optical('o1', 153.2, 21.1, 2 * HOUR)]) feed(engine, input);
    const again = engine.onOpticalAlert(optical('o1', 153.2, 21.1, 3 * HOUR));
    assert.equal(again.filter((c) => c.pairType === 'mm-mm-optical').length, 0);
  });

  test('a pair above F_max forms no triple', () => {
    const engine = createJoinEngine({
      scores: { ...DEFAULT_SCORE_SETTINGS, tripleMaxPairFarHz: 1e-30 },
    });
    const out: Coincidence[] = [];
    for (const input of [gw(), grb(), optical()]) out.push(...feed(engine, input));
    assert.equal(out.filter((c) => c.pairType === 'mm-mm').length, 1);
    assert.equal(out.filter((c) => c.pairType === 'mm-mm-optical').length, 0);
  });

  test('test-role triggers form test-role triples only with test-role partners', () => {
    const out = standing([{ ...gw(), role: 'test' }, grb(), optical()]);
    assert.equal(candidates(out, 'mm-mm-optical').length, 0);
  });
});

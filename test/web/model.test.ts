import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConsoleModel,
  filtersFromQuery,
  filtersToQuery,
  matchesFilters,
  type CoincidenceLike,
  type NoticeLike,
  type StreamRecord,
} from '../../web/model.ts';
import {
  coincidenceTitle,
  formatAge,
  formatFar,
  noticeChanges,
  noticeLinks,
  opticalLinks,
  provenanceWords,
} from '../../web/format.ts';
import { makeCoincidence, makeNotice, makeTriple } from '../http/records.ts';
import { explainCoincidence } from '../../src/join/explain.ts';
import { explanationOf } from '../../web/explanation-view.ts';

const notice = (overrides: Partial<NoticeLike> = {}): NoticeLike => ({ ...makeNotice(), ...overrides });
const coincidence = (overrides: Partial<CoincidenceLike> = {}): CoincidenceLike =>
  ({ ...makeCoincidence(), ...overrides }) as CoincidenceLike;

describe('console model', () => {
  it('marks older versions superseded, a retraction retracts every version, and a pair updates in place', () => {
    const model = new ConsoleModel();
    assert.deepEqual(
      model.apply({ seq: 1, type: 'notice', data: notice({ alertType: 'preliminary' }) }).map((c) => c.op),
      ['add'],
    );
    const second = model.apply({ seq: 2, type: 'notice', data: notice({ alertType: 'initial' }) });
    assert.deepEqual(
      second.map((c) => [c.op, c.item.key]),
      [
        ['update', 'n:1'],
        ['add', 'n:2'],
      ],
    );
    model.apply({ seq: 3, type: 'coincidence', data: coincidence() });
    const retraction = model.apply({ seq: 4, type: 'notice', data: notice({ alertType: 'retraction' }) });
    assert.deepEqual(
      retraction.map((c) => [c.op, c.item.key]),
      [
        ['update', 'n:1'],
        ['update', 'n:2'],
        ['add', 'n:4'],
      ],
    );
    assert.ok(model.isRetracted('Fermi:757418405'));
    const withdrawn = model.apply({ seq: 5, type: 'withdrawn', data: coincidence({ status: 'withdrawn' }) });
    assert.deepEqual(
      withdrawn.map((c) => c.op),
      ['update'],
    );
    assert.deepEqual(
      model.newestFirst().map((i) => i.key),
      ['c:c-757418405-ZTF25aaaaaaa', 'n:4', 'n:2', 'n:1'],
    );
    assert.equal(model.lastSeq, 5);
    assert.deepEqual(model.apply({ seq: 6, type: 'heartbeat', data: {} }), []);
  });

  it('ends in the same state when the newest page comes first and older pages after', () => {
    const gbm = (alertType: string, ivorn: string) => notice({ alertType, ivorn });
    const records: StreamRecord[] = [
      { seq: 1, type: 'notice', data: gbm('preliminary', 'ivo://x#1') },
      { seq: 2, type: 'coincidence', data: coincidence() },
      { seq: 3, type: 'notice', data: gbm('initial', 'ivo://x#3') },
      { seq: 4, type: 'notice', data: notice({ triggerId: 'Fermi:2', ivorn: 'ivo://x#4' }) },
      { seq: 5, type: 'notice', data: gbm('retraction', 'ivo://x#5') },
      { seq: 6, type: 'withdrawn', data: coincidence({ status: 'withdrawn' }) },
      { seq: 7, type: 'coincidence', data: coincidence({ id: 'c-2' }) },
    ];
    const state = (model: ConsoleModel): unknown =>
      model
        .newestFirst()
        .map((item) =>
          item.kind === 'notice'
            ? [item.key, item.seq, item.superseded, item.retracted]
            : [item.key, item.seq, item.coincidence.status],
        );
    const inOrder = new ConsoleModel();
    for (const record of records) inOrder.apply(record);
    // Pages of 3, newest first, each applied oldest first (as web/main.ts does), and one record
    // twice (a first page's related notice comes again with its own page).
    const paged = new ConsoleModel();
    const pages = [records.slice(4), records.slice(1, 4), records.slice(0, 1)];
    assert.deepEqual(
      paged.apply(records[2]!).map((c) => c.op),
      ['add'],
    );
    for (const page of pages) for (const record of page) paged.apply(record);
    assert.deepEqual(paged.apply(records[2]!), [], 'a record seen before changes nothing');
    assert.deepEqual(state(paged), state(inOrder));
    assert.equal(paged.lastSeq, 7);
    assert.deepEqual(
      paged.byTrigger.get('Fermi:757418405')?.map((v) => v.seq),
      [1, 3, 5],
    );
  });

  it('files a triple under each of its triggers, titles it trigger × partner × object, and filters on its partners', () => {
    const model = new ConsoleModel();
    const triple = makeTriple() as unknown as CoincidenceLike;
    model.apply({ seq: 1, type: 'coincidence', data: triple });
    assert.deepEqual(
      model.coincidencesByTrigger.get('LVK:S250101a')?.map((i) => i.key),
      [`c:${triple.id}`],
    );
    assert.deepEqual(
      model.coincidencesByTrigger.get('Fermi:757418405')?.map((i) => i.key),
      [`c:${triple.id}`],
    );
    assert.equal(coincidenceTitle(triple), 'LVK:S250101a × Fermi:757418405 × ZTF ZTF25aaaaaaa');
    const [item] = model.newestFirst();
    assert.ok(item);
    assert.ok(matchesFilters(item, filtersFromQuery('?messenger=gamma')));
    assert.ok(matchesFilters(item, filtersFromQuery('?observatory=fermi')));
    assert.ok(!matchesFilters(item, filtersFromQuery('?messenger=neutrino')));
  });

  it('filters by messenger, tier, role and observatory, hides tests unless asked, and keeps filters in the URL', () => {
    const f = filtersFromQuery('?messenger=GW,gamma&tier=gold&tests=1');
    assert.deepEqual(f, {
      messengers: ['gw', 'gamma'],
      tiers: ['gold'],
      roles: [],
      observatories: [],
      showTests: true,
    });
    assert.equal(filtersToQuery(f), '?messenger=gw,gamma&tier=gold&tests=1');
    assert.equal(filtersToQuery(filtersFromQuery('')), '');
    const model = new ConsoleModel();
    model.apply({ seq: 1, type: 'notice', data: notice({ role: 'test' }) });
    model.apply({ seq: 2, type: 'coincidence', data: coincidence({ tier: 'silver' }) });
    const [c, n] = model.newestFirst();
    const none = filtersFromQuery('');
    assert.equal(matchesFilters(n!, none), false, 'tests hidden');
    assert.equal(matchesFilters(n!, filtersFromQuery('?tests=1')), true);
    assert.equal(matchesFilters(c!, filtersFromQuery('?tier=gold')), false);
    assert.equal(matchesFilters(c!, filtersFromQuery('?tier=silver&messenger=optical')), true);
    assert.equal(matchesFilters(c!, filtersFromQuery('?observatory=ZTF')), true);
  });
});

describe('console text', () => {
  it('formats ages and FARs, lists what changed, links out, and puts the provenance in words', () => {
    assert.equal(formatAge(42_000), '42 s');
    assert.equal(formatAge(3 * 3600_000), '3.0 h');
    assert.match(formatFar(1 / (2 * 365.25 * 86400)), /^1 per 2\.0 yr/);
    assert.deepEqual(noticeChanges(undefined, notice()), ['first version']);
    assert.deepEqual(noticeChanges(notice({ alertType: 'initial' }), notice({ alertType: 'retraction' })), [
      'alert type: initial → retraction',
    ]);
    assert.deepEqual(
      noticeLinks(notice({ observatory: 'LVK', triggerId: 'LVK:S170817a', eventName: 'S170817a' })).map(
        (l) => l.label,
      ),
      ['GCN circulars', 'GraceDB'],
    );
    assert.ok(
      noticeLinks(notice({ observatory: 'LVK', eventName: 'S170817a' }))[1]?.href.endsWith(
        '/superevents/S170817a/view/',
      ),
    );
    const c = coincidence();
    assert.deepEqual(
      opticalLinks(c.counterpart).map((l) => l.label),
      ['Fink', 'ZTF (ALeRCE)', 'TNS'],
    );
    assert.match(provenanceWords(c), /came .* s after Fermi:757418405/);
    assert.equal(provenanceWords({ ...c, explanation: 'from coincide explain' }), 'from coincide explain');
  });

  it("the trigger page's provenance is coincide explain's sections, from the record as served", () => {
    const record = makeCoincidence();
    const served = JSON.parse(JSON.stringify(record)) as CoincidenceLike;
    assert.deepEqual(explanationOf(served), explainCoincidence(record));
    assert.ok((explanationOf(served)?.sections.length ?? 0) > 1);
    // A record explain.ts cannot read (an older format): none, and the page shows provenanceWords.
    assert.equal(
      explanationOf({ ...served, provenance: undefined } as unknown as CoincidenceLike),
      undefined,
    );
  });
});

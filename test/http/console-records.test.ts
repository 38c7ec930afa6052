/**
 * GET /console/records: the records of /v1/notices and /v1/coincidences, newest first, a page at
 * a time, with only the fields the console's list and sky read; with `related`, the latest older
 * notice of each trigger the page's coincidences name; each type needs its scope; a token is
 * required.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TokenLimits } from '../../src/auth/scopes.ts';
import type { TokenInfo } from '../../src/auth/tokens.ts';
import { ManualClock } from '../../src/clock.ts';
import { createCompactRecords } from '../../src/http/routes/console-compact.ts';
import {
  CONSOLE_FIRST_PAGE,
  CONSOLE_MAX_LIMIT,
  MAX_SKIP_CHARS,
  compactPage,
} from '../../src/http/routes/console-records.ts';
import { createOutbox, type Outbox } from '../../src/sinks/outbox.ts';
import { openDatabase } from '../../src/store/database.ts';
import { encodeSeqList } from '../../src/text/seq-list.ts';
import { FIRST_PAGE, FIRST_PAGE_PATH } from '../../web/first-page.ts';
import { makeCoincidence, makeNotice } from './records.ts';
import { createTestToken, startTestApp } from './start-app.ts';

const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

interface Rec {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

interface Page {
  records: Rec[];
  related: Rec[];
  more: boolean;
  nextBeforeSeq: number | null;
}

describe('GET /console/records', () => {
  it('is /v1/notices and /v1/coincidences, newest first, without params, provenance and alert details', async () => {
    const t = await startTestApp();
    try {
      t.app.publishNotice(makeNotice({ params: { Packet_Type: 112, Long_Param: 'x'.repeat(500) } }));
      t.app.publishCoincidence(makeCoincidence());
      const compact = (await (await fetch(`${t.httpUrl}/console/records`, bearer(t.token))).json()) as Page;
      const notices = (await (await fetch(`${t.httpUrl}/v1/notices`, bearer(t.token))).json()) as Rec[];
      const coincidences = (await (
        await fetch(`${t.httpUrl}/v1/coincidences`, bearer(t.token))
      ).json()) as Rec[];
      assert.deepEqual(
        compact.records.map((r) => r.seq),
        [...notices, ...coincidences].map((r) => r.seq).sort((a, b) => b - a),
      );
      assert.deepEqual(compact.related, []);
      // What the console shows of a notice: not its params, citations, source and MJD.
      const shown = Object.fromEntries(
        Object.entries(notices[0]!.data).filter(
          ([key]) => !['params', 'citations', 'source', 'triggerTimeMjd'].includes(key),
        ),
      );
      const regionShown = { ...(shown.region as Record<string, unknown>) };
      delete regionShown.systematicIncluded;
      const compactNotice = compact.records.find((r) => r.type === 'notice');
      assert.deepEqual(compactNotice?.data, { ...shown, region: regionShown });
      // The circle comes drawn: SVG path data in the console's sky view.
      assert.match((compactNotice as { outline?: string } | undefined)?.outline ?? '', /^M[\d.-]+,[\d.-]+L/);
      const full = coincidences[0]!.data;
      const c = compact.records.find((r) => r.type === 'coincidence')!.data;
      assert.equal(c.provenance, undefined);
      assert.equal(c.dtSeconds, undefined, 'the delay is on the trigger page');
      const triggerShown = { ...(full.trigger as Record<string, unknown>) };
      delete triggerShown.ivorn;
      delete triggerShown.revision;
      assert.deepEqual(c.trigger, triggerShown);
      assert.equal(c.tier, full.tier);
      assert.equal(c.pChance, full.pChance);
      const counterpart = full.counterpart as Record<string, unknown>;
      assert.deepEqual(c.counterpart, {
        survey: counterpart.survey,
        objectId: counterpart.objectId,
        raDeg: counterpart.raDeg,
        decDeg: counterpart.decDeg,
      });

      assert.equal((await fetch(`${t.httpUrl}/console/records`)).status, 401);
      const noticesOnly = createTestToken(t.dbPath, 'notices-only', { scopes: ['notices'] });
      const partial = (await (
        await fetch(`${t.httpUrl}/console/records?related=true`, bearer(noticesOnly))
      ).json()) as Page;
      assert.deepEqual(
        partial.records.map((r) => r.type),
        ['notice'],
      );
      const coincidencesOnly = createTestToken(t.dbPath, 'coincidences-only', { scopes: ['coincidences'] });
      const other = (await (
        await fetch(`${t.httpUrl}/console/records?related=true&limit=1`, bearer(coincidencesOnly))
      ).json()) as Page;
      assert.deepEqual(
        other.records.map((r) => r.type),
        ['coincidence'],
      );
      assert.deepEqual(other.related, [], 'no notices without the notices scope');
    } finally {
      await t.stop();
    }
  });

  it("warms at start-up the call the console makes first (web/first-page.ts's)", () => {
    assert.equal(CONSOLE_FIRST_PAGE, FIRST_PAGE);
    assert.equal(FIRST_PAGE_PATH, `/console/records?limit=${CONSOLE_FIRST_PAGE}&related=true`);
  });

  it('pages back with beforeSeq, and brings the latest older notice of each trigger named', async () => {
    const t = await startTestApp();
    try {
      const base = makeCoincidence();
      const trigger = (id: string) => ({ ...base.trigger, triggerId: id });
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:1', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#one-1' }));
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:2', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#two-1' }));
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:1', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#one-2' }));
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:3', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#three-1' }));
      // A pair of Fermi:1 with an optical object, and one of Fermi:3 with Fermi:2 (an mm pair).
      t.app.publishCoincidence(makeCoincidence({ id: 'c-1', trigger: trigger('Fermi:1') }));
      t.app.publishCoincidence(
        makeCoincidence({
          id: 'c-2',
          pairType: 'mm-mm',
          trigger: trigger('Fermi:3'),
          counterpart: trigger('Fermi:2'),
        }),
      );
      const get = async (query: string): Promise<Page> =>
        (await (await fetch(`${t.httpUrl}/console/records?${query}`, bearer(t.token))).json()) as Page;

      const seqs: number[] = [];
      let page = await get('limit=2&related=true');
      assert.deepEqual(
        page.records.map((r) => (r.data as { id?: string }).id),
        ['c-2', 'c-1'],
      );
      // The latest notice of each trigger named, older than the page (Fermi:1's second version).
      assert.deepEqual(page.related.map((r) => (r.data as { ivorn: string }).ivorn).sort(), [
        'ivo://nasa.gsfc.gcn/Fermi#one-2',
        'ivo://nasa.gsfc.gcn/Fermi#three-1',
        'ivo://nasa.gsfc.gcn/Fermi#two-1',
      ]);
      for (;;) {
        seqs.push(...page.records.map((r) => r.seq));
        if (!page.more) break;
        page = await get(`limit=2&beforeSeq=${page.records.at(-1)!.seq}`);
        assert.deepEqual(page.related, [], 'related only when asked');
      }
      assert.deepEqual(seqs, [6, 5, 4, 3, 2, 1], 'the last page says there is no more');
      assert.equal((await get('limit=2&beforeSeq=1')).records.length, 0);
      // A page that holds the notice itself brings no copy of it.
      page = await get('limit=3&related=true');
      assert.deepEqual(page.related.map((r) => (r.data as { ivorn: string }).ivorn).sort(), [
        'ivo://nasa.gsfc.gcn/Fermi#one-2',
        'ivo://nasa.gsfc.gcn/Fermi#two-1',
      ]);
      assert.equal((await fetch(`${t.httpUrl}/console/records?beforeSeq=-1`, bearer(t.token))).status, 400);
      // Records the caller holds are not sent, but count in the limit: the next page is the same.
      const held = await get('limit=3');
      assert.deepEqual(
        held.records.map((r) => r.seq),
        [6, 5, 4],
      );
      assert.equal(held.nextBeforeSeq, 4);
      const skipped = await get(`limit=3&related=true&skip=${encodeSeqList([4, 2])}`);
      assert.deepEqual(
        skipped.records.map((r) => r.seq),
        [6, 5],
      );
      assert.equal(skipped.nextBeforeSeq, 4, 'the oldest seq of the page, skipped or not');
      assert.deepEqual(
        skipped.related.map((r) => r.seq),
        [3],
        'Fermi:2 (seq 2) is held',
      );
      assert.equal(skipped.more, true);
      assert.equal((await get('limit=3&beforeSeq=1')).nextBeforeSeq, null);
      for (const bad of ['1..2', '1.0', 'A', `${'1.'.repeat(MAX_SKIP_CHARS / 2)}1`]) {
        const refused = await fetch(`${t.httpUrl}/console/records?skip=${bad}`, bearer(t.token));
        assert.equal(refused.status, 400, bad.slice(0, 10));
        assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
      }
      // The console asks for its older records in one call: up to CONSOLE_MAX_LIMIT.
      assert.equal((await get(`limit=${CONSOLE_MAX_LIMIT}`)).records.length, 6);
      assert.equal(
        (await fetch(`${t.httpUrl}/console/records?limit=${CONSOLE_MAX_LIMIT + 1}`, bearer(t.token))).status,
        400,
      );
    } finally {
      await t.stop();
    }
  });
});

describe('compactPage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-console-page-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const access = (limits: TokenLimits = {}): TokenInfo => ({
    id: 1,
    name: 't',
    createdMs: 0,
    revokedMs: null,
    scopes: ['notices', 'coincidences'],
    limits,
  });

  it('reads a page in several outbox queries, from the compact cache when it holds every record, and the same records for a limited token', () => {
    const db = openDatabase({ path: join(dir, 'page.db') });
    try {
      const outbox = createOutbox({ db, clock: new ManualClock(1000) });
      for (let i = 0; i < 20; i++) {
        if (i % 4 === 0)
          outbox.append('notice', makeNotice({ observatory: i % 8 === 0 ? 'Fermi' : 'Swift' }), 'T');
        else outbox.append('coincidence', makeCoincidence({ id: `c-${i}` }), 'T');
      }
      const compact = createCompactRecords();
      const queried: Array<boolean | undefined> = [];
      const watched: Outbox = {
        ...outbox,
        query(query) {
          queried.push(query.withoutJson);
          return outbox.query(query);
        },
      };
      const types = ['notice', 'coincidence', 'withdrawn'] as const;
      // Nothing cached: each step reads the keys, then the rows with their JSON. 13 records in
      // steps of 5: 5, 5, 3.
      const cold = compactPage(watched, access(), { types, beforeSeq: 19 }, 13, compact, 5);
      assert.deepEqual(
        cold.map((r) => r.seq),
        Array.from({ length: 13 }, (_, i) => 18 - i),
      );
      assert.deepEqual(queried, [true, undefined, true, undefined, true, undefined]);
      // Now cached: keys only, and the very same compact records.
      queried.length = 0;
      const warm = compactPage(watched, access(), { types, beforeSeq: 19 }, 13, compact, 5);
      assert.deepEqual(queried, [true, true, true]);
      assert.ok(warm.every((r, i) => r === cold[i]));
      // The whole outbox, in fewer records than asked for: the last step stops early.
      assert.equal(compactPage(outbox, access(), { types }, 100, compact, 7).length, 20);
      // A limited token: the records it may see, compacted the same way.
      const fermi = compactPage(
        outbox,
        access({ observatories: ['fermi'] }),
        { types: ['notice'] },
        100,
        compact,
      );
      assert.deepEqual(
        fermi.map((r) => r.seq),
        [17, 9, 1],
      );
      assert.equal(fermi[0], compact.peek(17));
      assert.deepEqual(compactPage(outbox, access(), { types: [] }, 10, compact), []);
    } finally {
      db.close();
    }
  });
});

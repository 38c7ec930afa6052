/**
 * Every archive query kind against brute force on a generated archive: the brute force reads
 * every notice and tests it in JavaScript (filters) and with the MOC algebra of src/sky
 * (positions: Moc.contains, Moc.intersection on MOCs derived afresh), never through the index,
 * the R*-tree or SQL.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createArchiveIndex, ROWS_PER_NOTICE, type ArchiveIndex } from '../../src/archive/archive-index.ts';
import { decodeRanges, indexRows } from '../../src/archive/moc-ranges.ts';
import { noticeMocs } from '../../src/archive/notice-mocs.ts';
import { parseArchiveQuery, type ArchiveQueryParam } from '../../src/archive/query-params.ts';
import { createArchiveSearch, type ArchiveQuery, type ArchiveSearch } from '../../src/archive/search.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { mocFromCircle, defaultOrderForSize } from '../../src/sky/moc-build.ts';
import { formatMocAscii } from '../../src/sky/moc-io.ts';
import { Moc } from '../../src/sky/moc.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { generatedSkyMaps, seededRandom, writeGeneratedArchive } from '../helpers/generated-archive.ts';

const COUNT = 1200;

interface Truth {
  id: number;
  notice: Notice;
  receivedMs: number;
  mocs: Map<number, Moc>;
}

let db: SqliteDatabase;
let index: ArchiveIndex;
let archive: ArchiveSearch;
let truth: Truth[];
/**
 * The search as configured, and forced down each of its two paths: the R*-tree candidates
 * (however many rows) and the walk in trigger-time order with the bounding caps (always).
 */
let paths: Array<[string, ArchiveSearch]>;

/** Every page of a query, concatenated (ids). */
function allIds(query: ArchiveQuery, limit = 37, search: ArchiveSearch = archive): number[] {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = search.search({ ...query, limit, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.hits.map((h) => h.noticeId));
    if (page.nextCursor === undefined) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

function bruteIds(keep: (t: Truth) => boolean, order: 'asc' | 'desc' = 'asc'): number[] {
  const sorted = truth
    .filter(keep)
    .sort((a, b) => a.notice.triggerTimeMjd - b.notice.triggerTimeMjd || a.id - b.id)
    .map((t) => t.id);
  return order === 'desc' ? sorted.reverse() : sorted;
}

const retractedTriggers = (): Set<string> =>
  new Set(truth.filter((t) => t.notice.alertType === 'retraction').map((t) => t.notice.triggerId));

describe('archive search against brute force (generated archive)', () => {
  before(async () => {
    db = openDatabase({ path: ':memory:' });
    const notices = writeGeneratedArchive(db, COUNT, 7);
    index = createArchiveIndex({ db, loadSkyMap: generatedSkyMaps });
    assert.equal(await index.catchUp(), COUNT);
    archive = createArchiveSearch(db, { levelsPct: index.levelsPct });
    paths = [
      ['default', archive],
      ['R*-tree', createArchiveSearch(db, { levelsPct: index.levelsPct, rtreeRowBudget: Infinity })],
      ['caps walk', createArchiveSearch(db, { levelsPct: index.levelsPct, rtreeRowBudget: 0 })],
    ];
    const rows = db.prepare('SELECT id, received_at_ms FROM notices ORDER BY id').all() as Array<{
      id: number;
      received_at_ms: number;
    }>;
    truth = [];
    for (const [k, row] of rows.entries()) {
      const notice = notices[k] as Notice;
      const derived = await noticeMocs(notice, [50, 90], { loadSkyMap: generatedSkyMaps });
      truth.push({
        id: row.id,
        notice,
        receivedMs: row.received_at_ms,
        mocs: derived.status === 'indexed' ? new Map(derived.mocs) : new Map<number, Moc>(),
      });
    }
  });

  it('indexes every notice, with a region for all but the region-less ones', () => {
    const stats = index.stats();
    const none = truth.filter((t) => t.notice.region.type === 'none').length;
    assert.equal(stats.indexed, COUNT - none);
    assert.equal(stats.none, none);
    assert.equal(index.cursor(), truth[truth.length - 1]?.id);
  });

  it('lists everything in trigger-time order, both ways, across pages', () => {
    assert.deepEqual(
      allIds({}),
      bruteIds(() => true),
    );
    assert.deepEqual(
      allIds({ order: 'desc' }, 101),
      bruteIds(() => true, 'desc'),
    );
  });

  it('filters on trigger and received time ranges', () => {
    const from = 60100;
    const to = 60200.5;
    assert.deepEqual(
      allIds({ triggerFromMjd: from, triggerToMjd: to }),
      bruteIds((t) => t.notice.triggerTimeMjd >= from && t.notice.triggerTimeMjd <= to),
    );
    const r0 = Date.parse('2023-06-01T00:00:00Z');
    const r1 = Date.parse('2023-09-01T00:00:00Z');
    assert.deepEqual(
      allIds({ receivedFromMs: r0, receivedToMs: r1 }),
      bruteIds((t) => t.receivedMs >= r0 && t.receivedMs <= r1),
    );
  });

  it('filters on messenger, observatory, instrument, notice type, role and alert type (any case)', () => {
    const lower = (s: string): string => s.toLowerCase();
    assert.deepEqual(
      allIds({ messengers: ['GW', 'neutrino'] }),
      bruteIds((t) => ['gw', 'neutrino'].includes(t.notice.messenger)),
    );
    assert.deepEqual(
      allIds({ observatories: ['fermi'], roles: ['observation'] }),
      bruteIds((t) => lower(t.notice.observatory) === 'fermi' && t.notice.role === 'observation'),
    );
    assert.deepEqual(
      allIds({ instruments: ['WXT'] }),
      bruteIds((t) => t.notice.instrument === 'WXT'),
    );
    assert.deepEqual(
      allIds({ noticeTypes: ['IceCube_Gold', 'Swift_BAT_GRB_Pos'] }),
      bruteIds((t) => ['IceCube_Gold', 'Swift_BAT_GRB_Pos'].includes(t.notice.noticeType)),
    );
    assert.deepEqual(
      allIds({ alertTypes: ['retraction'] }),
      bruteIds((t) => t.notice.alertType === 'retraction'),
    );
  });

  it('filters retracted and not-retracted triggers', () => {
    const retracted = retractedTriggers();
    assert.ok(retracted.size > 0);
    assert.deepEqual(
      allIds({ retracted: true }),
      bruteIds((t) => retracted.has(t.notice.triggerId)),
    );
    assert.deepEqual(
      allIds({ retracted: false }),
      bruteIds((t) => !retracted.has(t.notice.triggerId)),
    );
  });

  it('filters on FAR and pAstro limits (notices without the value never match a limit)', () => {
    assert.deepEqual(
      allIds({ farMaxHz: 1e-7 }),
      bruteIds((t) => t.notice.farHz !== undefined && t.notice.farHz <= 1e-7),
    );
    assert.deepEqual(
      allIds({ farMinHz: 1e-9, farMaxHz: 1e-4 }),
      bruteIds((t) => t.notice.farHz !== undefined && t.notice.farHz >= 1e-9 && t.notice.farHz <= 1e-4),
    );
    assert.deepEqual(
      allIds({ pAstroMin: 0.5 }),
      bruteIds((t) => t.notice.pAstro !== undefined && t.notice.pAstro >= 0.5),
    );
  });

  it('finds event names and trigger ids by free text (any case, LIKE characters literal)', () => {
    const name = truth.find((t) => t.notice.eventName?.startsWith('S'))?.notice.eventName ?? '';
    const part = name.slice(1, 6).toLowerCase();
    assert.deepEqual(
      allIds({ text: part }),
      bruteIds(
        (t) =>
          (t.notice.eventName ?? '').toLowerCase().includes(part) ||
          t.notice.triggerId.toLowerCase().includes(part),
      ),
    );
    assert.deepEqual(allIds({ text: '%' }), []);
  });

  it('point queries: the notices whose credible region contains the point, at 90 % and 50 %', () => {
    const random = seededRandom(99);
    let matched = 0;
    for (let k = 0; k < 60; k++) {
      const ra = random() * 360;
      const dec = (Math.asin(2 * random() - 1) * 180) / Math.PI;
      for (const level of [90, 50]) {
        const expected = bruteIds((t) => t.mocs.get(level)?.contains(ra, dec) === true);
        matched += expected.length;
        for (const [path, search] of paths)
          assert.deepEqual(
            allIds({ position: { kind: 'point', raDeg: ra, decDeg: dec }, levelPct: level }, 37, search),
            expected,
            `point ${ra} ${dec} at ${level} % (${path})`,
          );
      }
    }
    assert.ok(matched > 50, `the points should hit regions (${matched} hits)`);
  });

  it('a point at the centre of a small circle finds it', () => {
    const small = truth.find((t) => t.notice.region.type === 'circle' && t.notice.region.radiusDeg < 0.01);
    assert.ok(small && small.notice.region.type === 'circle');
    const { raDeg, decDeg } = small.notice.region;
    assert.ok(allIds({ position: { kind: 'point', raDeg, decDeg } }).includes(small.id));
  });

  it('cone queries: the notices whose region overlaps the cone', () => {
    const random = seededRandom(5);
    for (let k = 0; k < 25; k++) {
      const ra = random() * 360;
      const dec = (Math.asin(2 * random() - 1) * 180) / Math.PI;
      const radiusDeg = 10 ** (-1 + random() * 2);
      const cone = mocFromCircle(ra, dec, radiusDeg, {
        maxOrder: defaultOrderForSize(radiusDeg),
        inclusive: true,
      });
      const expected = bruteIds((t) => !(t.mocs.get(90)?.intersection(cone).isEmpty() ?? true));
      for (const [path, search] of paths)
        assert.deepEqual(
          allIds({ position: { kind: 'cone', raDeg: ra, decDeg: dec, radiusDeg } }, 37, search),
          expected,
          `cone ${ra} ${dec} r=${radiusDeg} (${path})`,
        );
    }
  });

  it('MOC queries (IVOA ASCII MOC through the query parser): the notices whose region overlaps it', () => {
    const random = seededRandom(11);
    for (let k = 0; k < 10; k++) {
      const a = mocFromCircle(random() * 360, random() * 120 - 60, 2 + random() * 10, { maxOrder: 7 });
      const b = mocFromCircle(random() * 360, random() * 120 - 60, 1 + random() * 5, { maxOrder: 8 });
      const moc = a.union(b);
      const { query } = parseArchiveQuery((name: ArchiveQueryParam) =>
        name === 'moc' ? [formatMocAscii(moc)] : name === 'level' ? ['50'] : [],
      );
      const expected = bruteIds((t) => !(t.mocs.get(50)?.intersection(moc).isEmpty() ?? true));
      for (const [path, search] of paths) assert.deepEqual(allIds(query, 37, search), expected, path);
    }
  });

  it('MOC queries in many pieces (one bounding cap each on the caps walk)', () => {
    const random = seededRandom(13);
    for (let k = 0; k < 8; k++) {
      let moc = Moc.empty();
      const pieces = 2 + Math.floor(random() * 8);
      for (let p = 0; p < pieces; p++)
        moc = moc.union(
          mocFromCircle(random() * 360, (Math.asin(2 * random() - 1) * 180) / Math.PI, 0.5 + random() * 6, {
            maxOrder: 8,
          }),
        );
      const expected = bruteIds((t) => !(t.mocs.get(90)?.intersection(moc).isEmpty() ?? true));
      for (const [path, search] of paths)
        assert.deepEqual(
          allIds({ position: { kind: 'moc', moc } }, 37, search),
          expected,
          `${pieces} pieces (${path})`,
        );
    }
  });

  it('combines a position with filters and pages through it', () => {
    const ra = 120;
    const dec = 10;
    const cone = mocFromCircle(ra, dec, 30, { maxOrder: defaultOrderForSize(30) });
    const expected = bruteIds(
      (t) =>
        t.notice.messenger === 'gamma' &&
        t.notice.triggerTimeMjd >= 60_050 &&
        !(t.mocs.get(90)?.intersection(cone).isEmpty() ?? true),
      'desc',
    );
    for (const [path, search] of paths)
      assert.deepEqual(
        allIds(
          {
            position: { kind: 'cone', raDeg: ra, decDeg: dec, radiusDeg: 30 },
            messengers: ['gamma'],
            triggerFromMjd: 60_050,
            order: 'desc',
          },
          5,
          search,
        ),
        expected,
        path,
      );
  });

  it('rejects a level that is not indexed, a forged cursor and a bad limit', () => {
    assert.throws(() => archive.search({ position: { kind: 'point', raDeg: 1, decDeg: 2 }, levelPct: 68 }), {
      code: 'BAD_REQUEST',
    });
    assert.throws(() => archive.search({ cursor: 'not-a-cursor' }), { code: 'BAD_REQUEST' });
    assert.throws(() => archive.search({ limit: 0 }), { code: 'BAD_REQUEST' });
  });

  it('indexes notices stored later on the next catch-up, and only those', async () => {
    writeGeneratedArchive(db, 10, 8);
    assert.equal(await index.catchUp(), 10);
    assert.equal(await index.catchUp(), 0);
    assert.equal(allIds({}).length, COUNT + 10);
  });

  it('rebuilds the R*-tree and the caps from the stored ranges (as after migration archive-004)', async () => {
    const query: ArchiveQuery = { position: { kind: 'cone', raDeg: 200, decDeg: -20, radiusDeg: 8 } };
    const before = paths.map(([, search]) => allIds(query, 37, search));
    const rows = Number(db.prepare('SELECT count(*) FROM archive_moc_index').pluck().get());
    const caps = Number(db.prepare('SELECT count(*) FROM archive_caps').pluck().get());
    db.exec(`DELETE FROM archive_moc_index; DELETE FROM archive_caps;
      INSERT INTO archive_state (key, value) VALUES ('moc-index-rebuilt-notice-id', 0)`);
    assert.equal(await index.catchUp(7), 0);
    assert.equal(Number(db.prepare('SELECT count(*) FROM archive_moc_index').pluck().get()), rows);
    assert.equal(Number(db.prepare('SELECT count(*) FROM archive_caps').pluck().get()), caps);
    assert.equal(
      db.prepare("SELECT value FROM archive_state WHERE key = 'moc-index-rebuilt-notice-id'").get(),
      undefined,
    );
    assert.deepEqual(
      paths.map(([, search]) => allIds(query, 37, search)),
      before,
    );
    assert.ok((before[0]?.length ?? 0) > 0);
  });

  it('gives the same answers when rows were written under another row limit (an archive indexed before the limit changed)', () => {
    const random = seededRandom(23);
    const queries: ArchiveQuery[] = [];
    for (let k = 0; k < 20; k++) {
      const raDeg = random() * 360;
      const decDeg = (Math.asin(2 * random() - 1) * 180) / Math.PI;
      queries.push({ position: { kind: 'point', raDeg, decDeg } });
      queries.push({ position: { kind: 'point', raDeg, decDeg }, levelPct: 50 });
      queries.push({ position: { kind: 'cone', raDeg, decDeg, radiusDeg: 0.5 + 5 * random() } });
    }
    const answers = (): number[][][] =>
      queries.map((query) => paths.map(([, search]) => allIds(query, 37, search)));
    const before = answers();
    // Every other notice's rows rewritten at the old limit of 64 (finer: more rows, more of
    // them inside), as an archive indexed before MAX_INDEX_ROWS became 16 holds them.
    const stored = db
      .prepare('SELECT notice_id, level_pct, ranges FROM archive_mocs ORDER BY notice_id, level_pct')
      .all() as Array<{ notice_id: number; level_pct: number; ranges: Buffer }>;
    const remove = db.prepare('DELETE FROM archive_moc_index WHERE id >= ? AND id < ?');
    const insert = db.prepare(
      'INSERT INTO archive_moc_index (id, min_level, max_level, min_cell, max_cell, inside) VALUES (?, ?, ?, ?, ?, ?)',
    );
    let rewritten = 0;
    let finer = 0;
    db.transaction(() => {
      let k = 0;
      let previous = -1;
      for (const m of stored) {
        if (m.notice_id % 2 === 1) continue;
        if (m.notice_id !== previous) {
          remove.run(m.notice_id * ROWS_PER_NOTICE, (m.notice_id + 1) * ROWS_PER_NOTICE);
          k = 0;
          previous = m.notice_id;
          rewritten++;
        }
        const moc = Moc.fromRanges29(decodeRanges(m.ranges));
        const rows = indexRows(moc, 64);
        if (rows.length > indexRows(moc).length) finer++;
        for (const r of rows)
          insert.run(
            m.notice_id * ROWS_PER_NOTICE + k++,
            m.level_pct,
            m.level_pct,
            r.first,
            r.last,
            r.inside ? 1 : 0,
          );
      }
    })();
    assert.ok(
      rewritten > 100 && finer > 20,
      `${rewritten} notices rewritten, ${finer} regions with more rows`,
    );
    assert.deepEqual(answers(), before);
    assert.ok(before.some((a) => (a[0]?.length ?? 0) > 0));
  });
});

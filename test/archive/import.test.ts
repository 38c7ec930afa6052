/**
 * `coincide archive import` as it stores and indexes (src/archive/import.ts): documents
 * prepared by the worker threads (import-pool.ts) and indexed in the storing transaction give
 * exactly the archive that storing alone and then catching up gives (the index's own path,
 * one notice at a time); unreadable documents, documents that are not notices and duplicates
 * are counted, in input order; a sky-map notice is left to the catch-up, which passes over the
 * notices indexed already.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArchiveIndex } from '../../src/archive/archive-index.ts';
import { createArchiveImporter, POOL_MIN_DOCUMENTS, type ImportSummary } from '../../src/archive/import.ts';
import type { InputDocument } from '../../src/replay/inputs.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { seededRandom } from '../helpers/generated-archive.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'coincide-archive-import-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** GBM positions from 1° to 15°, some duplicated, unreadable or not notices, and a sky-map notice. */
function documents(): InputDocument[] {
  const template = readFileSync(join(FIXTURES, 'demo', 'fermi-gbm-524666471-gnd-pos.xml'), 'utf8');
  const random = seededRandom(11);
  const docs: InputDocument[] = [];
  for (let i = 0; i < POOL_MIN_DOCUMENTS + 300; i++) {
    const xml = template
      .replaceAll('524666471', String(610000000 + i))
      .replace('<C1>176.8000</C1>', `<C1>${(random() * 360).toFixed(4)}</C1>`)
      .replace('<C2>-39.8000</C2>', `<C2>${(random() * 170 - 85).toFixed(4)}</C2>`)
      .replace(
        '<Error2Radius>11.6000</Error2Radius>',
        `<Error2Radius>${(1 + random() * 14).toFixed(4)}</Error2Radius>`,
      );
    docs.push({ name: `gbm-${i}.xml`, bytes: Buffer.from(xml) });
    if (i % 97 === 5) docs.push({ name: `dup-${i}.xml`, bytes: Buffer.from(xml) });
    if (i % 131 === 7) docs.push({ name: `truncated-${i}.xml`, bytes: Buffer.from(xml.slice(0, 900)) });
    if (i % 151 === 9)
      docs.push({
        name: `not-notice-${i}.xml`,
        bytes: readFileSync(join(FIXTURES, 'voevent', 'missing-wherewhen.xml')),
      });
  }
  docs.push({ name: 'lvk.json', bytes: readFileSync(join(FIXTURES, 'demo', 'lvk-S170817dm-initial.json')) });
  return docs;
}

const TABLES: Array<[string, string]> = [
  ['notices', 'SELECT id, event_id, ivorn, trigger_id, json, outbox_seq, joined FROM notices ORDER BY id'],
  [
    'archive_notices',
    'SELECT notice_id, event_id, trigger_id, trigger_time_mjd, received_at_ms, region_type, moc_status FROM archive_notices ORDER BY notice_id',
  ],
  [
    'archive_mocs',
    'SELECT notice_id, level_pct, hex(ranges) AS r, index_rows FROM archive_mocs ORDER BY notice_id, level_pct',
  ],
  [
    'archive_moc_index',
    'SELECT id, min_level, max_level, min_cell, max_cell, inside FROM archive_moc_index ORDER BY id',
  ],
  ['archive_caps', 'SELECT * FROM archive_caps ORDER BY notice_id, level_pct'],
  ['archive_refs', 'SELECT * FROM archive_refs ORDER BY notice_id, kind, value'],
  ['archive_imports', 'SELECT event_id, original_received_ms FROM archive_imports ORDER BY event_id'],
];

describe('archive import: stored and indexed by worker threads', () => {
  const failures: string[] = [];
  let pooled: { db: SqliteDatabase; summary: ImportSummary; caughtUp: number };
  let plain: { db: SqliteDatabase; summary: ImportSummary; caughtUp: number };

  const load = async (
    name: string,
    threads: number,
    indexWhileStoring: boolean,
  ): Promise<{ db: SqliteDatabase; summary: ImportSummary; caughtUp: number }> => {
    const db = openDatabase({ path: join(dir, `${name}.db`) });
    const index = createArchiveIndex({ db });
    const importer = createArchiveImporter({
      db,
      nowMs: () => 1_700_000_000_000,
      source: 'test',
      threads,
      batchSize: 100,
      ...(indexWhileStoring ? { index } : {}),
      onFailure: (doc) => {
        if (name === 'pooled') failures.push(doc);
      },
    });
    for (const doc of documents()) await importer.add(doc);
    const summary = await importer.finish();
    const caughtUp = await index.catchUp();
    return { db, summary, caughtUp };
  };

  before(async () => {
    pooled = await load('pooled', 2, true);
    plain = await load('plain', 0, false);
  });
  after(() => {
    pooled.db.close();
    plain.db.close();
  });

  it('counts stored, duplicate, unreadable and non-notice documents as storing alone does', () => {
    assert.deepEqual(pooled.summary, plain.summary);
    const { documents: total, stored, duplicates, notNotices, failures: failed } = pooled.summary;
    assert.equal(total, documents().length);
    assert.equal(stored, POOL_MIN_DOCUMENTS + 300 + 1);
    assert.equal(duplicates, documents().filter((d) => d.name.startsWith('dup-')).length);
    assert.equal(failed, documents().filter((d) => d.name.startsWith('truncated-')).length);
    assert.equal(notNotices, documents().filter((d) => d.name.startsWith('not-notice-')).length);
    assert.equal(stored + duplicates + notNotices + failed, total);
    // Reported in input order, the threads' runs included.
    assert.deepEqual(
      failures,
      documents()
        .filter((d) => d.name.startsWith('truncated-'))
        .map((d) => d.name),
    );
  });

  it('writes the same notices and the same index (MOCs, R*-tree rows, caps, refs) as the catch-up', () => {
    for (const [table, sql] of TABLES)
      assert.deepEqual(pooled.db.prepare(sql).all(), plain.db.prepare(sql).all(), table);
    const count = (db: SqliteDatabase, sql: string): number => Number(db.prepare(sql).pluck().get());
    assert.equal(
      count(pooled.db, "SELECT count(*) FROM archive_notices WHERE moc_status = 'indexed'"),
      pooled.summary.stored - 1,
    );
  });

  it('leaves only the sky-map notice to the catch-up, which then moves past everything', () => {
    assert.equal(pooled.caughtUp, 1);
    assert.equal(plain.caughtUp, plain.summary.stored);
    const status = pooled.db
      .prepare("SELECT moc_status FROM archive_notices WHERE region_type = 'skymap'")
      .pluck()
      .all() as string[];
    // No map source in this test: the catch-up records why it has no region.
    assert.deepEqual(status, ['failed: no sky map source configured']);
    const maxId = Number(pooled.db.prepare('SELECT max(id) FROM notices').pluck().get());
    assert.equal(
      Number(
        pooled.db.prepare("SELECT value FROM archive_state WHERE key = 'indexed-notice-id'").pluck().get(),
      ),
      maxId,
    );
  });

  it('never reaches the live stream', () => {
    assert.equal(pooled.db.prepare('SELECT count(*) FROM serve_outbox').pluck().get(), 0);
    assert.equal(
      pooled.db.prepare('SELECT count(*) FROM notices WHERE outbox_seq != 0 OR joined != 1').pluck().get(),
      0,
    );
  });
});

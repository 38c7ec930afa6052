/**
 * The import's region cache (import-prepare.ts PreparedRegionCache): a region seen again (a
 * revision, a repeat) reuses its prepared index data, which equal what deriving it again gives;
 * other regions and notice types are derived apart; the cache stays bounded.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  PreparedRegionCache,
  prepareImportDocument,
  preparedNotice,
  threadPrepared,
} from '../../src/archive/import-prepare.ts';
import { DEFAULT_ARCHIVE_LEVELS_PCT } from '../../src/archive/notice-mocs.ts';
import type { Notice } from '../../src/notices/notice.ts';

const GBM = readFileSync(
  join(import.meta.dirname, '..', '..', 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'),
  'utf8',
);

function doc(trigger: number, ra: string): { name: string; bytes: Uint8Array } {
  const xml = GBM.replaceAll('524666471', String(trigger)).replace('<C1>176.8000</C1>', `<C1>${ra}</C1>`);
  return { name: `${trigger}.xml`, bytes: Buffer.from(xml) };
}

describe('archive import: region cache', () => {
  test('the same region is derived once and gives what deriving it again gives', () => {
    const cache = new PreparedRegionCache();
    const a = prepareImportDocument(doc(600000001, '10.0000'), DEFAULT_ARCHIVE_LEVELS_PCT, cache);
    const b = prepareImportDocument(doc(600000002, '10.0000'), DEFAULT_ARCHIVE_LEVELS_PCT, cache);
    const c = prepareImportDocument(doc(600000003, '20.0000'), DEFAULT_ARCHIVE_LEVELS_PCT, cache);
    const fresh = prepareImportDocument(doc(600000002, '10.0000'), DEFAULT_ARCHIVE_LEVELS_PCT);
    assert.ok(a.kind === 'notice' && b.kind === 'notice' && c.kind === 'notice' && fresh.kind === 'notice');
    assert.ok(a.index && a.index.levels.length === 2);
    assert.equal(b.index, a.index, 'reused');
    assert.deepEqual(b.index, fresh.index, 'equal to a fresh derivation');
    assert.notDeepEqual(c.index, a.index);
    assert.notEqual(a.columns.triggerId, b.columns.triggerId);
  });

  test('keyed by notice type and region; bounded', () => {
    const cache = new PreparedRegionCache();
    let derived = 0;
    const derive = () => {
      derived++;
      return { status: 'none', levels: [] };
    };
    const notice = (type: string, ra: number): Notice =>
      ({
        noticeType: type,
        region: { type: 'circle', raDeg: ra, decDeg: 0, radiusDeg: 1 },
      }) as unknown as Notice;
    cache.of(notice('A', 1), derive);
    cache.of(notice('A', 1), derive);
    cache.of(notice('B', 1), derive);
    assert.equal(derived, 2);
    for (let i = 0; i < PreparedRegionCache.MAX_ENTRIES; i++) cache.of(notice('C', i), derive);
    assert.equal(derived, 2 + PreparedRegionCache.MAX_ENTRIES);
    cache.of(notice('A', 1), derive); // evicted: derived again
    assert.equal(derived, 3 + PreparedRegionCache.MAX_ENTRIES);
    cache.of(notice('C', PreparedRegionCache.MAX_ENTRIES - 1), derive); // recent: kept
    assert.equal(derived, 3 + PreparedRegionCache.MAX_ENTRIES);
  });
});

describe('archive import: what a pool thread sends back', () => {
  test('the columns the writer reads and the JSON of the Notice, without the Notice', () => {
    const prepared = prepareImportDocument(doc(600000004, '30.0000'), DEFAULT_ARCHIVE_LEVELS_PCT);
    assert.ok(prepared.kind === 'notice' && prepared.notice);
    const sent = threadPrepared(prepared);
    assert.ok(sent.kind === 'notice');
    assert.equal(sent.notice, undefined);
    assert.equal(sent.json, JSON.stringify(prepared.notice));
    assert.deepEqual(preparedNotice(sent), JSON.parse(prepared.json));
    const n = prepared.notice;
    assert.deepEqual(sent.columns, {
      ivorn: n.ivorn,
      role: n.role,
      triggerId: n.triggerId,
      messenger: n.messenger,
      observatory: n.observatory,
      instrument: n.instrument,
      noticeType: n.noticeType,
      alertType: n.alertType,
      triggerTimeMjd: n.triggerTimeMjd,
      region: { type: 'circle' },
      ...(n.eventName === undefined ? {} : { eventName: n.eventName }),
      ...(n.revision === undefined ? {} : { revision: n.revision }),
      ...(n.farHz === undefined ? {} : { farHz: n.farHz }),
      ...(n.pAstro === undefined ? {} : { pAstro: n.pAstro }),
    });
    assert.deepEqual(sent.refs, prepared.refs);
    assert.deepEqual(sent.index, prepared.index);
    const failure = prepareImportDocument({ name: 'x.xml', bytes: Buffer.from('<a') }, [90]);
    assert.equal(threadPrepared(failure), failure);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Notice } from '../../src/notices/notice.ts';
import { openDatabase } from '../../src/store/database.ts';
import { DEFAULT_EVENT_RETENTION_MS, EventStore, sha256Hex } from '../../src/store/event-store.ts';
import { makeVoEvent, openTempStore } from '../vtp/helpers.ts';

const DAY_MS = 24 * 3600 * 1000;

function notice(ivorn: string, triggerId: string, revision: number): Notice {
  return {
    ivorn,
    role: 'observation',
    messenger: 'gamma',
    observatory: 'Test',
    instrument: 'T',
    noticeType: 'Test_Pos',
    triggerId,
    alertType: 'initial',
    revision,
    triggerTime: '2026-11-25T09:00:00.000Z',
    triggerTimeMjd: 61004.375,
    region: { type: 'none' },
  } as Notice;
}

describe('event store', () => {
  it('stores raw bytes unchanged and finds them by id, sha256 and ivorn', async () => {
    const t = openTempStore();
    try {
      const bytes = makeVoEvent('ivo://test.coincide/a#1');
      const put = await t.store.putEvent({
        bytes,
        ivorn: 'ivo://test.coincide/a#1',
        role: 'observation',
        receivedAtMs: 1000,
        peer: '127.0.0.1:5',
        input: 'vtp-receiver',
      });
      assert.equal(put.status, 'stored');
      assert.equal(put.sha256, sha256Hex(bytes));
      const got = t.store.getEvent(put.eventId);
      assert.ok(got);
      assert.ok(got.bytes.equals(bytes));
      assert.equal(got.peer, '127.0.0.1:5');
      assert.equal(got.input, 'vtp-receiver');
      assert.equal(t.store.getEventBySha256(put.sha256)?.id, put.eventId);
      assert.deepEqual(
        t.store.eventsByIvorn('ivo://test.coincide/a#1').map((e) => e.id),
        [put.eventId],
      );
    } finally {
      t.close();
    }
  });

  it('reports the second put of the same bytes as a duplicate, but keeps different bytes with the same ivorn', async () => {
    const t = openTempStore();
    try {
      const a = makeVoEvent('ivo://test.coincide/a#1');
      const b = makeVoEvent('ivo://test.coincide/a#1', { lat: 5 });
      const base = {
        ivorn: 'ivo://test.coincide/a#1',
        role: 'observation',
        receivedAtMs: 1,
        peer: 'p',
        input: 'replay',
      };
      assert.equal((await t.store.putEvent({ ...base, bytes: a })).status, 'stored');
      assert.equal((await t.store.putEvent({ ...base, bytes: a })).status, 'duplicate');
      assert.equal((await t.store.putEvent({ ...base, bytes: b })).status, 'stored');
      assert.equal(t.store.eventsByIvorn('ivo://test.coincide/a#1').length, 2);
    } finally {
      t.close();
    }
  });

  it('answers exactly one of 1000 concurrent puts of the same bytes as stored (group commit)', async () => {
    const t = openTempStore();
    try {
      const bytes = makeVoEvent('ivo://test.coincide/a#1');
      const results = await Promise.all(
        Array.from({ length: 1000 }, () =>
          t.store.putEvent({ bytes, ivorn: 'x', role: 'test', receivedAtMs: 1, peer: 'p', input: 'replay' }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'stored').length, 1);
      assert.equal(new Set(results.map((r) => r.eventId)).size, 1);
      assert.equal(t.store.countEvents(), 1);
    } finally {
      t.close();
    }
  });

  it('writes the puts made in one event-loop turn in one transaction, and later puts in another', async () => {
    const t = openTempStore();
    try {
      const put = (i: number) =>
        t.store.putEvent({
          bytes: makeVoEvent(`ivo://test.coincide/g#${i}`),
          ivorn: `ivo://test.coincide/g#${i}`,
          role: 'observation',
          receivedAtMs: i,
          peer: 'p',
          input: 'vtp-receiver',
        });
      const first = await Promise.all(Array.from({ length: 50 }, (_, i) => put(i)));
      assert.equal(t.store.transactionCount, 1);
      assert.ok(first.every((r) => r.status === 'stored'));
      await Promise.all([put(50), put(51)]);
      assert.equal(t.store.transactionCount, 2);
      assert.equal(t.store.countEvents(), 52);
    } finally {
      t.close();
    }
  });

  it('stores a notice with its event and queries notices by triggerId and ivorn', async () => {
    const t = openTempStore();
    try {
      for (const revision of [1, 2]) {
        const ivorn = `ivo://test.coincide/a#${revision}`;
        await t.store.putEvent({
          bytes: makeVoEvent(ivorn),
          ivorn,
          role: 'observation',
          receivedAtMs: revision,
          peer: 'p',
          input: 'gcn-kafka',
          notice: notice(ivorn, 'Test:1', revision),
        });
      }
      const notices = t.store.noticesByTriggerId('Test:1');
      assert.deepEqual(
        notices.map((n) => n.notice.revision),
        [1, 2],
      );
      assert.equal(t.store.noticesByIvorn('ivo://test.coincide/a#2')[0]?.notice.triggerId, 'Test:1');
      assert.equal(t.store.noticesByTriggerId('Other:1').length, 0);
    } finally {
      t.close();
    }
  });

  it('gives the warm start the notices of the last N trusted events, oldest ivorn first, in one query', async () => {
    const t = openTempStore();
    try {
      // ivorns a (trusted), b (untrusted), c (trusted), then a again (new bytes), d (trusted).
      const put = async (ivorn: string, n: number, trusted: boolean): Promise<void> => {
        await t.store.putEvent({
          bytes: makeVoEvent(ivorn, { lat: n }),
          ivorn,
          role: 'observation',
          receivedAtMs: n,
          peer: 'p',
          input: 'vtp-receiver',
          trusted,
          notice: notice(ivorn, `Test:${ivorn.slice(-1)}`, n),
        });
      };
      await put('ivo://test.coincide/t#a', 1, true);
      await put('ivo://test.coincide/t#b', 2, false);
      await put('ivo://test.coincide/t#c', 3, true);
      await put('ivo://test.coincide/t#a', 4, true);
      await put('ivo://test.coincide/t#d', 5, true);
      const of = (limit: number): string[] =>
        t.store.warmStartNotices(limit).map((n) => `${n.notice.ivorn.slice(-1)}${n.notice.revision}`);
      assert.deepEqual(
        of(10),
        ['a1', 'a4', 'c3', 'd5'],
        'untrusted b left out; both notices of a, at its oldest',
      );
      assert.deepEqual(
        of(2),
        ['a1', 'a4', 'd5'],
        'the last 2 events: a (again) and d, with every notice of a',
      );
      assert.deepEqual(of(0), []);
    } finally {
      t.close();
    }
  });

  it('forgets events older than the retention (30 days by default), which are then unseen again', async () => {
    const t = openTempStore();
    try {
      assert.equal(t.store.retentionMs, DEFAULT_EVENT_RETENTION_MS);
      assert.equal(DEFAULT_EVENT_RETENTION_MS, 30 * DAY_MS);
      const bytes = makeVoEvent('ivo://test.coincide/a#1');
      const base = {
        bytes,
        ivorn: 'ivo://test.coincide/a#1',
        role: 'observation',
        peer: 'p',
        input: 'replay',
        notice: notice('ivo://test.coincide/a#1', 'Test:1', 1),
      };
      await t.store.putEvent({ ...base, receivedAtMs: 0 });
      assert.equal(t.store.prune(29 * DAY_MS), 0);
      assert.equal((await t.store.putEvent({ ...base, receivedAtMs: 29 * DAY_MS })).status, 'duplicate');
      assert.equal(t.store.prune(31 * DAY_MS), 1);
      assert.equal(t.store.noticesByTriggerId('Test:1').length, 0);
      assert.equal((await t.store.putEvent({ ...base, receivedAtMs: 31 * DAY_MS })).status, 'stored');
      assert.equal(t.store.prune(31 * DAY_MS + 1, 0), 1, 'prune with retention 0 forgets everything');
    } finally {
      t.close();
    }
  });

  it('has committed an event to the file when putEvent resolves (visible to another process)', async () => {
    const t = openTempStore();
    try {
      const put = await t.store.putEvent({
        bytes: makeVoEvent('ivo://test.coincide/a#1'),
        ivorn: 'ivo://test.coincide/a#1',
        role: 'observation',
        receivedAtMs: 1,
        peer: 'p',
        input: 'replay',
      });
      const path = join(t.dir, 'coincide.sqlite');
      const script = `const D=require('better-sqlite3');const db=new D(process.argv[1],{readonly:true});process.stdout.write(String(db.prepare('select count(*) c from events where id=?').get(Number(process.argv[2])).c))`;
      const out = spawnSync(process.execPath, ['-e', script, path, String(put.eventId)], {
        encoding: 'utf8',
        cwd: process.cwd(),
      });
      assert.equal(out.stdout, '1', out.stderr);
    } finally {
      t.close();
    }
  });

  it('refuses puts after close with STORE_WRITE', async () => {
    const t = openTempStore();
    const db = openDatabase({ path: join(t.dir, 'second.sqlite') });
    const store = new EventStore({ db });
    store.close();
    await assert.rejects(
      store.putEvent({
        bytes: Buffer.from('x'),
        ivorn: 'x',
        role: 'test',
        receivedAtMs: 1,
        peer: 'p',
        input: 'replay',
      }),
      { code: 'STORE_WRITE' },
    );
    db.close();
    t.close();
  });
});

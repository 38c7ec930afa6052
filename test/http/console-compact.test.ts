/**
 * The console's compact records: cached by seq, and the newest records compacted in the
 * background (the console's first call's first, then newest first, a chunk at a time) so that the
 * first load after a restart finds them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createCompactRecords, warmCompactRecords } from '../../src/http/routes/console-compact.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { openDatabase } from '../../src/store/database.ts';
import { makeCoincidence, makeNotice } from './records.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-compact-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('console compact records', () => {
  it('compacts once per seq and names the triggers of a record', () => {
    const db = openDatabase({ path: join(dir, 'once.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    const notice = outbox.append(
      'notice',
      makeNotice({ params: { Long: 'x'.repeat(100) } }),
      'Fermi:757418405',
    );
    const base = makeCoincidence();
    const pair = outbox.append('coincidence', {
      ...base,
      pairType: 'mm-mm',
      counterpart: { ...base.trigger, triggerId: 'LVK:S1' },
      partners: [{ ...base.trigger, triggerId: 'Swift:2' }],
    });
    const compact = createCompactRecords();
    const first = compact.get(notice);
    assert.equal(compact.get(notice), first, 'the cached record');
    assert.deepEqual(first.triggerIds, ['Fermi:757418405']);
    assert.equal((JSON.parse(first.text) as { data: { params?: unknown } }).data.params, undefined);
    assert.deepEqual(compact.get(pair).triggerIds, ['Fermi:757418405', 'LVK:S1', 'Swift:2']);
    assert.equal(compact.size, 2);
    db.close();
  });

  it('keeps the newest records when full', () => {
    const db = openDatabase({ path: join(dir, 'full.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    const compact = createCompactRecords(10);
    for (let i = 0; i < 25; i++) compact.get(outbox.append('notice', makeNotice()));
    assert.ok(compact.size <= 10, `size ${compact.size}`);
    db.close();
  });

  it('warms the newest records first, a chunk at a time, and stops when aborted', async () => {
    const db = openDatabase({ path: join(dir, 'warm.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    for (let i = 0; i < 12; i++) outbox.append(i % 3 === 0 ? 'notice' : 'coincidence', makeCoincidence());
    const compact = createCompactRecords();
    assert.equal(await warmCompactRecords(outbox, compact, { maxRecords: 7, chunk: 3 }), 7);
    assert.equal(compact.size, 7);
    // The 7 newest (seqs 6 to 12) were compacted: getting them adds nothing.
    for (const record of outbox.query({ newestFirst: true, limit: 7 })) compact.get(record);
    assert.equal(compact.size, 7);
    const stopped = new AbortController();
    stopped.abort();
    assert.equal(
      await warmCompactRecords(outbox, createCompactRecords(), { maxRecords: 12, signal: stopped.signal }),
      0,
    );
    db.close();
    // A closed database (shutdown) ends the warm-up without an error.
    assert.equal(await warmCompactRecords(outbox, createCompactRecords(), { maxRecords: 12 }), 0);
    assert.equal(
      await warmCompactRecords(outbox, createCompactRecords(), { maxRecords: 12, firstPage: 4 }),
      0,
    );
  });

  it("compacts the console's first call first: its newest records and the older notices they name", async () => {
    const db = openDatabase({ path: join(dir, 'first.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    // The oldest records: a notice of each of three triggers, then two more without pairs.
    const notices = ['Fermi:1', 'Fermi:2', 'Fermi:3', 'Fermi:4', 'Fermi:5'].map((triggerId) =>
      outbox.append('notice', makeNotice({ triggerId }), triggerId),
    );
    // Filler, then the newest: pairs naming Fermi:1 and Fermi:3 (as trigger and counterpart).
    for (let i = 0; i < 6; i++) outbox.append('coincidence', makeCoincidence({ id: `old-${i}` }));
    const base = makeCoincidence();
    const newest = [
      outbox.append('coincidence', makeCoincidence({ trigger: { ...base.trigger, triggerId: 'Fermi:1' } })),
      outbox.append(
        'coincidence',
        makeCoincidence({ pairType: 'mm-mm', counterpart: { ...base.trigger, triggerId: 'Fermi:3' } }),
      ),
    ];
    const compact = createCompactRecords();
    // No newest records asked for: only the first call's.
    assert.equal(await warmCompactRecords(outbox, compact, { maxRecords: 0, firstPage: 2, chunk: 1 }), 0);
    const held = (records: ReadonlyArray<{ seq: number }>): boolean[] =>
      records.map((r) => compact.peek(r.seq) !== undefined);
    assert.deepEqual(held(newest), [true, true]);
    // The notices they name (the makeCoincidence trigger is Fermi:757418405, which has none).
    assert.deepEqual(held(notices), [true, false, true, false, false]);
    assert.equal(compact.size, 4);
    db.close();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { openDatabase } from '../../src/store/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-outbox-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('assigns increasing seqs and reads back every row after a seq, in order', () => {
    const db = openDatabase({ path: join(dir, 'order.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    const seqs = [1, 2, 3, 4, 5].map((i) => outbox.append('notice', { i }, `T:${i % 2}`).seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
    assert.deepEqual(
      outbox.readAfter(2, 10).map((r) => [r.seq, JSON.parse(r.json)]),
      [
        [3, { i: 3 }],
        [4, { i: 4 }],
        [5, { i: 5 }],
      ],
    );
    assert.equal(outbox.readAfter(1, 2).length, 2);
    assert.equal(outbox.lastSeq(), 5);
    assert.deepEqual(
      outbox.query({ triggerId: 'T:1' }).map((r) => r.seq),
      [1, 3, 5],
    );
    db.close();
  });

  it('keeps every committed row and its seq across a reopen of the file', () => {
    const path = join(dir, 'reopen.db');
    let db = openDatabase({ path });
    createOutbox({ db, clock: new ManualClock() }).append('coincidence', { id: 'a' });
    db.close();
    db = openDatabase({ path });
    const outbox = createOutbox({ db, clock: new ManualClock() });
    assert.equal(outbox.lastSeq(), 1);
    assert.equal(outbox.append('withdrawn', { id: 'a' }).seq, 2);
    db.close();
  });

  it('never reuses a seq after pruning every row', () => {
    const db = openDatabase({ path: join(dir, 'prune.db') });
    const clock = new ManualClock(0);
    const outbox = createOutbox({ db, clock });
    outbox.append('notice', {});
    outbox.append('notice', {});
    clock.set(10_000);
    outbox.append('notice', {});
    assert.equal(outbox.prune(5_000), 2);
    assert.deepEqual(
      outbox.readAfter(0, 10).map((r) => r.seq),
      [3],
    );
    assert.equal(outbox.prune(20_000), 1);
    assert.equal(outbox.lastSeq(), 3);
    assert.equal(outbox.append('notice', {}).seq, 4);
    db.close();
  });

  it('stores 64-bit identifiers given as BigInt as exact decimal strings', () => {
    const db = openDatabase({ path: join(dir, 'bigint.db') });
    const outbox = createOutbox({ db, clock: new ManualClock() });
    const record = outbox.append('coincidence', { alertId: 2_345_678_901_234_567_891n });
    assert.equal(record.json, '{"alertId":"2345678901234567891"}');
    db.close();
  });
});

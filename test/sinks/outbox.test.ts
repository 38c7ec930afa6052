import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/logger.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { createOutboxRelay } from '../../src/sinks/outbox-relay.ts';
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
      outbox.readAfter(2, 10).map((r) => [r.seq, JSON.parse(r.json) as unknown]),
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

  it('reads the newest rows first, before a seq', () => {
    const db = openDatabase({ path: join(dir, 'newest.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    for (const i of [1, 2, 3, 4, 5]) outbox.append(i === 3 ? 'coincidence' : 'notice', { i }, `T:${i % 2}`);
    assert.deepEqual(
      outbox.query({ newestFirst: true, limit: 2 }).map((r) => r.seq),
      [5, 4],
    );
    assert.deepEqual(
      outbox.query({ newestFirst: true, beforeSeq: 4, limit: 10 }).map((r) => r.seq),
      [3, 2, 1],
    );
    assert.deepEqual(
      outbox
        .query({ newestFirst: true, beforeSeq: 5, types: ['notice'], triggerId: 'T:1' })
        .map((r) => r.seq),
      [1],
    );
    assert.deepEqual(
      outbox.query({ beforeSeq: 3 }).map((r) => r.seq),
      [1, 2],
    );
    // The latest notice of each of these triggers before seq 5: T:0's 4, T:1's 1 (3 is a coincidence).
    assert.deepEqual(
      outbox
        .query({ types: ['notice'], triggerIds: ['T:0', 'T:1', 'T:2'], latestPerTrigger: true, beforeSeq: 5 })
        .map((r) => r.seq),
      [1, 4],
    );
    assert.deepEqual(
      outbox.query({ triggerIds: ['T:1'] }).map((r) => r.seq),
      [1, 3, 5],
    );
    db.close();
  });

  it('reads rows without their JSON when asked (the keys, in the same order)', () => {
    const db = openDatabase({ path: join(dir, 'without-json.db') });
    const outbox = createOutbox({ db, clock: new ManualClock(1000) });
    for (let i = 0; i < 5; i++) outbox.append(i % 2 === 0 ? 'notice' : 'coincidence', { i }, `T:${i}`);
    const full = outbox.query({ newestFirst: true, beforeSeq: 5, limit: 3 });
    const keys = outbox.query({ newestFirst: true, beforeSeq: 5, limit: 3, withoutJson: true });
    assert.deepEqual(
      keys.map((r) => [r.seq, r.type, r.json, r.createdMs]),
      full.map((r) => [r.seq, r.type, '', r.createdMs]),
    );
    assert.deepEqual(
      full.map((r) => r.json),
      ['{"i":3}', '{"i":2}', '{"i":1}'],
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

  it('appends a batch in one transaction with consecutive seqs', () => {
    const db = openDatabase({ path: join(dir, 'many.db') });
    const outbox = createOutbox({ db, clock: new ManualClock() });
    outbox.append('notice', {});
    const records = outbox.appendMany([
      { type: 'coincidence', data: { i: 1 }, triggerId: 'T:1' },
      { type: 'withdrawn', data: { i: 2 }, triggerId: 'T:1' },
    ]);
    assert.deepEqual(
      records.map((r) => [r.seq, r.type]),
      [
        [2, 'coincidence'],
        [3, 'withdrawn'],
      ],
    );
    assert.deepEqual(outbox.appendMany([]), []);
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

describe('outbox relay', () => {
  const waitFor = async (predicate: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  it('delivers every row after its cursor in order, retrying a failed publish without skipping it', async () => {
    const db = openDatabase({ path: join(dir, 'relay.db') });
    const clock = new ManualClock();
    const outbox = createOutbox({ db, clock });
    outbox.append('notice', { n: 0 });
    const delivered: number[] = [];
    let failures = 2;
    const relay = createOutboxRelay({
      db,
      outbox,
      name: 'test-sink',
      clock,
      logger: silentLogger,
      retryMs: 5,
      publish: (record) => {
        if (record.seq === 3 && failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('broker down'));
        }
        delivered.push(record.seq);
        return Promise.resolve();
      },
    });
    assert.equal(relay.cursor(), 1, 'a new sink starts at the end of the outbox');
    for (let i = 1; i <= 5; i++) {
      outbox.append('notice', { n: i });
      relay.notify();
    }
    await waitFor(() => delivered.length === 5);
    assert.deepEqual(delivered, [2, 3, 4, 5, 6]);
    assert.equal(relay.cursor(), 6);
    await relay.stop();
    db.close();
  });

  it('never publishes inside notify: the caller finishes first, and one batch of appends starts one drain', async () => {
    const db = openDatabase({ path: join(dir, 'relay-deferred.db') });
    const clock = new ManualClock();
    const outbox = createOutbox({ db, clock });
    const events: string[] = [];
    let reads = 0;
    const counted = {
      ...outbox,
      readAfter: (afterSeq: number, limit: number) => {
        reads += 1;
        return outbox.readAfter(afterSeq, limit);
      },
    };
    const relay = createOutboxRelay({
      db,
      outbox: counted,
      name: 'deferred',
      clock,
      logger: silentLogger,
      publish: (record) => {
        events.push(`publish ${record.seq}`);
        return Promise.resolve();
      },
    });
    for (let i = 1; i <= 3; i++) {
      outbox.append('notice', { n: i });
      relay.notify();
      events.push(`notified ${i}`);
    }
    events.push('caller done');
    await waitFor(() => relay.cursor() === 3);
    assert.deepEqual(events, [
      'notified 1',
      'notified 2',
      'notified 3',
      'caller done',
      'publish 1',
      'publish 2',
      'publish 3',
    ]);
    assert.equal(reads, 2, 'one drain: a read of the three rows, then an empty read');
    await relay.stop();
    db.close();
  });

  it('resumes after the last acknowledged seq when the process restarts', async () => {
    const path = join(dir, 'relay-restart.db');
    let db = openDatabase({ path });
    const clock = new ManualClock();
    let outbox = createOutbox({ db, clock });
    const first: number[] = [];
    let relay = createOutboxRelay({
      db,
      outbox,
      name: 'kafka',
      clock,
      logger: silentLogger,
      startAtSeq: 0,
      publish: (record) => {
        first.push(record.seq);
        return Promise.resolve();
      },
    });
    outbox.append('notice', {});
    outbox.append('notice', {});
    relay.notify();
    await waitFor(() => first.length === 2);
    await relay.stop();
    outbox.append('notice', {}); // appended while the sink is down
    db.close();

    db = openDatabase({ path });
    outbox = createOutbox({ db, clock });
    const second: number[] = [];
    relay = createOutboxRelay({
      db,
      outbox,
      name: 'kafka',
      clock,
      logger: silentLogger,
      publish: (record) => {
        second.push(record.seq);
        return Promise.resolve();
      },
    });
    relay.notify();
    await waitFor(() => second.length === 1);
    assert.deepEqual(second, [3]);
    await relay.stop();
    db.close();
  });
});

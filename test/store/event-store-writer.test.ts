import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { createThreadedNormaliser } from '../../src/ingest/normalisation-thread.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createInlineWriter, createThreadWriter, type EventWriter } from '../../src/store/event-writer.ts';
import type { WriteOp } from '../../src/store/event-writes.ts';
import { EventStore, type NewEvent, type PutEventResult } from '../../src/store/event-store.ts';
import { makeTempDir, makeVoEvent } from '../vtp/helpers.ts';

const event = (i: number): NewEvent => ({
  bytes: makeVoEvent(`ivo://test.coincide/w#${i}`),
  ivorn: `ivo://test.coincide/w#${i}`,
  role: 'observation',
  receivedAtMs: i,
  peer: 'p',
  input: 'vtp-receiver',
});

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('event store group commit', () => {
  it('puts every write asked for while a commit is in flight into the one transaction after it', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const inline = createInlineWriter(db);
    const batches: WriteOp[][] = [];
    let release: (() => void) | undefined;
    // Holds the first commit back until the test releases it, as a slow fsync would.
    const held: EventWriter = {
      async write(ops) {
        batches.push([...ops]);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return inline.write(ops);
      },
      ready: () => inline.ready(),
      close: () => inline.close(),
    };
    const store = new EventStore({ db, writer: held });
    try {
      const first = store.putEvent(event(0));
      await nextTurn();
      assert.equal(batches.length, 1, 'the first put is being committed');
      const later: Array<Promise<unknown>> = [];
      for (let i = 1; i <= 3; i++) {
        later.push(store.putEvent(event(i)));
        await nextTurn(); // each in its own turn, all while the first commit is in flight
      }
      assert.equal(batches.length, 1, 'nothing else starts while a commit is in flight');
      release?.();
      await Promise.all([first, ...later]);
      assert.equal(batches.length, 2);
      assert.equal(batches[1]?.length, 3, 'the three later puts share one transaction');
      assert.equal(store.transactionCount, 2);
      assert.equal(store.countEvents(), 4);
    } finally {
      await store.drain();
      db.close();
      tmp.remove();
    }
  });
});

describe('event writes', () => {
  it('keeps the configured synchronous level after a batch of completed normalisations (committed at NORMAL)', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const FULL = 2;
    const levels: number[] = [];
    const inline = createInlineWriter(db);
    // Records the level in force after each transaction.
    const observed: EventWriter = {
      write: (ops) =>
        inline.write(ops).finally(() => levels.push(Number(db.pragma('synchronous', { simple: true })))),
      ready: () => inline.ready(),
      close: () => inline.close(),
    };
    const store = new EventStore({ db, writer: observed });
    try {
      assert.equal(Number(db.pragma('synchronous', { simple: true })), FULL);
      const put = await store.putEvent({ ...event(1), pendingNormalisation: true });
      await store.completeNormalisation(put.eventId, 1);
      assert.deepEqual(store.pendingNormalisation(), []);
      assert.deepEqual(levels, [FULL, FULL], 'the configured level is back after each transaction');
    } finally {
      await store.drain();
      db.close();
      tmp.remove();
    }
  });
});

describe('event writer thread', () => {
  it('commits in a worker thread what the store reads on its own connection, with de-duplication', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const store = new EventStore({ db, writer: 'thread' });
    try {
      await store.ready();
      const puts = await Promise.all([
        store.putEvent(event(1)),
        store.putEvent(event(1)),
        store.putEvent(event(2)),
      ]);
      assert.deepEqual(
        puts.map((p) => p.status),
        ['stored', 'duplicate', 'stored'],
      );
      assert.equal(puts[0]?.eventId, puts[1]?.eventId);
      const stored = store.getEvent(puts[2]?.eventId ?? -1);
      assert.ok(stored?.bytes.equals(event(2).bytes));
      const pending = await store.putEvent({ ...event(3), pendingNormalisation: true });
      assert.deepEqual(
        store.pendingNormalisation().map((e) => e.id),
        [pending.eventId],
      );
      await store.completeNormalisation(pending.eventId, 3);
      assert.deepEqual(store.pendingNormalisation(), []);
      await store.drain();
      await assert.rejects(store.putEvent(event(4)), { code: 'STORE_WRITE' });
    } finally {
      await store.drain();
      db.close();
      tmp.remove();
    }
  });

  it('has each event normalised after its commit by the normalisation thread it hands it to: the notice committed, the mark cleared, as parseNoticeDocument gives it', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const channel = new MessageChannel();
    const normaliser = createThreadedNormaliser({ writerPort: channel.port2 });
    const store = new EventStore({ db, writer: 'thread', normaliser: channel.port1 });
    const notice = readFileSync(
      fileURLToPath(new URL('../../fixtures/notices/gbm-flt-pos.xml', import.meta.url)),
    );
    try {
      await store.ready();
      const newEvent = (bytes: Uint8Array, ivorn: string, pendingNormalisation: boolean): NewEvent => ({
        bytes,
        ivorn,
        role: 'observation',
        receivedAtMs: 5,
        peer: 'p',
        input: 'vtp-receiver',
        pendingNormalisation,
      });
      const [stored, again, plain, notANotice] = await Promise.all([
        store.putEvent(newEvent(notice, 'ivo://a#1', true)),
        store.putEvent(newEvent(notice, 'ivo://a#1', true)),
        store.putEvent(newEvent(event(7).bytes, 'ivo://a#2', false)),
        store.putEvent(newEvent(Buffer.from('<VOEvent ivorn="ivo://a#3" role="test"/>'), 'ivo://a#3', true)),
      ]);
      assert.equal(again?.status, 'duplicate');
      assert.equal(again?.normalised, undefined, 'a duplicate is not normalised again');
      assert.equal(plain?.normalised, undefined, 'nor is an event put without pendingNormalisation');
      const done = await stored?.normalised;
      const expected = JSON.parse(JSON.stringify(parseNoticeDocument(notice))) as unknown;
      assert.deepEqual(done?.notice, expected);
      assert.deepEqual(
        store.noticesByIvorn(done?.notice?.ivorn ?? '').map((n) => n.notice),
        [expected],
      );
      const unreadable = await notANotice?.normalised;
      assert.equal(unreadable?.notice, undefined, 'an event that is not a notice is marked done without one');
      assert.deepEqual(store.pendingNormalisation(), [], 'no mark is left');
    } finally {
      await store.drain();
      await normaliser.close();
      db.close();
      tmp.remove();
    }
  });

  it('acks the writes when the notices normalised after them cannot be committed, and leaves those events pending', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const channel = new MessageChannel();
    const normaliser = createThreadedNormaliser({ writerPort: channel.port2 });
    const store = new EventStore({ db, writer: 'thread', normaliser: channel.port1 });
    const bytes = readFileSync(
      fileURLToPath(new URL('../../fixtures/notices/gbm-flt-pos.xml', import.meta.url)),
    );
    const put = (content: Uint8Array, ivorn: string): Promise<PutEventResult> =>
      store.putEvent({
        bytes: content,
        ivorn,
        role: 'observation',
        receivedAtMs: 5,
        peer: 'p',
        input: 'vtp-receiver',
        pendingNormalisation: true,
      });
    try {
      await store.ready();
      // Every notice row now fails to insert; the events themselves still can be.
      db.exec('ALTER TABLE notices RENAME TO notices_elsewhere');
      const first = await put(bytes, 'ivo://a#1');
      // Within the writer's wait for a write to commit its notice with (or just after it).
      const second = await put(Buffer.concat([bytes, Buffer.from('\n')]), 'ivo://a#1b');
      assert.equal(first.status, 'stored');
      assert.equal(second.status, 'stored', 'the write is acked although the notice with it failed');
      await assert.rejects(first.normalised ?? Promise.resolve(), { code: 'STORE_WRITE' });
      await assert.rejects(second.normalised ?? Promise.resolve(), { code: 'STORE_WRITE' });
      assert.deepEqual(
        store.pendingNormalisation().map((e) => e.id),
        [first.eventId, second.eventId],
        'both stay pending, for the next start',
      );
    } finally {
      await store.drain();
      await normaliser.close();
      db.close();
      tmp.remove();
    }
  });

  it('leaves the events pending, and still acks them, when the normalisation thread has stopped', async () => {
    const tmp = makeTempDir('coincide-store-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const channel = new MessageChannel();
    const normaliser = createThreadedNormaliser({ writerPort: channel.port2 });
    const store = new EventStore({ db, writer: 'thread', normaliser: channel.port1 });
    const bytes = readFileSync(
      fileURLToPath(new URL('../../fixtures/notices/gbm-flt-pos.xml', import.meta.url)),
    );
    try {
      await Promise.all([store.ready(), normaliser.ready()]);
      await normaliser.close();
      const put = await store.putEvent({
        bytes,
        ivorn: 'ivo://a#1',
        role: 'observation',
        receivedAtMs: 5,
        peer: 'p',
        input: 'vtp-receiver',
        pendingNormalisation: true,
      });
      assert.equal(put.status, 'stored', 'the write is acked');
      await assert.rejects(put.normalised ?? Promise.resolve(), { code: 'STORE_WRITE' });
      assert.deepEqual(
        store.pendingNormalisation().map((e) => e.id),
        [put.eventId],
        'it stays pending, for the next start',
      );
    } finally {
      await store.drain();
      db.close();
      tmp.remove();
    }
  });

  it('refuses a database that is not a file with STORE_WRITE', () => {
    const db = openDatabase({ path: ':memory:' });
    try {
      assert.throws(() => createThreadWriter(db), { code: 'STORE_WRITE' });
    } finally {
      db.close();
    }
  });
});

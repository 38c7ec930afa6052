/**
 * The benchmarks' trace of the event writer thread's transactions and of the WAL checkpoints
 * (src/store/span-trace.ts): spans recorded in shared memory by the thread that does the work,
 * read back by another.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { createThreadWriter } from '../../src/store/event-writer.ts';
import { createSpanTrace, readSpans, recordSpan } from '../../src/store/span-trace.ts';
import { makeTempDir, makeVoEvent } from '../vtp/helpers.ts';

describe('span trace', () => {
  it('reads back the spans recorded, in order, and keeps the first ones when full', () => {
    const trace = createSpanTrace(2);
    assert.deepEqual(readSpans(trace), []);
    recordSpan(trace, 1, 2.5, 3);
    recordSpan(trace, 4, 5, 0);
    recordSpan(trace, 6, 7, 1); // no room left
    assert.deepEqual(readSpans(trace), [
      { start: 1, end: 2.5, count: 3 },
      { start: 4, end: 5, count: 0 },
    ]);
  });

  it('records each transaction of the writer thread with its inserts, and each WAL checkpoint', async () => {
    const tmp = makeTempDir('coincide-trace-');
    const db = openDatabase({ path: join(tmp.dir, 'coincide.sqlite') });
    const trace = { transactions: createSpanTrace(1024), checkpoints: createSpanTrace(64) };
    const store = new EventStore({ db, writer: createThreadWriter(db, { trace, checkpointEveryOps: 4 }) });
    try {
      await store.ready();
      const before = Date.now();
      for (let i = 0; i < 8; i++) {
        const ivorn = `ivo://test.coincide/trace#${i}`;
        // One put per turn: one transaction each.
        await store.putEvent({
          bytes: makeVoEvent(ivorn),
          ivorn,
          role: 'observation',
          receivedAtMs: i,
          peer: 'p',
          input: 'vtp-receiver',
        });
      }
      const transactions = readSpans(trace.transactions);
      assert.equal(transactions.length, 8);
      for (const span of transactions) {
        assert.equal(span.count, 1);
        assert.ok(span.start <= span.end);
        assert.ok(span.start >= before - 1000 && span.end <= Date.now() + 1000, 'on the wall clock');
      }
      // The checkpoint thread looks every 200 ms: 8 ops committed, one every 4 ops at most.
      for (let waited = 0; readSpans(trace.checkpoints).length === 0 && waited < 30_000; waited += 50)
        await sleep(50);
      const checkpoints = readSpans(trace.checkpoints);
      assert.ok(checkpoints.length >= 1);
      assert.ok(checkpoints.every((c) => c.count >= 4 && c.start <= c.end));
    } finally {
      await store.drain();
      db.close();
      tmp.remove();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRetention } from '../../src/app/retention.ts';
import { ManualClock } from '../../src/clock.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { makeVoEvent, openTempStore } from '../vtp/helpers.ts';

const DAY_MS = 86_400_000;

/** Stores the event ivo://test.coincide/r#N, received at time 0. */
async function storeEventAtDayZero(t: ReturnType<typeof openTempStore>, n: number): Promise<void> {
  await t.store.putEvent({
    bytes: makeVoEvent(`ivo://test.coincide/r#${String(n)}`),
    ivorn: `ivo://test.coincide/r#${String(n)}`,
    role: 'observation',
    receivedAtMs: 0,
    peer: 'p',
    input: 'replay',
  });
}

/** A temporary database with an outbox row and a stored event, both made at time 0. */
async function archiveAtDayZero(): Promise<{
  t: ReturnType<typeof openTempStore>;
  outbox: ReturnType<typeof createOutbox>;
  clock: ManualClock;
}> {
  const t = openTempStore();
  const clock = new ManualClock(0);
  const outbox = createOutbox({ db: t.db, clock });
  outbox.append('notice', { n: 1 });
  await storeEventAtDayZero(t, 1);
  return { t, outbox, clock };
}

describe('serve retention', () => {
  it('keeps the archive forever by default and prunes the outbox after its retention', async () => {
    const { t, outbox, clock } = await archiveAtDayZero();
    try {
      const logger = createMemoryLogger();
      let afterPruned = 0;
      const retention = createRetention({
        config: { outbox: { retentionDays: 7 }, archive: { retentionDays: 0 } },
        outbox,
        eventStore: t.store,
        afterEventsPruned: () => (afterPruned += 1),
        logger,
        clock,
      });
      clock.set(6 * DAY_MS);
      assert.deepEqual(retention.prune(), { outboxRows: 0, events: 0 });
      clock.set(400 * DAY_MS);
      assert.deepEqual(retention.prune(), { outboxRows: 1, events: 0 }, 'events are kept forever');
      assert.equal(t.store.eventsByIvorn('ivo://test.coincide/r#1').length, 1);
      assert.equal(afterPruned, 0);
      assert.ok(logger.records.some((r) => r.msg === 'pruned' && r.outboxRows === 1));
    } finally {
      t.close();
    }
  });

  it('prunes events older than archive.retentionDays and tells the archive', async () => {
    const { t, outbox, clock } = await archiveAtDayZero();
    try {
      let afterPruned = 0;
      const retention = createRetention({
        config: { outbox: { retentionDays: 0 }, archive: { retentionDays: 30 } },
        outbox,
        eventStore: t.store,
        afterEventsPruned: () => (afterPruned += 1),
        logger: createMemoryLogger(),
        clock,
      });
      clock.set(29 * DAY_MS);
      assert.deepEqual(retention.prune(), { outboxRows: 0, events: 0 });
      clock.set(31 * DAY_MS);
      assert.deepEqual(retention.prune(), { outboxRows: 0, events: 1 }, 'outbox retention 0 keeps rows');
      assert.equal(afterPruned, 1);
      assert.equal(t.store.eventsByIvorn('ivo://test.coincide/r#1').length, 0);
    } finally {
      t.close();
    }
  });

  it('prunes at once and then every interval, until stopped', async () => {
    const { t, outbox, clock } = await archiveAtDayZero();
    try {
      const logger = createMemoryLogger();
      const retention = createRetention({
        config: { outbox: { retentionDays: 0 }, archive: { retentionDays: 30 } },
        outbox,
        eventStore: t.store,
        afterEventsPruned: () => undefined,
        logger,
        clock,
        intervalMs: 20,
      });
      clock.set(31 * DAY_MS);
      retention.start();
      assert.equal(t.store.countEvents(), 0, 'pruned at once');
      const runs = (): number => logger.records.filter((r) => r.msg === 'pruned').length;
      assert.equal(runs(), 1);
      // A new old event, pruned by a later run of the timer.
      await storeEventAtDayZero(t, 2);
      const deadline = Date.now() + 10_000;
      while (t.store.countEvents() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(t.store.countEvents(), 0, 'pruned again by the timer');
      retention.stop();
      const afterStop = runs();
      await storeEventAtDayZero(t, 3);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(runs(), afterStop, 'no run after stop()');
      assert.equal(t.store.countEvents(), 1, 'stopped: the new event is kept');
    } finally {
      t.close();
    }
  });

  it('logs a failed prune and keeps running', async () => {
    const { t, outbox, clock } = await archiveAtDayZero();
    try {
      const logger = createMemoryLogger();
      const retention = createRetention({
        config: { outbox: { retentionDays: 1 }, archive: { retentionDays: 0 } },
        outbox: {
          ...outbox,
          prune: () => {
            throw new Error('disk I/O error');
          },
        },
        eventStore: t.store,
        afterEventsPruned: () => undefined,
        logger,
        clock,
      });
      retention.start();
      retention.stop();
      const failure = logger.records.find((r) => r.msg === 'retention: prune failed');
      assert.ok(failure, 'the failure is logged');
      assert.match(String(failure.error), /disk I\/O error/);
    } finally {
      t.close();
    }
  });
});

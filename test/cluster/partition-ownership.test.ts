/**
 * The rebuild state machine of src/cluster/partition-ownership.ts, driven message by message:
 * kafkajs delivers batches fetched before a seek took effect (from the previous owner's commit),
 * and the rebuild must keep re-issuing its seek until it reads from its start, however many such
 * batches come (the former limit of 20 re-seeks ran out on a loaded machine, and the rebuild then
 * skipped the history before the commit: test/cluster/night.test.ts missed 65 pairs once). Only
 * after RESEEK_GIVE_UP_MS without reaching the start (its messages deleted meanwhile) does it go
 * on, with an error in the log. The admin answers offsets like a broker with 1,000 messages in
 * partition 0 whose first message in the window is offset 100; the consumer records its seeks.
 * The whole path against the real broker is test/cluster/night.test.ts and rebuild-health.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Admin, Consumer } from 'kafkajs';
import { ManualClock } from '../../src/clock.ts';
import { PartitionOwnership, RESEEK_GIVE_UP_MS } from '../../src/cluster/partition-ownership.ts';
import { createMemoryLogger } from '../../src/logger.ts';

const TOPIC = 'ztf';
const START = 100;
const END = 1_000;

function setUp(): {
  ownership: PartitionOwnership;
  seeks: string[];
  clock: ManualClock;
  logger: ReturnType<typeof createMemoryLogger>;
} {
  const admin = {
    fetchTopicOffsetsByTimestamp: () => Promise.resolve([{ partition: 0, offset: String(START) }]),
    fetchTopicOffsets: () =>
      Promise.resolve([{ partition: 0, offset: String(END), high: String(END), low: '0' }]),
  } as unknown as Admin;
  const seeks: string[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: () => undefined,
    seek: ({ offset }: { offset: string }) => seeks.push(offset),
  } as unknown as Consumer;
  const clock = new ManualClock(1_800_000_000_000);
  const logger = createMemoryLogger();
  const ownership = new PartitionOwnership({
    admin,
    windowMs: 31 * 86_400_000,
    clock,
    logger,
    onRevoked: () => undefined,
  });
  ownership.attach(consumer);
  return { ownership, seeks, clock, logger };
}

async function assigned(ownership: PartitionOwnership): Promise<void> {
  ownership.onAssignment({ [TOPIC]: [0] });
  await ownership.beforeBatch(TOPIC, 0);
}

describe('optical partition rebuild', () => {
  it('re-seeks for every stale batch, however many, until it reads from its start', async () => {
    const { ownership, seeks, clock } = setUp();
    await assigned(ownership);
    assert.deepEqual(seeks, [String(START)], 'the plan seeks to the window start');
    // 50 batches from the previous owner's commit (offset 700 on), one message each before the
    // wrapped seek makes the rest of the batch stale, 1 s apart.
    for (let k = 0; k < 50; k++) {
      clock.advance(1_000);
      assert.equal(ownership.isRebuild(TOPIC, 0, 700 + k), true);
    }
    assert.equal(seeks.length, 51, 'one seek per stale batch, never given up');
    assert.equal(ownership.health().status, 'degraded');
    // The seek takes effect: the rebuild reads start … end − 1, then the partition is live.
    for (let offset = START; offset < END; offset++)
      assert.equal(ownership.isRebuild(TOPIC, 0, offset), true);
    assert.equal(ownership.health().status, 'ok');
    assert.equal(ownership.isRebuild(TOPIC, 0, END), false, 'a message after the end is live');
    assert.equal(seeks.length, 51);
  });

  it('goes on from where it is after RESEEK_GIVE_UP_MS without reaching the start, with an error', async () => {
    const { ownership, seeks, clock, logger } = setUp();
    await assigned(ownership);
    let offset = 400; // the start was deleted: the consumer keeps coming back at 400
    assert.equal(ownership.isRebuild(TOPIC, 0, offset), true);
    clock.advance(RESEEK_GIVE_UP_MS);
    assert.equal(ownership.isRebuild(TOPIC, 0, offset), true);
    assert.equal(seeks.length, 3, 'still seeking at the limit');
    assert.equal(logger.records.filter((r) => r.level === 'error').length, 0);
    clock.advance(1);
    assert.equal(ownership.isRebuild(TOPIC, 0, offset), true);
    assert.equal(seeks.length, 3, 'no seek after the give-up');
    const errors = logger.records.filter((r) => r.level === 'error');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.msg ?? errors[0]?.message), /could not read from its start/);
    for (offset = 401; offset < END; offset++) ownership.isRebuild(TOPIC, 0, offset);
    assert.equal(ownership.health().status, 'ok');
    assert.equal(ownership.health().lastRebuilds[0]?.partition, `${TOPIC}/0`);
  });
});

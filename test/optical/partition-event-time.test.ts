/**
 * The per-partition event-time progress that holds the join's watermark (issue 14): what holds,
 * from when, and what stops holding (caught up, empty, revoked, stopped).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartitionEventTime } from '../../src/optical/partition-event-time.ts';

describe('partition event time', () => {
  test('before its first assignment the stream holds everything', () => {
    const t = new PartitionEventTime();
    assert.equal(t.holdMjd(), -Infinity);
    t.assign({});
    assert.equal(t.holdMjd(), Infinity);
  });

  test('a partition holds at −∞ until it delivers, then at its latest event time until it catches up', () => {
    const t = new PartitionEventTime();
    t.assign({ alerts: [0, 1] });
    assert.equal(t.holdMjd(), -Infinity);
    t.batchStarted('alerts', 0);
    t.observe('alerts', 0, 100.5);
    t.observe('alerts', 0, 100.25); // out of order within the partition: progress stays
    assert.equal(t.holdMjd(), -Infinity, 'partition 1 has not delivered');
    t.batchStarted('alerts', 1);
    t.observe('alerts', 1, 100.1);
    assert.equal(t.holdMjd(), 100.1, 'the least progress of the partitions catching up');
    t.caughtUp('alerts', 1);
    assert.equal(t.holdMjd(), 100.5, 'a caught-up partition does not hold');
    t.caughtUp('alerts', 0);
    assert.equal(t.holdMjd(), Infinity);
    // New messages: it holds again from its batch.
    t.batchStarted('alerts', 1);
    t.observe('alerts', 1, 100.6);
    assert.equal(t.holdMjd(), 100.6);
    assert.deepEqual(t.describe(), [
      { partition: 'alerts/0', latestMjd: 100.5, caughtUp: true },
      { partition: 'alerts/1', latestMjd: 100.6, caughtUp: false },
    ]);
  });

  test('partitions known to be at their end do not hold; a batch seen first wins', () => {
    const t = new PartitionEventTime();
    t.assign({ a: [0, 1, 2] });
    assert.deepEqual(t.unknown(), [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'a', partition: 2 },
    ]);
    t.batchStarted('a', 1);
    t.observe('a', 1, 50);
    t.knownAtEnd('a', 0);
    t.knownAtEnd('a', 1); // answered after its batch: ignored, the batch says more
    assert.deepEqual(t.unknown(), [{ topic: 'a', partition: 2 }]);
    assert.equal(t.holdMjd(), -Infinity);
    t.knownAtEnd('a', 2);
    assert.equal(t.holdMjd(), 50);
  });

  test('a rebalance keeps the progress of kept partitions, forgets revoked ones, adds new ones unknown', () => {
    const t = new PartitionEventTime();
    t.assign({ a: [0, 1] });
    t.batchStarted('a', 0);
    t.observe('a', 0, 10);
    t.batchStarted('a', 1);
    t.observe('a', 1, 5);
    assert.equal(t.holdMjd(), 5);
    t.assign({ a: [0], b: [3] });
    assert.equal(t.holdMjd(), -Infinity, 'b/3 is new');
    t.knownAtEnd('b', 3);
    assert.equal(t.holdMjd(), 10, 'a/1 was revoked; a/0 kept its progress');
    t.observe('a', 1, 1); // a batch of a revoked partition still being processed: ignored
    assert.equal(t.holdMjd(), 10);
    t.stop();
    assert.equal(t.holdMjd(), Infinity);
  });
});

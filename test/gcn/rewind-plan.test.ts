import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRewind } from '../../src/gcn/rewind-plan.ts';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

describe('rewind plan after downtime', () => {
  test('resumes committed partitions and rewinds the others to cover the gap since the last message, plus a margin', () => {
    const plan = planRewind({
      partitions: [
        { topic: 'a', partition: 0, committed: '42' },
        { topic: 'a', partition: 1, committed: null },
        { topic: 'b', partition: 0, committed: '-1' },
      ],
      nowMs: NOW,
      maxRewindMs: 24 * HOUR,
      lastSeenMs: NOW - 2 * HOUR,
      marginMs: 60_000,
    });
    assert.equal(plan.resumed, 1);
    assert.equal(plan.rewindFromMs, NOW - 2 * HOUR - 60_000);
    assert.deepEqual(
      [...plan.byTime],
      [
        ['a', [1]],
        ['b', [0]],
      ],
    );
    assert.equal(plan.atEnd.size, 0);
  });

  test('never rewinds further than the configured maximum', () => {
    const plan = planRewind({
      partitions: [{ topic: 'a', partition: 0, committed: null }],
      nowMs: NOW,
      maxRewindMs: 6 * HOUR,
      lastSeenMs: NOW - 72 * HOUR,
    });
    assert.equal(plan.rewindFromMs, NOW - 6 * HOUR);
  });

  test('rewinds by the maximum when the last message time is unknown', () => {
    const plan = planRewind({
      partitions: [{ topic: 'a', partition: 0, committed: null }],
      nowMs: NOW,
      maxRewindMs: 6 * HOUR,
    });
    assert.equal(plan.rewindFromMs, NOW - 6 * HOUR);
  });

  test('starts the heartbeat topic at its end, never in the past', () => {
    const plan = planRewind({
      partitions: [
        { topic: 'gcn.heartbeat', partition: 0, committed: null },
        { topic: 'gcn.classic.voevent.X', partition: 0, committed: null },
      ],
      nowMs: NOW,
      maxRewindMs: HOUR,
      latestOnlyTopics: ['gcn.heartbeat'],
    });
    assert.deepEqual([...plan.atEnd], [['gcn.heartbeat', [0]]]);
    assert.deepEqual([...plan.byTime], [['gcn.classic.voevent.X', [0]]]);
  });
});

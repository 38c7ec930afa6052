import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrefetchQueue } from '../../src/optical/prefetch-queue.ts';

/** Resolves on the next turn of the event loop. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the prefetch queue of the optical Kafka source', () => {
  test('holds at most depth batches besides the one being processed, in order', async () => {
    const queue = new PrefetchQueue<string>(1);
    let pushed = 0;
    const pushing = (async () => {
      for (const name of ['a', 'b', 'c']) {
        await queue.push(name, 't', 0);
        pushed += 1;
      }
    })();
    await turn();
    // 'a' (next to be processed) and 'b' (prefetched) are held; the push of 'c' waits for room.
    assert.equal(pushed, 2);
    assert.equal(queue.size, 3);
    const first = await queue.next();
    assert.equal(first?.batch, 'a');
    queue.done();
    await pushing;
    assert.equal(pushed, 3);
    assert.equal((await queue.next())?.batch, 'b');
    queue.done();
    assert.equal((await queue.next())?.batch, 'c');
    queue.done();
    assert.equal(queue.size, 0);
  });

  test('a rebalance makes every queued batch stale, a seek only those of its partition', async () => {
    const queue = new PrefetchQueue<string>(4);
    await queue.push('p0', 't', 0);
    await queue.push('p1', 't', 1);
    const p0 = await queue.next();
    assert.ok(p0);
    queue.seeked('t', 1);
    assert.equal(queue.isStale(p0), false);
    queue.done();
    const p1 = await queue.next();
    assert.ok(p1);
    assert.equal(queue.isStale(p1), true);
    queue.done();
    await queue.push('after-seek', 't', 1);
    const fresh = await queue.next();
    assert.ok(fresh);
    assert.equal(queue.isStale(fresh), false);
    queue.newGeneration();
    assert.equal(queue.isStale(fresh), true);
    queue.done();
  });

  test('close releases a waiting push and a waiting next', async () => {
    const queue = new PrefetchQueue<string>(0);
    await queue.push('a', 't', 0);
    const waitingPush = queue.push('b', 't', 0);
    const drained = new PrefetchQueue<string>(0);
    const waitingNext = drained.next();
    queue.close();
    drained.close();
    await waitingPush;
    assert.equal(await waitingNext, undefined);
  });
});

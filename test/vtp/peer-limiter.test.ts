import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createPeerLimiter } from '../../src/vtp/peer-limiter.ts';

const open = (): boolean => false;

/** True when `promise` has settled by the end of the current macrotask queue turn. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('per-peer limiter', () => {
  it('processes at most `concurrency` submissions of one address at once; others do not wait for it', async () => {
    const limiter = createPeerLimiter({ concurrency: 2, ratePerSec: 1000 }, new ManualClock(0));
    const first = await limiter.acquire('10.0.0.1', open);
    const second = await limiter.acquire('10.0.0.1', open);
    assert.ok(first && second);
    const third = limiter.acquire('10.0.0.1', open);
    assert.equal(await settled(third), false);
    // Another address is not held up by the first one's queue.
    assert.ok(await limiter.acquire('10.0.0.2', open));
    first();
    first(); // a second release of the same submission changes nothing
    const release = await third;
    assert.ok(release);
    assert.equal(await settled(limiter.acquire('10.0.0.1', open)), false);
  });

  it('starts at most `burst` at once, then `ratePerSec` on average', async () => {
    const clock = new ManualClock(0);
    const limiter = createPeerLimiter({ concurrency: 100, ratePerSec: 10, burst: 2 }, clock);
    assert.ok(await limiter.acquire('10.0.0.1', open));
    assert.ok(await limiter.acquire('10.0.0.1', open));
    const third = limiter.acquire('10.0.0.1', open);
    assert.equal(await settled(third), false);
    clock.advance(100); // one token (10 per second)
    // Granted when the limiter looks again, on its own timer (unref'd: this keeps the test alive).
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      assert.ok(await third);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('a waiting submission whose connection closed resolves with no release and frees its turn', async () => {
    const limiter = createPeerLimiter({ concurrency: 1, ratePerSec: 1000 }, new ManualClock(0));
    const first = await limiter.acquire('10.0.0.1', open);
    assert.ok(first);
    let closed = false;
    const waiting = limiter.acquire('10.0.0.1', () => closed);
    const after = limiter.acquire('10.0.0.1', open);
    closed = true;
    first();
    assert.equal(await waiting, undefined);
    assert.ok(await after);
  });

  it('forgets an idle address once its bucket is full again, and only then (no free burst)', async () => {
    const clock = new ManualClock(0);
    const limiter = createPeerLimiter({ concurrency: 10, ratePerSec: 1, burst: 2 }, clock);
    const a = await limiter.acquire('10.0.0.1', open);
    const b = await limiter.acquire('10.0.0.1', open);
    a?.();
    b?.();
    assert.equal(limiter.trackedAddresses, 1);
    // 1.5 s later its bucket holds 1.5 tokens of 2: remembered, so it gets no fresh burst.
    clock.advance(1500);
    (await limiter.acquire('10.0.0.2', open))?.();
    assert.equal(limiter.trackedAddresses, 2);
    assert.ok(await limiter.acquire('10.0.0.1', open));
    assert.equal(await settled(limiter.acquire('10.0.0.1', open)), false);
    // Another address, long after: every idle address with a full bucket is forgotten.
    const idle = createPeerLimiter({ concurrency: 10, ratePerSec: 1, burst: 2 }, clock);
    (await idle.acquire('10.0.0.1', open))?.();
    (await idle.acquire('10.0.0.2', open))?.();
    assert.equal(idle.trackedAddresses, 2);
    clock.advance(5000);
    const busy = await idle.acquire('10.0.0.3', open);
    assert.equal(idle.trackedAddresses, 1);
    busy?.();
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSkyMapWaits } from '../../src/app/skymap-waits.ts';

describe('sky-map waits', () => {
  it('supersedes the earlier turn of a trigger, and holds none for a notice that joins at once', () => {
    const waits = createSkyMapWaits({ waitMs: 1000 });
    const first = waits.arrive('T1');
    const other = waits.arrive('T2');
    assert.equal(waits.held(), 2);
    waits.supersede('T1');
    assert.ok(first.superseded(), 'a circle notice supersedes the map notice before it');
    assert.ok(!other.superseded(), 'triggers never touch each other');
    assert.equal(waits.held(), 1, 'no turn held for T1');
    waits.close();
    assert.ok(other.superseded());
    assert.equal(waits.held(), 0);
  });

  it('forgets a finished turn, so that 16,000 triggers hold nothing once joined', () => {
    const waits = createSkyMapWaits({ waitMs: 1000 });
    for (let i = 0; i < 16_000; i++) {
      const turn = waits.arrive(`T${i}`);
      waits.finish(`T${i}`, turn);
    }
    assert.equal(waits.held(), 0);
    // finish() of a superseded turn leaves the newer one held.
    const old = waits.arrive('T');
    const newer = waits.arrive('T');
    waits.finish('T', old);
    assert.equal(waits.held(), 1);
    assert.ok(old.superseded());
    assert.ok(!newer.superseded());
    waits.finish('T', newer);
    assert.equal(waits.held(), 0);
  });

  it('ends a wait at the bound, or at once when superseded', async () => {
    const waits = createSkyMapWaits({ waitMs: 20 });
    const never = new Promise<number>(() => undefined);
    assert.equal(await waits.within(never, waits.arrive('A')), undefined);
    const turn = waits.arrive('B');
    const waiting = waits.within(never, turn);
    waits.supersede('B');
    assert.equal(await waiting, undefined);
    assert.equal(await waits.within(Promise.resolve(7), waits.arrive('C')), 7);
  });
});

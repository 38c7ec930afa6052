/**
 * Requests served in groups (src/worker-thread.ts serveThreadRequestGroups, the event writer's
 * pipelined commits): what arrives while a group is being handled is handled together, next.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoincideError } from '../src/errors.ts';
import { startThreadClient } from '../src/worker-thread.ts';

describe('thread requests served in groups', () => {
  test('requests that arrive while a group is handled form the next group; a throw fails its whole group', async () => {
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const client = startThreadClient<string, { group: number; size: number }>(
      new URL('./helpers/grouping-thread.ts', import.meta.url),
      {
        workerData: flags,
        batchPerTurn: false,
        requestFailed: (message) => new CoincideError('STORE_WRITE', message),
        threadFailed: (reason) => new CoincideError('STORE_WRITE', reason),
      },
    );
    try {
      await client.ready();
      /** Calls 'hold', then `later` while its group is held; releases it; both answers. */
      const whileHeld = async (later: string[]) => {
        const held = client.call('hold');
        while (Atomics.load(flags, 0) === 0) await sleep(5); // the 'hold' group is being handled
        const calls = later.map((request) => client.call(request));
        Atomics.store(flags, 1, 1);
        Atomics.notify(flags, 1);
        return { held: await held, later: await Promise.allSettled(calls) };
      };
      const one = await whileHeld(['b', 'c', 'd']);
      assert.deepEqual(one.held, { group: 0, size: 1 });
      assert.deepEqual(
        one.later.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))),
        [
          { group: 1, size: 3 },
          { group: 1, size: 3 },
          { group: 1, size: 3 },
        ],
      );
      // A lone request is handled at once, in a group of its own.
      assert.deepEqual(await client.call('e'), { group: 2, size: 1 });
      const two = await whileHeld(['fail', 'f']);
      assert.deepEqual(two.held, { group: 3, size: 1 });
      assert.deepEqual(
        two.later.map((r) => r.status),
        ['rejected', 'rejected'],
        'a throw fails every request of its group',
      );
      assert.match(String((two.later[1] as PromiseRejectedResult).reason), /group 4 failed/);
    } finally {
      await client.close();
    }
  });
});

/**
 * A thread for test/worker-thread-groups.test.ts: serves requests in groups
 * (serveThreadRequestGroups) and answers each with the group it was handled in. A group with a
 * 'hold' request is held until the test releases it: workerData is an Int32Array on shared
 * memory, [0] set to 1 once such a group is being handled, [1] set to 1 by the test to release it
 * (both reset here afterwards). A group with a 'fail' request throws.
 */
import { workerData } from 'node:worker_threads';
import { serveThreadRequestGroups } from '../../src/worker-thread.ts';

const flags = workerData as Int32Array;
let groups = 0;
serveThreadRequestGroups((requests: string[]): Array<{ group: number; size: number }> => {
  const group = groups++;
  if (requests.includes('hold')) {
    Atomics.store(flags, 0, 1);
    Atomics.wait(flags, 1, 0); // until the test releases it
    Atomics.store(flags, 1, 0);
    Atomics.store(flags, 0, 0);
  }
  if (requests.includes('fail')) throw new Error(`group ${group} failed`);
  return requests.map(() => ({ group, size: requests.length }));
});

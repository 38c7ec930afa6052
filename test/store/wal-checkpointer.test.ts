/**
 * WAL checkpoints off the commit path (src/store/wal-checkpointer.ts): with the writer thread,
 * the events committed to the WAL reach the database file through the checkpoint thread (the
 * writer's own automatic checkpoint is raised far above what this test writes), and closing the
 * store stops the thread.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { startWalCheckpointer } from '../../src/store/wal-checkpointer.ts';
import { makeTempDir, makeVoEvent } from '../vtp/helpers.ts';

describe('WAL checkpoint thread', () => {
  it('copies what the writer thread commits into the database file, without a COMMIT doing it', async () => {
    const tmp = makeTempDir('coincide-ckpt-');
    const path = join(tmp.dir, 'coincide.sqlite');
    const db = openDatabase({ path });
    const store = new EventStore({ db, writer: 'thread' });
    try {
      await store.ready();
      const before = statSync(path).size;
      const events = Array.from({ length: 300 }, (_, i) => makeVoEvent(`ivo://test.coincide/ckpt#${i}`));
      const bytes = events.reduce((sum, e) => sum + e.length, 0);
      // One put per turn: 300 transactions, as many as 300 lone authors would make.
      for (const [i, event] of events.entries()) {
        await store.putEvent({
          bytes: event,
          ivorn: `ivo://test.coincide/ckpt#${i}`,
          role: 'observation',
          receivedAtMs: i,
          peer: 'p',
          input: 'vtp-receiver',
        });
      }
      // The WAL holds ~300 x several pages, far below the writer's own threshold (16,384 pages);
      // the thread checkpoints every 128 ops, so at least the first 256 events reach the file.
      const expected = before + Math.floor((bytes * 256) / 300);
      let size = statSync(path).size;
      for (let waited = 0; size < expected && waited < 30_000; waited += 50) {
        await sleep(50);
        size = statSync(path).size;
      }
      assert.ok(size >= expected, `database file ${size} bytes, expected >= ${expected}`);
      assert.equal(store.countEvents(), 300);
    } finally {
      await store.drain(); // stops the writer and the checkpoint threads
      db.close();
      tmp.remove();
    }
  });

  it('reports a database it cannot open through ready(), and close() still resolves', async () => {
    const checkpointer = startWalCheckpointer('/nonexistent-folder/coincide.sqlite', {
      busyTimeoutMs: 0,
      written: new Int32Array(new SharedArrayBuffer(4)),
    });
    await assert.rejects(checkpointer.ready(), { code: 'STORE_WRITE' });
    await checkpointer.close();
  });
});

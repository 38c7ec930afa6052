import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendEvent } from '../../src/vtp/sender.ts';
import { eventually, makeTempDir, makeVoEvent } from './helpers.ts';
import { startVtpNode } from './node.ts';

describe('relay chains between coincide nodes', () => {
  it('relays bytes unchanged A -> B -> C and cuts the loop when A also subscribes to C', async () => {
    const tmp = makeTempDir();
    const a = await startVtpNode({ dir: tmp.dir, localIvo: 'ivo://test.coincide/a' });
    const b = await startVtpNode({
      dir: tmp.dir,
      localIvo: 'ivo://test.coincide/b',
      remotes: [`127.0.0.1:${a.broadcastPort}`],
    });
    const c = await startVtpNode({
      dir: tmp.dir,
      localIvo: 'ivo://test.coincide/c',
      remotes: [`127.0.0.1:${b.broadcastPort}`],
    });
    await a.subscribe([`127.0.0.1:${c.broadcastPort}`]);
    try {
      await eventually(
        () =>
          a.broadcaster.subscribers().length === 1 &&
          b.broadcaster.subscribers().length === 1 &&
          c.broadcaster.subscribers().length === 1,
      );
      const ivorns = ['ivo://test.coincide/relay#1', 'ivo://test.coincide/relay#2'];
      const sent = ivorns.map((ivorn) => makeVoEvent(ivorn));
      for (const bytes of sent)
        assert.equal((await sendEvent({ host: '127.0.0.1', port: a.receivePort, bytes })).role, 'ack');
      await eventually(
        () => ivorns.every((ivorn) => c.store.eventsByIvorn(ivorn).length === 1),
        5000,
        'events at C',
      );
      // Let the loop C -> A run: A acks the returning copies as duplicates and relays nothing more.
      await eventually(
        () =>
          a.broadcaster.subscribers()[0]?.outstandingAcks === 0 &&
          c.broadcaster.subscribers()[0]?.outstandingAcks === 0,
        5000,
        'acks',
      );
      await new Promise((r) => setTimeout(r, 200));
      for (const [i, ivorn] of ivorns.entries()) {
        for (const node of [a, b, c]) {
          const stored = node.store.eventsByIvorn(ivorn);
          assert.equal(stored.length, 1);
          assert.ok(stored[0]?.bytes.equals(sent[i] as Buffer), 'bytes identical at every node');
        }
      }
      assert.equal(a.store.countEvents(), 2);
      assert.equal(b.broadcaster.subscribers()[0]?.outstandingAcks, 0);
    } finally {
      await c.stop();
      await b.stop();
      await a.stop();
      tmp.remove();
    }
  });
});

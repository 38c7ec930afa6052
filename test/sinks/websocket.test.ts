import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { createStreamClient, type StreamMessage } from '../../src/sinks/websocket-client.ts';
import { CLOSE_POLICY, CLOSE_REVOKED, CLOSE_TOO_SLOW } from '../../src/sinks/websocket.ts';
import { createTokenStore } from '../../src/auth/tokens.ts';
import { systemClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { makeCoincidence, makeNotice } from '../http/records.ts';
import { startTestApp } from '../http/start-app.ts';

interface Collected {
  ws: WebSocket;
  messages: StreamMessage[];
  waitFor(predicate: (messages: StreamMessage[]) => boolean, timeoutMs?: number): Promise<void>;
}

async function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Collected> {
  const ws = new WebSocket(url, options);
  const messages: StreamMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse((data as Buffer).toString('utf8')) as StreamMessage);
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`timed out; got ${JSON.stringify(messages.map((m) => [m.type, m.seq]))}`));
        }, timeoutMs);
        const check = (): void => {
          if (predicate(messages)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

const bearer = (token: string): WebSocket.ClientOptions => ({
  headers: { Authorization: `Bearer ${token}` },
});
const subscribe = (c: Collected, body: Record<string, unknown> = {}): void => {
  c.ws.send(JSON.stringify({ type: 'subscribe', ...body }));
};
const heartbeats = (ms: StreamMessage[]): number => ms.filter((m) => m.type === 'heartbeat').length;
const closed = (ws: WebSocket): Promise<number> =>
  new Promise((resolve) => {
    ws.once('close', (code) => {
      resolve(code);
    });
  });

describe('WebSocket stream', () => {
  it('refuses an upgrade with no token, or a wrong one, with HTTP 401', async () => {
    const t = await startTestApp();
    try {
      for (const url of [t.wsUrl, `${t.wsUrl}?token=cct_wrong`]) {
        const status = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.on('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.on('open', () => {
            reject(new Error('connected without a valid token'));
          });
          ws.on('error', () => undefined);
        });
        assert.equal(status, 401);
      }
    } finally {
      await t.stop();
    }
  });

  it('accepts the token in the Authorization header or the token query parameter', async () => {
    const t = await startTestApp();
    try {
      const byHeader = await connect(t.wsUrl, bearer(t.token));
      const byQuery = await connect(`${t.wsUrl}?token=${t.token}`);
      subscribe(byHeader);
      subscribe(byQuery);
      await byHeader.waitFor((m) => heartbeats(m) >= 1);
      await byQuery.waitFor((m) => heartbeats(m) >= 1);
      byHeader.ws.close();
      byQuery.ws.close();
    } finally {
      await t.stop();
    }
  });

  it('sends {type, seq, data} with monotonically increasing seq, data being the record as JSON', async () => {
    const t = await startTestApp();
    try {
      const c = await connect(t.wsUrl, bearer(t.token));
      subscribe(c);
      await c.waitFor((m) => heartbeats(m) >= 1);
      const notice = makeNotice();
      t.app.publishNotice(notice);
      t.app.publishCoincidence(makeCoincidence());
      t.app.publishCoincidence(makeCoincidence({ status: 'withdrawn' }));
      await c.waitFor((m) => m.length >= 4);
      const data = c.messages.filter((m) => m.type !== 'heartbeat');
      assert.deepEqual(
        data.map((m) => m.type),
        ['notice', 'coincidence', 'withdrawn'],
      );
      assert.deepEqual(
        data.map((m) => m.seq),
        [1, 2, 3],
      );
      assert.deepEqual(data[0]?.data, notice);
      assert.equal(
        (data[1]?.data as { counterpart: { alertId: string } }).counterpart.alertId,
        '2345678901234567891',
      );
      c.ws.close();
    } finally {
      await t.stop();
    }
  });

  it('applies per-connection filters: messenger, tier, maximum pChance, sky region, notice types', async () => {
    const t = await startTestApp();
    try {
      const gammaOnly = await connect(t.wsUrl, bearer(t.token));
      const goldCoincidences = await connect(t.wsUrl, bearer(t.token));
      const nearM87 = await connect(t.wsUrl, bearer(t.token));
      subscribe(gammaOnly, { filters: { messengers: ['gamma'], types: ['notice'] } });
      subscribe(goldCoincidences, {
        filters: { types: ['coincidence'], tiers: ['gold'], maxPChance: 0.001 },
      });
      subscribe(nearM87, {
        filters: { region: { raDeg: 187.7, decDeg: 12.4, radiusDeg: 5 }, noticeTypes: ['IceCube_Gold'] },
      });
      // One heartbeat at the connection, one answering the subscribe.
      for (const c of [gammaOnly, goldCoincidences, nearM87]) await c.waitFor((m) => heartbeats(m) >= 2);
      t.app.publishNotice(makeNotice()); // 1: gamma, far from M87
      t.app.publishNotice(
        makeNotice({
          messenger: 'neutrino',
          observatory: 'IceCube',
          noticeType: 'IceCube_Gold',
          triggerId: 'IceCube:1',
          region: {
            type: 'circle',
            raDeg: 188.5,
            decDeg: 13,
            radiusDeg: 1,
            containment: 0.9,
            systematicIncluded: true,
          },
        }),
      ); // 2: neutrino near M87
      t.app.publishCoincidence(makeCoincidence({ tier: 'gold', pChance: 0.0005 })); // 3
      t.app.publishCoincidence(makeCoincidence({ tier: 'gold', pChance: 0.01 })); // 4: pChance too high
      t.app.publishCoincidence(makeCoincidence({ tier: 'silver', pChance: 0.0001 })); // 5: wrong tier
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:last' })); // 6: marks the end
      // A subscribe without since keeps the position and answers with a heartbeat carrying it:
      // once it says 6, every earlier message has been sent or filtered out.
      const filtersOf = [
        { messengers: ['gamma'], types: ['notice'] },
        { types: ['coincidence'], tiers: ['gold'], maxPChance: 0.001 },
        { region: { raDeg: 187.7, decDeg: 12.4, radiusDeg: 5 }, noticeTypes: ['IceCube_Gold'] },
      ];
      for (const [i, c] of [gammaOnly, goldCoincidences, nearM87].entries()) {
        subscribe(c, { filters: filtersOf[i] });
        await c.waitFor((m) => m.some((x) => x.type === 'heartbeat' && x.seq === 6));
      }
      const seqs = (c: Collected): number[] =>
        c.messages.filter((m) => m.type !== 'heartbeat').map((m) => m.seq);
      assert.deepEqual(seqs(gammaOnly), [1, 6]);
      assert.deepEqual(seqs(goldCoincidences), [3]);
      assert.deepEqual(seqs(nearM87), [2]);
      for (const c of [gammaOnly, goldCoincidences, nearM87]) c.ws.close();
    } finally {
      await t.stop();
    }
  });

  it('sends heartbeats carrying the last seq served, and closes a connection whose token is revoked with 4001', async () => {
    const t = await startTestApp({ flags: { 'heartbeat-ms': '100' } });
    try {
      const c = await connect(t.wsUrl, bearer(t.token));
      subscribe(c);
      t.app.publishNotice(makeNotice());
      await c.waitFor((m) => m.filter((x) => x.type === 'heartbeat' && x.seq === 1).length >= 2);
      const code = closed(c.ws);
      const db = openDatabase({ path: t.dbPath });
      createTokenStore({ db, clock: systemClock }).revoke('test');
      db.close();
      assert.equal(await code, CLOSE_REVOKED);
    } finally {
      await t.stop();
    }
  });

  it('closes with 1008 and a reason on a malformed subscribe message', async () => {
    const t = await startTestApp();
    try {
      const c = await connect(t.wsUrl, bearer(t.token));
      const code = closed(c.ws);
      subscribe(c, { filters: { messengers: 'gamma' } });
      assert.equal(await code, CLOSE_POLICY);
    } finally {
      await t.stop();
    }
  });

  it('gives every 1008 refusal a reason that starts with its error code (fuzz finding: four had none)', async () => {
    const t = await startTestApp();
    try {
      for (const message of [
        'not json',
        '{"type":"unsubscribe"}',
        '{"type":"subscribe","since":-1}',
        '{"type":"subscribe","since":99}',
      ]) {
        const c = await connect(t.wsUrl, bearer(t.token));
        const close = new Promise<[number, string]>((resolve) => {
          c.ws.once('close', (code, reason) => {
            resolve([code, reason.toString('utf8')]);
          });
        });
        c.ws.send(message);
        const [code, reason] = await close;
        assert.equal(code, CLOSE_POLICY, message);
        assert.match(reason, /^BAD_REQUEST: /, message);
      }
    } finally {
      await t.stop();
    }
  });

  it('refuses a since after the last seq the server assigned with 1008, rather than skipping messages', async () => {
    const t = await startTestApp();
    try {
      t.app.publishNotice(makeNotice());
      const c = await connect(t.wsUrl, bearer(t.token));
      const code = closed(c.ws);
      subscribe(c, { since: 99 });
      assert.equal(await code, CLOSE_POLICY);
    } finally {
      await t.stop();
    }
  });

  it('replays from since after a server restart with no gap and no duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-ws-resume-'));
    try {
      let t = await startTestApp({ dir });
      const received: StreamMessage[] = [];
      const client = await connect(t.wsUrl, bearer(t.token));
      client.ws.on('message', (d) =>
        received.push(JSON.parse((d as Buffer).toString('utf8')) as StreamMessage),
      );
      subscribe(client);
      await client.waitFor((m) => heartbeats(m) >= 1);
      for (let i = 0; i < 5; i++) t.app.publishNotice(makeNotice({ triggerId: `Fermi:${i}` }));
      await client.waitFor((m) => m.some((x) => x.seq === 5 && x.type === 'notice'));
      const lastSeen = 5;
      client.ws.terminate();
      for (let i = 5; i < 8; i++) t.app.publishNotice(makeNotice({ triggerId: `Fermi:${i}` }));
      await t.stop();
      t = await startTestApp({ dir });
      for (let i = 8; i < 1200; i++) t.app.publishNotice(makeNotice({ triggerId: `Fermi:${i}` }));
      const again = await connect(t.wsUrl, bearer(t.token));
      subscribe(again, { since: lastSeen });
      // One heartbeat at the connection, one when the replay has caught up.
      await again.waitFor((m) => heartbeats(m) >= 2, 10_000);
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:live' }));
      await again.waitFor((m) => m.some((x) => x.seq === 1201));
      const seqs = again.messages.filter((m) => m.type === 'notice').map((m) => m.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: 1201 - lastSeen }, (_, i) => lastSeen + 1 + i),
      );
      again.ws.close();
      await t.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('paces a replay larger than the buffer limit by the client, instead of closing it as too slow', async () => {
    const limit = 1024 * 1024;
    const t = await startTestApp({ flags: { 'max-buffered-bytes': String(limit) } });
    try {
      // Written through a second connection, in one transaction: 6,000 rows of ~1.2 kB (~7 MB,
      // more than the kernel takes for a client that does not read, and several times the
      // limit); one replay batch, 500 rows, stays under the limit.
      const db = openDatabase({ path: t.dbPath });
      const rows = 6000;
      try {
        const outbox = createOutbox({ db, clock: systemClock });
        const padding = 'x'.repeat(500);
        outbox.appendMany(
          Array.from({ length: rows }, (_, i) => ({
            type: 'notice' as const,
            data: makeNotice({ triggerId: `Fermi:${i}`, params: { padding } }),
          })),
        );
      } finally {
        db.close();
      }
      const client = await connect(t.wsUrl, bearer(t.token));
      const code = closed(client.ws);
      // Not reading at first: the socket buffers fill and the replay must wait for a drain.
      client.ws.pause();
      subscribe(client, { since: 0 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.ws.resume();
      // One heartbeat at the connection, one when the replay has caught up.
      await client.waitFor((m) => heartbeats(m) >= 2, 20_000);
      const seqs = client.messages.filter((m) => m.type === 'notice').map((m) => m.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: rows }, (_, i) => i + 1),
      );
      assert.equal(t.app.metrics.websocketSlowClosed.get(), 0);
      client.ws.close();
      assert.equal(await code, 1005);
    } finally {
      await t.stop();
    }
  });

  it('closes a client that does not read with code 4008 and keeps serving the others in full', async () => {
    const t = await startTestApp({ flags: { 'max-buffered-bytes': String(256 * 1024) } });
    try {
      const fast = await connect(t.wsUrl, bearer(t.token));
      const slow = await connect(t.wsUrl, bearer(t.token));
      subscribe(fast);
      subscribe(slow);
      await fast.waitFor((m) => heartbeats(m) >= 1);
      await slow.waitFor((m) => heartbeats(m) >= 1);
      slow.ws.pause();
      const slowCode = closed(slow.ws);
      const padding = 'x'.repeat(16 * 1024);
      const total = 1500;
      for (let i = 0; i < total; i++) {
        t.app.publishNotice(makeNotice({ triggerId: `Fermi:${i}`, params: { padding } }));
        if (i % 5 === 4) await new Promise((resolve) => setImmediate(resolve));
        if (t.app.metrics.websocketSlowClosed.get() === 1 && slow.ws.isPaused) slow.ws.resume();
      }
      await fast.waitFor((m) => m.filter((x) => x.type === 'notice').length === total, 20_000);
      assert.equal(t.app.metrics.websocketSlowClosed.get(), 1);
      assert.equal(await slowCode, CLOSE_TOO_SLOW);
      fast.ws.close();
    } finally {
      await t.stop();
    }
  });

  it('lets a resuming client reconnect by itself after a server restart and receive everything exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-ws-client-'));
    let t = await startTestApp({ dir });
    try {
      const got: number[] = [];
      const client = createStreamClient({
        url: t.wsUrl,
        token: t.token,
        minBackoffMs: 20,
        maxBackoffMs: 100,
        onMessage: (m) => {
          if (m.type === 'notice') got.push(m.seq);
        },
      });
      await client.ready;
      t.app.publishNotice(makeNotice());
      const port = t.ports.http;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await t.stop();
      t = await startTestApp({ dir, flags: { 'http-port': String(port) } });
      t.app.publishNotice(makeNotice());
      t.app.publishNotice(makeNotice());
      const deadline = Date.now() + 5000;
      while (got.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(got, [1, 2, 3]);
      await client.close();
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

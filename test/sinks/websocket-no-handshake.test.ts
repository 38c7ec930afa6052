/**
 * The stream without a handshake, seen by clients that never send a byte: Python `websockets`
 * (a non-Node client, from .venv) and ws. Filters and since come from the URL; an unknown value
 * is refused with 1008 and a reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import type { StreamMessage } from '../../src/sinks/websocket-client.ts';
import { CLOSE_POLICY } from '../../src/sinks/websocket.ts';
import { skipUnlessVenvModules, venvExecutable } from '../helpers/python.ts';
import { makeCoincidence, makeNotice } from '../http/records.ts';
import { startTestApp } from '../http/start-app.ts';

/** Prints each message it receives as one line, sends nothing; exits after `count` messages. */
const PYTHON_CLIENT = `
import asyncio, sys, websockets
async def main(url, count):
    async with websockets.connect(url) as ws:
        for _ in range(count):
            print(await ws.recv(), flush=True)
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
`;

interface Closed {
  code: number;
  reason: string;
}

function collect(url: string): { messages: StreamMessage[]; closed: Promise<Closed>; ws: WebSocket } {
  const ws = new WebSocket(url);
  const messages: StreamMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as StreamMessage));
  const closed = new Promise<Closed>((resolve) => {
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
  return { messages, closed, ws };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WebSocket stream without a handshake', () => {
  const skip = skipUnlessVenvModules(['websockets']);

  it(
    'gives a Python websockets client that sends nothing a heartbeat at once, then a notice',
    { skip },
    async () => {
      const t = await startTestApp();
      try {
        const python = spawn(
          venvExecutable('python'),
          ['-c', PYTHON_CLIENT, `${t.wsUrl}?token=${encodeURIComponent(t.token)}`, '2'],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const lines: StreamMessage[] = [];
        createInterface({ input: python.stdout }).on('line', (line) =>
          lines.push(JSON.parse(line) as StreamMessage),
        );
        const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
        await until(() => lines.length >= 1, 'the first heartbeat', 20_000);
        assert.equal(lines[0]?.type, 'heartbeat');
        assert.equal(lines[0]?.seq, 0);
        t.app.publishNotice(makeNotice({ triggerId: 'Fermi:py' }));
        assert.equal(await exited, 0);
        assert.equal(lines[1]?.type, 'notice');
        assert.equal((lines[1]?.data as { triggerId?: string }).triggerId, 'Fermi:py');
      } finally {
        await t.stop();
      }
    },
  );

  it('takes since and filters from the query, and a subscribe message still changes them', async () => {
    const t = await startTestApp();
    try {
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:old' })); // 1
      t.app.publishCoincidence(makeCoincidence({ tier: 'silver', pChance: 0.001 })); // 2
      const c = collect(`${t.wsUrl}?token=${t.token}&since=0&type=coincidence&tier=gold,silver`);
      await until(() => c.messages.some((m) => m.type === 'heartbeat' && m.seq === 2), 'the replay');
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:new' })); // 3: filtered out
      t.app.publishCoincidence(makeCoincidence({ tier: 'bronze', pChance: 0.01 })); // 4: filtered out
      t.app.publishCoincidence(makeCoincidence({ tier: 'gold', pChance: 0.0001 })); // 5
      await until(() => c.messages.some((m) => m.seq === 5), 'the gold coincidence');
      assert.deepEqual(
        c.messages.filter((m) => m.type !== 'heartbeat').map((m) => m.seq),
        [2, 5],
      );
      c.ws.send(JSON.stringify({ type: 'subscribe', filters: { types: ['notice'] } }));
      await until(() => c.messages.filter((m) => m.type === 'heartbeat').length >= 2, 'the answer');
      t.app.publishNotice(makeNotice({ triggerId: 'Fermi:later' })); // 6
      await until(() => c.messages.some((m) => m.seq === 6), 'the notice');
      c.ws.close();
    } finally {
      await t.stop();
    }
  });

  it('refuses an unknown filter value or parameter with 1008 and a clear reason', async () => {
    const t = await startTestApp();
    try {
      const platinum = collect(`${t.wsUrl}?token=${t.token}&tier=platinum`);
      assert.deepEqual(await platinum.closed, {
        code: CLOSE_POLICY,
        reason: 'BAD_REQUEST: unknown tier "platinum" (one of gold, silver, bronze)',
      });
      const colour = collect(`${t.wsUrl}?token=${t.token}&colour=red`);
      assert.deepEqual(await colour.closed, {
        code: CLOSE_POLICY,
        reason: 'BAD_REQUEST: unknown parameter "colour"',
      });
      const subscribed = collect(`${t.wsUrl}?token=${t.token}`);
      await until(() => subscribed.messages.length >= 1, 'the heartbeat');
      subscribed.ws.send(JSON.stringify({ type: 'subscribe', filters: { tiers: ['platinum'] } }));
      assert.equal((await subscribed.closed).code, CLOSE_POLICY);
    } finally {
      await t.stop();
    }
  });
});

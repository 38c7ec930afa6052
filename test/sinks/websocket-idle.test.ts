/**
 * Idle WebSocket connections are checked (src/sinks/websocket.ts): an authenticated connection
 * that never subscribes is closed, and one that stops answering pings is terminated, while a
 * subscribed client that answers pings stays open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CLOSE_POLICY, MAX_IDLE_TICKS, MAX_MISSED_PONGS } from '../../src/sinks/websocket.ts';
import { startServer, type ServerFixture } from '../http/server-fixture.ts';

const HEARTBEAT_MS = 50;

function open(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => {
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString('utf8') });
    });
  });

describe('WebSocket idle checks', () => {
  let s: ServerFixture;
  let token: string;
  before(async () => {
    s = await startServer({ heartbeatMs: HEARTBEAT_MS });
    token = s.tokens.create('idle').token;
  });
  after(async () => {
    await s.close();
  });

  it(`closes an authenticated connection that has not subscribed by its tick ${MAX_IDLE_TICKS} with 1008`, async () => {
    const ws = await open(`${s.wsUrl}?token=${token}`);
    const { code, reason } = await closed(ws);
    assert.equal(code, CLOSE_POLICY);
    assert.match(reason, /subscribe/);
  });

  it(`terminates a subscribed connection that leaves ${MAX_MISSED_PONGS} pings unanswered`, async () => {
    const silent = await open(`${s.wsUrl}?token=${token}`, { autoPong: false });
    const answering = await open(`${s.wsUrl}?token=${token}`);
    for (const ws of [silent, answering]) ws.send(JSON.stringify({ type: 'subscribe' }));
    let pings = 0;
    silent.on('ping', () => {
      pings += 1;
    });
    const { code } = await closed(silent);
    assert.equal(code, 1006, 'terminated, without a close frame');
    assert.ok(pings >= MAX_MISSED_PONGS);
    // The client that answers stays: it still gets heartbeats after the other was dropped.
    const heartbeat = await new Promise<string>((resolve) => {
      answering.on('message', (raw) => {
        const m = JSON.parse((raw as Buffer).toString('utf8')) as { type: string };
        if (m.type === 'heartbeat') resolve(m.type);
      });
    });
    assert.equal(heartbeat, 'heartbeat');
    assert.equal(answering.readyState, WebSocket.OPEN);
    answering.close();
  });
});

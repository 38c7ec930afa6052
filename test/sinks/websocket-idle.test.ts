/**
 * Idle WebSocket connections are checked (src/sinks/websocket.ts): an authenticated connection
 * that stops answering pings is terminated, while a client that answers them stays open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { MAX_MISSED_PONGS } from '../../src/sinks/websocket.ts';
import { startServer, type ServerFixture } from '../http/server-fixture.ts';

const HEARTBEAT_MS = 50;

function open(ws: WebSocket): Promise<WebSocket> {
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

  it(`terminates a connection that leaves ${MAX_MISSED_PONGS} pings unanswered`, async () => {
    // Pings are counted from the first one on (the listener is there before the connection opens).
    let pings = 0;
    const silentSocket = new WebSocket(`${s.wsUrl}?token=${token}`, { autoPong: false });
    silentSocket.on('ping', () => {
      pings += 1;
    });
    const silent = await open(silentSocket);
    const answering = await open(new WebSocket(`${s.wsUrl}?token=${token}`));
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

/**
 * The resuming stream client (src/sinks/websocket-client.ts) against peers that misbehave, each a
 * real server on a loopback port 0:
 * - a TCP server that accepts the connection but never answers the upgrade (handshake timeout);
 * - a WebSocket server that sends one heartbeat and then falls silent, neither messages nor pings
 *   (liveness timeout), after which the client reconnects and resumes from the seq it saw;
 * - a WebSocket server that sends a frame that is not JSON (skipped, reported, the client goes on).
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import {
  createStreamClient,
  type StreamClientState,
  type StreamMessage,
} from '../../src/sinks/websocket-client.ts';

const TOKEN = 'test-token';

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function listen(server: Server | WebSocketServer): Promise<number> {
  return new Promise((resolve) => {
    if (server instanceof WebSocketServer) {
      server.on('listening', () => {
        resolve((server.address() as AddressInfo).port);
      });
    } else {
      server.listen(0, '127.0.0.1', () => {
        resolve((server.address() as AddressInfo).port);
      });
    }
  });
}

const heartbeat = (seq: number): string => JSON.stringify({ type: 'heartbeat', seq, data: {} });
const notice = (seq: number): string => JSON.stringify({ type: 'notice', seq, data: { seq } });

describe('stream client against a misbehaving server', () => {
  it('gives up a handshake the server never answers, and tries again', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket); // accepted, never answered
    });
    const port = await listen(server);
    const states: StreamClientState[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${port}/v1/stream`,
      token: TOKEN,
      handshakeTimeoutMs: 100,
      minBackoffMs: 20,
      maxBackoffMs: 40,
      onMessage: () => undefined,
      onState: (state) => states.push(state),
    });
    try {
      await waitFor(() => sockets.length >= 2);
      assert.ok(states.includes('closed'), `states: ${states.join(',')}`);
      assert.ok(states.includes('reconnecting'), `states: ${states.join(',')}`);
      assert.ok(!states.includes('open'));
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('drops a connection that falls silent, reconnects and resumes after the last seq', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const port = await listen(wss);
    const requestUrls: string[] = [];
    wss.on('connection', (ws, request) => {
      requestUrls.push(request.url ?? '');
      if (requestUrls.length === 1) {
        ws.send(heartbeat(0));
        ws.send(notice(1));
        ws.send(notice(2));
        // then silence: no message, no ping, and the TCP connection stays up
      } else {
        ws.send(heartbeat(2));
        ws.send(notice(3));
      }
    });
    const states: StreamClientState[] = [];
    const got: StreamMessage[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${port}/v1/stream`,
      token: TOKEN,
      livenessTimeoutMs: 200,
      minBackoffMs: 20,
      maxBackoffMs: 40,
      onMessage: (message) => got.push(message),
      onState: (state) => states.push(state),
    });
    try {
      await client.ready;
      await waitFor(() => got.some((m) => m.seq === 3));
      assert.deepEqual(
        got.filter((m) => m.type === 'notice').map((m) => m.seq),
        [1, 2, 3],
      );
      assert.ok(states.includes('dead'), `states: ${states.join(',')}`);
      assert.equal(requestUrls.length, 2);
      assert.equal(new URL(requestUrls[1] ?? '', 'ws://x').searchParams.get('since'), '2');
    } finally {
      await client.close();
      await new Promise((resolve) => {
        wss.close(resolve);
      });
    }
  });

  it('keeps a quiet connection whose server pings it', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const port = await listen(wss);
    let connections = 0;
    const pingers: NodeJS.Timeout[] = [];
    wss.on('connection', (ws) => {
      connections += 1;
      ws.send(heartbeat(0));
      pingers.push(
        setInterval(() => {
          ws.ping();
        }, 50),
      );
    });
    const states: StreamClientState[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${port}/v1/stream`,
      token: TOKEN,
      livenessTimeoutMs: 200,
      onMessage: () => undefined,
      onState: (state) => states.push(state),
    });
    try {
      await client.ready;
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(connections, 1);
      assert.deepEqual(states, ['open']);
    } finally {
      await client.close();
      for (const pinger of pingers) clearInterval(pinger);
      await new Promise((resolve) => {
        wss.close(resolve);
      });
    }
  });

  it('skips a frame that is not a stream message and goes on', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const port = await listen(wss);
    wss.on('connection', (ws) => {
      ws.send(heartbeat(0));
      ws.send('{not json');
      ws.send('"a string"');
      ws.send(notice(1));
    });
    const states: StreamClientState[] = [];
    const got: StreamMessage[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${port}/v1/stream`,
      token: TOKEN,
      onMessage: (message) => got.push(message),
      onState: (state) => states.push(state),
    });
    try {
      await waitFor(() => got.some((m) => m.seq === 1));
      assert.equal(states.filter((s) => s === 'invalid-message').length, 2);
      assert.deepEqual(
        got.map((m) => m.type),
        ['heartbeat', 'notice'],
      );
    } finally {
      await client.close();
      await new Promise((resolve) => {
        wss.close(resolve);
      });
    }
  });
});

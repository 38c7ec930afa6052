import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeTextFrame } from '../../src/sinks/websocket-frame.ts';

interface Pair {
  /** The server side's raw socket, as handed to ws at the upgrade. */
  socket: Duplex;
  /** Messages the ws client received, as text. */
  received: string[];
  next(): Promise<string>;
  close(): Promise<void>;
}

/** A ws client connected to a ws server on 127.0.0.1, port 0, with the server's raw socket. */
async function connectPair(): Promise<Pair> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server: Server = createServer();
  const socketReady = new Promise<Duplex>((resolve) => {
    server.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, () => {
        resolve(socket);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const received: string[] = [];
  const waiters: Array<(text: string) => void> = [];
  client.on('message', (data, isBinary) => {
    assert.equal(isBinary, false);
    const text = (data as Buffer).toString('utf8');
    const waiter = waiters.shift();
    if (waiter) waiter(text);
    else received.push(text);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const socket = await socketReady;
  return {
    socket,
    received,
    next: () =>
      new Promise((resolve) => {
        const queued = received.shift();
        if (queued !== undefined) resolve(queued);
        else waiters.push(resolve);
      }),
    async close() {
      client.terminate();
      socket.destroy();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

describe('encodeTextFrame', () => {
  it('frames text that a ws client reads back unchanged, at every payload-length boundary', async () => {
    const pair = await connectPair();
    try {
      // 7-bit lengths up to 125, 16-bit up to 65535, 64-bit beyond.
      for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
        const text = 'x'.repeat(length);
        pair.socket.write(encodeTextFrame(text));
        assert.equal(await pair.next(), text, `length ${length}`);
      }
    } finally {
      await pair.close();
    }
  });

  it('counts the payload length in UTF-8 bytes, and accepts a Buffer payload', async () => {
    const pair = await connectPair();
    try {
      const text = `{"name":"GRB 230911A ★","dec":"−23°"}${'é'.repeat(70)}`;
      assert.ok(Buffer.byteLength(text) > 125 && text.length <= 125);
      pair.socket.write(encodeTextFrame(text));
      assert.equal(await pair.next(), text);
      pair.socket.write(encodeTextFrame(Buffer.from(text, 'utf8')));
      assert.equal(await pair.next(), text);
    } finally {
      await pair.close();
    }
  });

  it('is read correctly when the frame arrives split at awkward offsets', async () => {
    const pair = await connectPair();
    try {
      const text = 'y'.repeat(300);
      const frame = encodeTextFrame(text);
      // Split inside the 16-bit length and inside the payload; a tick between the pieces.
      for (const cut of [1, 3, 5, 150]) {
        pair.socket.write(frame.subarray(0, cut));
        await new Promise((resolve) => setImmediate(resolve));
        pair.socket.write(frame.subarray(cut));
        assert.equal(await pair.next(), text, `cut at ${cut}`);
      }
    } finally {
      await pair.close();
    }
  });

  it('shares one frame between connections: the same Buffer written to each arrives whole', async () => {
    const pairs = await Promise.all([connectPair(), connectPair(), connectPair()]);
    try {
      const text = JSON.stringify({ type: 'notice', seq: 7, data: { triggerId: 'Fermi:1' } });
      const frame = encodeTextFrame(text);
      for (const pair of pairs) pair.socket.write(frame);
      for (const pair of pairs) assert.equal(await pair.next(), text);
    } finally {
      await Promise.all(pairs.map((pair) => pair.close()));
    }
  });
});

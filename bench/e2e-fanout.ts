/**
 * The WebSocket fan-out alone: one message to N subscribed clients, from the publish call to
 * its delivery at the last client, without the VTP ingest path in front of it.
 *
 *   npx tsx bench/e2e-fanout.ts [--clients 1000] [--messages 100] [--interval-ms 20] [--bytes 3000]
 *
 * Candidate: the service's WebSocket sink (src/sinks/websocket.ts: the message framed once,
 * the same Buffer written to every socket), fed from a real outbox on a temp SQLite file.
 * Baseline, measured in the same run: a plain ws server that sends the same text with
 * `ws.send` to each client (ws frames it once per client). Each side has its own N clients
 * in a forked process (bench/e2e-clients.ts); the two are measured in alternating blocks so
 * that the machine's load drifts over both alike.
 *
 * Reported per side: the synchronous publish loop (wall ms and CPU ms of this process per
 * message), and publish -> last client / every client (monotonic clock, comparable across
 * processes). The outbox commit is not inside the publish timing (it is the same for both).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { createOutbox } from '../src/sinks/outbox.ts';
import { createWebSocketSink } from '../src/sinks/websocket.ts';
import { openDatabase } from '../src/store/database.ts';
import { monotonicMs, type ClientsCommand, type ClientsEvent } from './e2e-ipc.ts';
import { numberArg } from './number-arg.ts';

const CLIENTS_SCRIPT = fileURLToPath(new URL('e2e-clients.ts', import.meta.url));

const arg = numberArg;

const CLIENTS = arg('clients', 1000);
const MESSAGES = arg('messages', 100);
const INTERVAL_MS = arg('interval-ms', 20);
const BYTES = arg('bytes', 3000);
/** Messages per block; blocks alternate between the two sides. */
const BLOCK = 10;
const WARMUP_BLOCKS = 1;

interface Clients {
  report(): Promise<Record<string, number[]>>;
  close(): Promise<void>;
}

async function startClients(url: string, token: string, count: number): Promise<Clients> {
  const child = fork(CLIENTS_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const next = (wanted: ClientsEvent['ev']): Promise<ClientsEvent> =>
    new Promise((resolve) => {
      const onMessage = (event: ClientsEvent): void => {
        if (event.ev === 'error') process.stderr.write(`client error: ${event.message}\n`);
        if (event.ev !== wanted) return;
        child.off('message', onMessage);
        resolve(event);
      };
      child.on('message', onMessage);
    });
  const command = (message: ClientsCommand): void => {
    child.send(message);
  };
  const subscribed = next('subscribed');
  command({ cmd: 'connect', url, token, count });
  await subscribed;
  return {
    async report() {
      const answer = next('report');
      command({ cmd: 'report' });
      const event = await answer;
      return event.ev === 'report' ? event.deliveries : {};
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        command({ cmd: 'close' });
      }),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Side {
  name: string;
  /** Readies message `id` (the sink: its outbox commit) and returns its synchronous publish. */
  prepare(id: number): () => void;
  clients: Clients;
  /** Per message: start (monotonic ms), loop wall ms, CPU ms. */
  runs: Map<number, { startMs: number; wallMs: number; cpuMs: number }>;
}

const payloadOf = (id: number): Record<string, unknown> => ({
  triggerId: `Fermi:${id}`,
  padding: 'x'.repeat(BYTES),
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `min ${(s[0] ?? NaN).toFixed(2)}  p50 ${percentile(s, 50).toFixed(2)}  p99 ${percentile(s, 99).toFixed(2)}  max ${(s[s.length - 1] ?? NaN).toFixed(2)} ms (n=${s.length})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-fanout-'));
  const db = openDatabase({ path: join(dir, 'bench.db') });
  const tokens = createTokenStore({ db, clock: systemClock });
  const token = tokens.create('bench').token;
  const outbox = createOutbox({ db, clock: systemClock });

  // Candidate: the service's sink.
  const sinkServer = createServer();
  const sink = createWebSocketSink({
    server: sinkServer,
    outbox,
    tokens,
    clock: systemClock,
    logger: silentLogger,
    heartbeatMs: 3_600_000,
    maxBufferedBytes: 8 * 1024 * 1024,
  });
  const sinkPort = await listen(sinkServer);

  // Baseline: ws.send of the same text to each client.
  const plainServer = createServer();
  const wss = new WebSocketServer({ server: plainServer, perMessageDeflate: false });
  const plainClients = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    ws.once('message', () => {
      plainClients.add(ws);
      ws.send('{"type":"heartbeat","seq":0,"data":{}}');
    });
  });
  const plainPort = await listen(plainServer);

  let seq = 0;
  const sides: Side[] = [
    {
      name: 'baseline: ws.send per client',
      prepare: (id) => () => {
        seq += 1;
        const text = `{"type":"notice","seq":${seq},"data":${JSON.stringify(payloadOf(id))}}`;
        for (const ws of plainClients) ws.send(text);
      },
      clients: await startClients(`ws://127.0.0.1:${plainPort}/`, token, CLIENTS),
      runs: new Map(),
    },
    {
      name: 'sink: one frame shared by every client',
      prepare(id) {
        const data = payloadOf(id);
        const record = outbox.append('notice', data);
        return () => {
          sink.publish(record, data);
        };
      },
      clients: await startClients(`ws://127.0.0.1:${sinkPort}/v1/stream`, token, CLIENTS),
      runs: new Map(),
    },
  ];
  const timed = (side: Side, id: number): void => {
    const publish = side.prepare(id);
    const cpu0 = process.cpuUsage();
    const startMs = monotonicMs();
    publish();
    const wallMs = monotonicMs() - startMs;
    const cpu = process.cpuUsage(cpu0);
    side.runs.set(id, { startMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  };

  process.stdout.write(
    `bench/e2e-fanout: ${CLIENTS} clients per side, ${MESSAGES} messages per side of ~${BYTES} bytes, one every ${INTERVAL_MS} ms\n` +
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  const blocks = WARMUP_BLOCKS + Math.ceil(MESSAGES / BLOCK);
  let id = 1;
  const counted = new Set<number>();
  for (let b = 0; b < blocks; b++) {
    for (const side of sides) {
      for (let k = 0; k < BLOCK; k++) {
        if (b >= WARMUP_BLOCKS) counted.add(id);
        timed(side, id);
        id += 1;
        await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const results: Array<{ name: string; lastP99: number }> = [];
  for (const side of sides) {
    const deliveries = await side.clients.report();
    const wall: number[] = [];
    const cpu: number[] = [];
    const every: number[] = [];
    const last: number[] = [];
    let missing = 0;
    for (const [messageId, run] of side.runs) {
      if (!counted.has(messageId)) continue;
      wall.push(run.wallMs);
      cpu.push(run.cpuMs);
      const times = deliveries[String(messageId)] ?? [];
      missing += CLIENTS - times.length;
      for (const t of times) every.push(t - run.startMs);
      if (times.length > 0) last.push(times.reduce((a, c) => Math.max(a, c)) - run.startMs);
    }
    const sortedLast = [...last].sort((a, c) => a - c);
    results.push({ name: side.name, lastP99: percentile(sortedLast, 99) });
    process.stdout.write(
      `${side.name}\n  publish loop wall  ${summary(wall)}\n  publish loop CPU   ${summary(cpu)}\n` +
        `  -> every client    ${summary(every)}\n  -> last client     ${summary(last)}\n  missing: ${missing}\n`,
    );
  }
  const [baseline, candidate] = results;
  if (baseline && candidate) {
    process.stdout.write(
      `ratio p99 publish -> last client (sink / baseline): ${(candidate.lastP99 / baseline.lastP99).toFixed(2)}\n` +
        `load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at end\n`,
    );
  }

  await Promise.all(sides.map((side) => side.clients.close()));
  await sink.close();
  for (const ws of plainClients) ws.terminate();
  await new Promise<void>((resolve) => {
    wss.close(() => {
      resolve();
    });
  });
  await Promise.all(
    [sinkServer, plainServer].map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();

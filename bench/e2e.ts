/**
 * End-to-end latency of `coincide serve`: from a VTP submission (connect, send, ack) to the
 * Notice's delivery on the WebSocket stream, with many clients connected.
 *
 *   npx tsx bench/e2e.ts [--clients 1000] [--events 200] [--interval-ms 50] [--warmup 20]
 *
 * The service runs as its own process (`node bin/coincide.js serve`, temp database, ports 0);
 * the clients and the author run in this process, so both timestamps come from one clock
 * (performance.now). Latency of one delivery = time at the client − time the submission
 * started. Reported: per-delivery p50/p99/max over every (event, client) pair, the
 * per-event "last client served" p50/p99, and the ack latency. Baseline: the same run with
 * one client, measured first; the ratio is p99(N clients) / p99(1 client). Inputs are seeded
 * (fixed trigger numbers); the first events of each phase are a warm-up, not counted.
 * Target (issue 7): p99 <= 50 ms with 1,000 clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import { openDatabase } from '../src/store/database.ts';
import { sendEvent } from '../src/vtp/sender.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = join(
  ROOT,
  '..',
  'shared',
  'upstream-samples',
  'voevent',
  'grb',
  'GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml',
);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

const CLIENTS = arg('clients', 1000);
const EVENTS = arg('events', 200);
const INTERVAL_MS = arg('interval-ms', 50);
const WARMUP = arg('warmup', 20);

interface Service {
  child: ChildProcess;
  httpPort: number;
  receivePort: number;
  stop(): Promise<void>;
}

async function startService(dbPath: string): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'coincide.js'),
      'serve',
      '--db',
      dbPath,
      '--listen-host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--receive-port',
      '0',
      '--broadcast-port',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, COINCIDE_LOG_LEVEL: 'info' } },
  );
  const ports: Record<string, number> = {};
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const r = JSON.parse(line) as { msg?: string; service?: string; port?: number };
        if (r.msg === 'listening' && r.service && r.port) ports[r.service] = r.port;
      } catch {
        process.stderr.write(`${line}\n`);
      }
      if (ports.http && ports['vtp-receiver']) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`serve exited with ${code}`));
    });
  });
  child.stderr.resume();
  return {
    child,
    httpPort: ports.http ?? 0,
    receivePort: ports['vtp-receiver'] ?? 0,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function stats(values: number[]): { min: number; p50: number; p99: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    n: sorted.length,
  };
}

const fmt = (s: ReturnType<typeof stats>): string =>
  `min ${s.min.toFixed(2)}  p50 ${s.p50.toFixed(2)}  p99 ${s.p99.toFixed(2)}  max ${s.max.toFixed(2)} ms  (n=${s.n})`;

/** A GBM notice with its own trigger number (distinct bytes: no de-duplication). */
function makeEvent(template: string, trigId: number): Buffer {
  return Buffer.from(
    template
      .replace(/716111594_58-491/, `${trigId}_58-491`)
      .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${trigId}"`),
  );
}

interface PhaseResult {
  delivery: ReturnType<typeof stats>;
  /** Delivery time minus ack time: the service's publish path alone (outbox commit, fan-out). */
  afterAck: ReturnType<typeof stats>;
  lastClient: ReturnType<typeof stats>;
  ack: ReturnType<typeof stats>;
  missing: number;
}

async function phase(
  service: Service,
  token: string,
  clientCount: number,
  firstTrigId: number,
  template: string,
): Promise<PhaseResult> {
  const sentAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const deliveries = new Map<string, number[]>();
  const clients: WebSocket[] = [];
  const url = `ws://127.0.0.1:${service.httpPort}/v1/stream`;
  let subscribed = 0;
  for (let i = 0; i < clientCount; i++) {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    clients.push(ws);
    ws.on('message', (data: Buffer) => {
      const now = performance.now();
      const text = data.toString('utf8');
      if (text.startsWith('{"type":"heartbeat"')) {
        subscribed += 1;
        return;
      }
      // A regex, not JSON.parse: the client's own parsing cost must not inflate the figure.
      const id = /"triggerId":"Fermi:(\d+)"/.exec(text)?.[1];
      if (id === undefined) return;
      const list = deliveries.get(id) ?? [];
      list.push(now);
      deliveries.set(id, list);
    });
    ws.on('open', () => {
      ws.send('{"type":"subscribe","filters":{"types":["notice"]}}');
    });
    ws.on('error', (error) => {
      process.stderr.write(`client error: ${error.message}\n`);
    });
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const deadline = Date.now() + 60_000;
  while (subscribed < clientCount) {
    if (Date.now() > deadline) throw new Error(`only ${subscribed}/${clientCount} clients subscribed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ackMs: number[] = [];
  const total = WARMUP + EVENTS;
  for (let i = 0; i < total; i++) {
    const trigId = firstTrigId + i;
    const bytes = makeEvent(template, trigId);
    const t0 = performance.now();
    sentAt.set(String(trigId), t0);
    const receipt = await sendEvent({ host: '127.0.0.1', port: service.receivePort, bytes });
    if (receipt.role !== 'ack') throw new Error(`event ${trigId} was not acked: ${receipt.result ?? ''}`);
    const acked = performance.now();
    ackedAt.set(String(trigId), acked);
    if (i >= WARMUP) ackMs.push(acked - t0);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const delivery: number[] = [];
  const afterAck: number[] = [];
  const lastClient: number[] = [];
  let missing = 0;
  for (let i = WARMUP; i < total; i++) {
    const id = String(firstTrigId + i);
    const t0 = sentAt.get(id) ?? NaN;
    const times = deliveries.get(id) ?? [];
    missing += clientCount - times.length;
    const ackT = ackedAt.get(id) ?? NaN;
    for (const t of times) {
      delivery.push(t - t0);
      afterAck.push(t - ackT);
    }
    if (times.length > 0) lastClient.push(Math.max(...times) - t0);
  }
  for (const ws of clients) ws.terminate();
  return {
    delivery: stats(delivery),
    afterAck: stats(afterAck),
    lastClient: stats(lastClient),
    ack: stats(ackMs),
    missing,
  };
}

async function main(): Promise<void> {
  const template = readFileSync(SAMPLE, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-e2e-'));
  const dbPath = join(dir, 'bench.db');
  const db = openDatabase({ path: dbPath });
  const token = createTokenStore({ db, clock: systemClock }).create('bench').token;
  db.close();
  const service = await startService(dbPath);
  try {
    const [load1] = (await import('node:os')).loadavg();
    process.stdout.write(
      `machine: ${(await import('node:os')).cpus().length} cores, load average ${load1?.toFixed(1)} at start\n`,
    );
    process.stdout.write(
      `bench/e2e: VTP submission -> WebSocket delivery; ${EVENTS} events (+${WARMUP} warm-up), one every ${INTERVAL_MS} ms\n`,
    );
    const baseline = await phase(service, token, 1, 900_000_000, template);
    process.stdout.write(
      `baseline, 1 client:\n  delivery      ${fmt(baseline.delivery)}\n  after ack     ${fmt(baseline.afterAck)}\n` +
        `  ack           ${fmt(baseline.ack)}\n`,
    );
    const loaded = await phase(service, token, CLIENTS, 910_000_000, template);
    process.stdout.write(
      `${CLIENTS} clients:\n  delivery      ${fmt(loaded.delivery)}\n  after ack     ${fmt(loaded.afterAck)}\n  last client   ${fmt(loaded.lastClient)}\n` +
        `  ack           ${fmt(loaded.ack)}\n  missing deliveries: ${loaded.missing}\n`,
    );
    process.stdout.write(
      `ratio p99 delivery (${CLIENTS} clients / 1 client): ${(loaded.delivery.p99 / baseline.delivery.p99).toFixed(2)}\n` +
        `ratio p99 after ack (${CLIENTS} clients / 1 client): ${(loaded.afterAck.p99 / baseline.afterAck.p99).toFixed(2)}\n` +
        `target p99 <= 50 ms: ${loaded.delivery.p99 <= 50 ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

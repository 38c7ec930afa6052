/**
 * Webhooks: delivery throughput, and what a dead endpoint costs the WebSocket stream.
 *
 *   npx tsx bench/webhooks.ts [--subscriptions 100] [--burst 100] [--messages 30] [--blocks 8]
 *                             [--interval-ms 20] [--skip-throughput] [--skip-latency]
 *
 * 1. Throughput: a real app (createApp, temp SQLite file) with `subscriptions` json webhooks, all
 *    to one HTTP endpoint in a process of its own (bench/webhook-receiver.ts, 204 to every POST);
 *    `burst` notices published back to back; deliveries per second from the first publish to
 *    the last acknowledged delivery (subscriptions x burst of them).
 * 2. Latency: another app, one WebSocket client (in this process, on the same event loop as the
 *    service); a notice every interval-ms, publish -> the client's receipt. Three phases in
 *    alternating blocks of `messages` notices, so that the machine's load drifts over all alike:
 *      none      no webhook subscription
 *      refused   one subscription whose endpoint refuses connections (nothing listens)
 *      hanging   one subscription whose endpoint accepts and never answers (10 s time limit)
 *    The first block of each phase is a warm-up and is not counted. Target: a dead endpoint adds
 *    at most 10 % to the median and the p95 of "none".
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createApp, type App } from '../src/app.ts';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import type { Notice } from '../src/notices/notice.ts';
import { openDatabase } from '../src/store/database.ts';
import { createWebhookStore } from '../src/webhooks/store.ts';
import { numberArg } from './number-arg.ts';

const SUBSCRIPTIONS = numberArg('subscriptions', 100);
const BURST = numberArg('burst', 100);
const MESSAGES = numberArg('messages', 30);
const BLOCKS = numberArg('blocks', 8);
const INTERVAL_MS = numberArg('interval-ms', 20);
const RECEIVER_SCRIPT = fileURLToPath(new URL('webhook-receiver.ts', import.meta.url));

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function notice(i: number): Notice {
  return {
    ivorn: `ivo://bench.coincide/webhooks#${i}`,
    role: 'observation',
    messenger: 'gamma',
    observatory: 'Fermi',
    instrument: 'GBM',
    noticeType: 'Fermi_GBM_Gnd_Pos',
    triggerId: `Fermi:${800_000_000 + i}`,
    alertType: 'initial',
    triggerTime: '2026-12-07T04:00:00.000Z',
    triggerTimeMjd: 61381.166666666664,
    region: {
      type: 'circle',
      raDeg: 150,
      decDeg: 2,
      radiusDeg: 3,
      containment: 0.68,
      systematicIncluded: false,
    },
    params: {},
    citations: [],
    source: { format: 'voevent', sha256: i.toString(16).padStart(64, '0') },
  };
}

interface Receiver {
  port: number;
  count(): Promise<number>;
  stop(): void;
}

async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(RECEIVER_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => {
    child.once('message', (m: { port: number }) => {
      resolve(m.port);
    });
  });
  return {
    port,
    count: () =>
      new Promise((resolve) => {
        child.once('message', (m: { count: number }) => {
          resolve(m.count);
        });
        child.send('count');
      }),
    stop: () => child.send('stop'),
  };
}

async function startApp(
  dir: string,
  config: Record<string, unknown>,
): Promise<{ app: App; http: number; token: string }> {
  const dbPath = join(dir, 'coincide.db');
  const db = openDatabase({ path: dbPath });
  const token = createTokenStore({ db, clock: systemClock }).create('bench').token;
  db.close();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const app = createApp(
    loadConfig({
      env: {},
      flags: {
        config: configPath,
        db: dbPath,
        'listen-host': '127.0.0.1',
        'http-port': '0',
        'receive-port': '0',
        'broadcast-port': '0',
      },
    }),
    { logger: silentLogger },
  );
  const ports = await app.start();
  return { app, http: ports.http, token };
}

async function throughput(): Promise<void> {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-webhooks-'));
  const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({
    id: `sub-${i}`,
    url: `http://127.0.0.1:${receiver.port}/hook/${i}`,
  }));
  const { app } = await startApp(dir, { webhooks: { subscriptions, allowHttpHosts: ['127.0.0.1'] } });
  try {
    const expected = SUBSCRIPTIONS * BURST;
    const startMs = performance.now();
    for (let i = 0; i < BURST; i++) app.publishNotice(notice(i));
    const publishedMs = performance.now() - startMs;
    let count = 0;
    while ((count = await receiver.count()) < expected) await sleep(20);
    const elapsedMs = performance.now() - startMs;
    console.log(
      `throughput: ${SUBSCRIPTIONS} subscriptions x ${BURST} notices = ${count} deliveries in ${elapsedMs.toFixed(0)} ms ` +
        `-> ${((count / elapsedMs) * 1000).toFixed(0)} deliveries/s (publish loop ${publishedMs.toFixed(0)} ms; load ${load()})`,
    );
  } finally {
    await app.stop();
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Phase = 'none' | 'refused' | 'hanging';

function signedPercent(ratio: number): string {
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function latency(): Promise<void> {
  // A port with nothing listening (bound, then closed) and a server that never answers.
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const refusedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  const held: Socket[] = [];
  const hanging: TcpServer = createTcpServer((socket) => {
    held.push(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const hangingPort = (hanging.address() as AddressInfo).port;

  const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-webhooks-'));
  const { app, http, token } = await startApp(dir, {
    webhooks: { allowHttpHosts: ['127.0.0.1'], reloadMs: 50 },
  });
  const storeDb = openDatabase({ path: join(dir, 'coincide.db') });
  const store = createWebhookStore({ db: storeDb, clock: systemClock });
  const ws = new WebSocket(`ws://127.0.0.1:${http}/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const sentAt = new Map<number, number>();
  let onReceived: ((seq: number, ms: number) => void) | undefined;
  ws.on('message', (data: Buffer) => {
    const now = performance.now();
    const message = JSON.parse(data.toString()) as { type: string; seq: number };
    if (message.type === 'notice') onReceived?.(message.seq, now);
  });
  await new Promise<void>((resolve) =>
    ws.once('open', () => {
      resolve();
    }),
  );
  ws.send(JSON.stringify({ type: 'subscribe' }));
  await sleep(200);

  const samples: Record<Phase, number[]> = { none: [], refused: [], hanging: [] };
  const setPhase = async (phase: Phase): Promise<void> => {
    for (const row of store.list()) store.remove(row.id);
    const port = phase === 'refused' ? refusedPort : phase === 'hanging' ? hangingPort : undefined;
    if (port !== undefined) {
      const lastSeq = app.health.report().outboxSeq as number;
      store.add(
        { id: phase, url: `http://127.0.0.1:${port}/hook`, format: 'json', filters: {}, source: 'cli' },
        lastSeq,
      );
    }
    // Until the running app has started (or stopped) the worker.
    for (;;) {
      const items = (app.health.report().webhooks as { items: Array<{ id: string; state: string }> }).items;
      const live = items.filter((i) => i.state !== 'stopped');
      if (port === undefined ? live.length === 0 : live.some((i) => i.id === phase)) break;
      await sleep(20);
    }
    await sleep(200);
  };

  let next = 1_000_000;
  const block = async (phase: Phase, counted: boolean): Promise<void> => {
    await setPhase(phase);
    for (let i = 0; i < MESSAGES; i++) {
      const received = new Promise<number>((resolve) => {
        onReceived = (seq, ms) => {
          const t0 = sentAt.get(seq);
          if (t0 !== undefined) resolve(ms - t0);
        };
      });
      const t0 = performance.now();
      const record = app.publishNotice(notice(++next));
      sentAt.set(record.seq, t0);
      const ms = await received;
      if (counted) samples[phase].push(ms);
      await sleep(INTERVAL_MS);
    }
  };

  try {
    const phases: Phase[] = ['none', 'refused', 'hanging'];
    for (const phase of phases) await block(phase, false);
    for (let b = 0; b < BLOCKS; b++) for (const phase of phases) await block(phase, true);
    const stats = (phase: Phase): { median: number; p95: number; p99: number; mean: number } => {
      const sorted = [...samples[phase]].sort((a, b) => a - b);
      return {
        median: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      };
    };
    const base = stats('none');
    console.log(
      `notice -> WebSocket latency, ms (${BLOCKS} blocks x ${MESSAGES} notices per phase, one every ${INTERVAL_MS} ms):`,
    );
    console.log('phase      median     p95     p99    mean   median/none   p95/none');
    for (const phase of phases) {
      const s = stats(phase);
      console.log(
        `${phase.padEnd(8)} ${s.median.toFixed(3).padStart(8)} ${s.p95.toFixed(3).padStart(7)} ${s.p99.toFixed(3).padStart(7)} ` +
          `${s.mean.toFixed(3).padStart(7)} ${(s.median / base.median).toFixed(3).padStart(13)} ${(s.p95 / base.p95).toFixed(3).padStart(10)}`,
      );
    }
    for (const phase of ['refused', 'hanging'] as const) {
      const s = stats(phase);
      const met = s.median <= base.median * 1.1 && s.p95 <= base.p95 * 1.1;
      console.log(
        `target (${phase} endpoint within 10 % of none, median and p95): ${met ? 'met' : 'NOT met'} ` +
          `(${signedPercent(s.median / base.median)} median, ${signedPercent(s.p95 / base.p95)} p95)`,
      );
    }
  } finally {
    ws.close();
    storeDb.close();
    await app.stop();
    for (const socket of held) socket.destroy();
    hanging.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`machine: ${cpus().length} cores, load average ${load()}`);
if (!process.argv.includes('--skip-throughput')) await throughput();
if (!process.argv.includes('--skip-latency')) await latency();
console.log(`load average at the end: ${load()}`);

/**
 * End-to-end latency of `coincide serve`: from a VTP submission (connect, send, ack) to the
 * Notice's delivery on the WebSocket stream, with many clients connected.
 *
 *   npx tsx bench/e2e.ts [--clients 1000] [--events 100] [--interval-ms 50] [--warmup 20]
 *                        [--client-procs 1] [--heartbeat-ms 30000] [--server-prof DIR]
 *
 * Three processes: the service (`node bin/coincide.js serve`, temp database, ports 0), the
 * author (this process: VTP submissions and their acks), and the WebSocket clients
 * (bench/e2e-clients.ts, forked; --client-procs splits them over several processes). Keeping
 * the clients out of the author's process means their receive work delays neither the
 * submissions nor the ack timing. Every stamp is taken on the machine's monotonic clock
 * (e2e-ipc.ts), so the processes' stamps compare.
 *
 * Reported, per delivery over every (event, client) pair: submission -> WebSocket (the
 * figure of issue 7), ack -> WebSocket (the service's publish path alone: outbox commit,
 * fan-out, and the clients' receive queue), the per-event "last client served", and the ack
 * latency. Baseline: the same run with one client, measured first; the ratio is
 * p99(N clients) / p99(1 client). Inputs are seeded (fixed trigger numbers); the first events
 * of each phase are a warm-up, not counted. --server-prof writes a V8 CPU profile of the
 * service to DIR (open it in Chrome DevTools). Target (issue 7): p99 <= 50 ms with 1,000
 * clients.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import { openDatabase } from '../src/store/database.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import { monotonicMs, type ClientsCommand, type ClientsEvent } from './e2e-ipc.ts';
import { numberArg } from './number-arg.ts';
import { startServeProcess } from './serve-process.ts';

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

const CLIENTS_SCRIPT = join(ROOT, 'bench', 'e2e-clients.ts');
/** USER_HZ of /proc/<pid>/stat times (100 on Linux). */
const CLOCK_TICKS_PER_SEC = 100;

const arg = numberArg;

const CLIENTS = arg('clients', 1000);
const EVENTS = arg('events', 200);
const INTERVAL_MS = arg('interval-ms', 50);
const WARMUP = arg('warmup', 20);
const CLIENT_PROCS = Math.max(1, arg('client-procs', 1));
const HEARTBEAT_MS = arg('heartbeat-ms', 30_000);
const profIndex = process.argv.indexOf('--server-prof');
const SERVER_PROF_DIR = profIndex >= 0 ? process.argv[profIndex + 1] : undefined;

interface Service {
  child: ChildProcess;
  httpPort: number;
  receivePort: number;
  stop(): Promise<void>;
}

async function startService(dbPath: string): Promise<Service> {
  const serve = await startServeProcess({
    root: ROOT,
    dbPath,
    args: ['--heartbeat-ms', String(HEARTBEAT_MS)],
    nodeArgs: SERVER_PROF_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', SERVER_PROF_DIR],
    waitFor: ['http', 'vtp-receiver'],
  });
  return {
    child: serve.child,
    httpPort: serve.ports.http ?? 0,
    receivePort: serve.ports['vtp-receiver'] ?? 0,
    stop: serve.stop,
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

/** CPU time (user + system) a process has used, ms, from /proc (Linux; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
  } catch {
    return NaN;
  }
}

interface ClientGroup {
  pid: number | undefined;
  /** Receive times (monotonic ms) of every delivery so far, by trigger number. */
  report(): Promise<Record<string, number[]>>;
  close(): Promise<void>;
}

/** Forks one client process, connects `count` subscribed clients, resolves once all are live. */
async function startClients(url: string, token: string, count: number): Promise<ClientGroup> {
  const child = fork(CLIENTS_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const command = (message: ClientsCommand): void => {
    child.send(message);
  };
  const next = (wanted: ClientsEvent['ev'], timeoutMs: number): Promise<ClientsEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`client process: no ${wanted} after ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (event: ClientsEvent): void => {
        if (event.ev === 'error') {
          process.stderr.write(`client error: ${event.message}\n`);
          return;
        }
        if (event.ev !== wanted) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(event);
      };
      child.on('message', onMessage);
    });
  const subscribed = next('subscribed', 60_000);
  command({ cmd: 'connect', url, token, count });
  await subscribed;
  return {
    pid: child.pid,
    async report() {
      const answer = next('report', 30_000);
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

interface PhaseResult {
  delivery: ReturnType<typeof stats>;
  /** Delivery time minus ack time: the service's publish path alone (outbox commit, fan-out). */
  afterAck: ReturnType<typeof stats>;
  lastClient: ReturnType<typeof stats>;
  ack: ReturnType<typeof stats>;
  missing: number;
  /** CPU time per event (warm-up included) of the service and of the client processes, ms. */
  serviceCpuMsPerEvent: number;
  clientsCpuMsPerEvent: number;
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
  const url = `ws://127.0.0.1:${service.httpPort}/v1/stream`;
  const procs = Math.min(CLIENT_PROCS, clientCount);
  const groups = await Promise.all(
    Array.from({ length: procs }, (_, i) =>
      startClients(url, token, Math.floor(clientCount / procs) + (i < clientCount % procs ? 1 : 0)),
    ),
  );
  const ackMs: number[] = [];
  const total = WARMUP + EVENTS;
  const clientsCpuMs = (): number => groups.reduce((sum, group) => sum + processCpuMs(group.pid), 0);
  const serviceCpu0 = processCpuMs(service.child.pid);
  const clientsCpu0 = clientsCpuMs();
  for (let i = 0; i < total; i++) {
    const trigId = firstTrigId + i;
    const bytes = makeEvent(template, trigId);
    const t0 = monotonicMs();
    sentAt.set(String(trigId), t0);
    const receipt = await sendEvent({ host: '127.0.0.1', port: service.receivePort, bytes });
    if (receipt.role !== 'ack') throw new Error(`event ${trigId} was not acked: ${receipt.result ?? ''}`);
    const acked = monotonicMs();
    ackedAt.set(String(trigId), acked);
    if (i >= WARMUP) ackMs.push(acked - t0);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const serviceCpuMsPerEvent = (processCpuMs(service.child.pid) - serviceCpu0) / total;
  const clientsCpuMsPerEvent = (clientsCpuMs() - clientsCpu0) / total;
  const deliveries = new Map<string, number[]>();
  for (const report of await Promise.all(groups.map((group) => group.report()))) {
    for (const [id, times] of Object.entries(report)) {
      const list = deliveries.get(id);
      if (list === undefined) deliveries.set(id, [...times]);
      else list.push(...times);
    }
  }
  await Promise.all(groups.map((group) => group.close()));
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
    if (times.length > 0) lastClient.push(times.reduce((a, b) => Math.max(a, b)) - t0);
  }
  return {
    delivery: stats(delivery),
    afterAck: stats(afterAck),
    lastClient: stats(lastClient),
    ack: stats(ackMs),
    missing,
    serviceCpuMsPerEvent,
    clientsCpuMsPerEvent,
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
    const load = (): string =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    const cpu = (r: PhaseResult): string =>
      `  CPU per event   service ${r.serviceCpuMsPerEvent.toFixed(1)} ms, clients ${r.clientsCpuMsPerEvent.toFixed(1)} ms\n`;
    process.stdout.write(`machine: ${cpus().length} cores, load average ${load()} at start\n`);
    process.stdout.write(
      `bench/e2e: VTP submission -> WebSocket delivery; ${EVENTS} events (+${WARMUP} warm-up), one every ${INTERVAL_MS} ms\n`,
    );
    const baseline = await phase(service, token, 1, 900_000_000, template);
    process.stdout.write(
      `baseline, 1 client:\n  submission->WS  ${fmt(baseline.delivery)}\n  ack->WS         ${fmt(baseline.afterAck)}\n` +
        `  ack             ${fmt(baseline.ack)}\n${cpu(baseline)}`,
    );
    const loaded = await phase(service, token, CLIENTS, 910_000_000, template);
    process.stdout.write(
      `${CLIENTS} clients in ${Math.min(CLIENT_PROCS, CLIENTS)} process(es):\n  submission->WS  ${fmt(loaded.delivery)}\n` +
        `  ack->WS         ${fmt(loaded.afterAck)}\n  last client     ${fmt(loaded.lastClient)}\n` +
        `  ack             ${fmt(loaded.ack)}\n${cpu(loaded)}  missing deliveries: ${loaded.missing} of ${EVENTS * CLIENTS}\n`,
    );
    process.stdout.write(
      `ratio p99 submission->WS (${CLIENTS} clients / 1 client): ${(loaded.delivery.p99 / baseline.delivery.p99).toFixed(2)}\n` +
        `ratio p99 ack->WS (${CLIENTS} clients / 1 client): ${(loaded.afterAck.p99 / baseline.afterAck.p99).toFixed(2)}\n` +
        `target p99 <= 50 ms: ${loaded.delivery.p99 <= 50 ? 'met' : 'NOT met'}\n` +
        `load average ${load()} at end\n`,
    );
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

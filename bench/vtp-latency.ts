/**
 * Where the ack latency's tail comes from at a steady 500 events/s (bench/vtp.ts section 2):
 * the same open-loop load (one submission every 2 ms, one connection each, round-robin over 32
 * loopback authors) against the receiver as `coincide serve` runs it
 * (test/vtp/receiver-process.ts --validate --normalise --stages=FILE), and against the floor
 * receiver (bench/vtp-null-receiver.ts: frames and acks, nothing checked or stored) in the same
 * run. Each submission's author-side times (connect, ack read) are joined by ivorn with the
 * receiver's stage times, and the latency is cut into:
 *   to ingest    connect -> the ingest path called (TCP connect, accept, frame, per-peer queue)
 *   validation   libxml2 parse + schema check
 *   to store     validation end -> the store asked
 *   commit       the store asked -> committed (group commit in the writer thread, fsync)
 *   to ack read  committed -> the ack read by the author (ack written, TCP, author's loop)
 * for all submissions and for the slowest 1 % (the p99's own).
 *
 *   npx tsx bench/vtp-latency.ts [--rate 500] [--seconds 4] [-- RECEIVER FLAGS]
 *
 * Times cross processes: performance.timeOrigin + performance.now() in both (the same clock).
 * Not a test; prints only, with os.loadavg().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../test/vtp/helpers.ts';
import { numberArg } from './number-arg.ts';
import { submitEvent } from './vtp-author.ts';
import type { Stages } from '../test/vtp/receiver-process.ts';
import { benchVoEvent } from './vtp-event.ts';

const RATE = numberArg('rate', 500);
const SECONDS = numberArg('seconds', 4);
const dashes = process.argv.indexOf('--');
const receiverFlags = dashes >= 0 ? process.argv.slice(dashes + 1) : ['--validate', '--normalise'];
const RECEIVER = fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./vtp-null-receiver.ts', import.meta.url));

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const nowMs = (): number => performance.timeOrigin + performance.now();

let serial = 0;
function nextEvent(): { bytes: Buffer; ivorn: string } {
  serial += 1;
  const ivorn = `ivo://bench.coincide/latency${String(process.pid)}#${String(serial)}`;
  const bytes = benchVoEvent(ivorn, serial, '12.5', '-3.25');
  return { bytes, ivorn };
}

function start(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('exit', (code) => {
      reject(new Error(`exited ${String(code)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

interface Sent {
  ivorn: string;
  connect: number;
  acked: number;
}

/** Open loop: one submission every 1000/rate ms whatever the replies; author-side times. */
async function steady(port: number, rate: number, seconds: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const pending: Array<Promise<void>> = [];
  const interval = 1000 / rate;
  const t0 = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const event = nextEvent();
    const connect = nowMs();
    pending.push(
      submitEvent({
        host: '127.0.0.1',
        port,
        ...event,
        localAddress: `127.0.0.${String(2 + (i % 32))}`,
        timeoutMs: 60_000,
      }).then((receipt) => {
        if (receipt.role !== 'ack') throw new Error(`${receipt.role}: ${receipt.result ?? ''}`);
        sent.push({ ivorn: event.ivorn, connect, acked: nowMs() });
      }),
    );
  }
  await Promise.all(pending);
  return sent;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

console.log(
  `VTP ack latency by stage, open loop ${String(RATE)}/s for ${String(SECONDS)} s; receiver ${receiverFlags.join(' ')}; load ${load()}`,
);
const tmp = makeTempDir('coincide-latency-');
try {
  const floor = await start([FLOOR]);
  const floorSent = await (async () => {
    try {
      await steady(floor.port, RATE, 1);
      return await steady(floor.port, RATE, SECONDS);
    } finally {
      await stop(floor.child);
    }
  })();
  const stagesFile = join(tmp.dir, 'stages.jsonl');
  const receiver = await start([
    RECEIVER,
    join(tmp.dir, 'l.sqlite'),
    ...receiverFlags,
    `--stages=${stagesFile}`,
  ]);
  let sent: Sent[];
  try {
    await steady(receiver.port, RATE, 1); // warm-up
    sent = await steady(receiver.port, RATE, SECONDS);
  } finally {
    await stop(receiver.child);
  }
  const byIvorn = new Map(
    readFileSync(stagesFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Stages)
      .map((s) => [s.ivorn, s]),
  );
  const latencies = (list: Sent[]): number[] => list.map((s) => s.acked - s.connect);
  const floorLat = latencies(floorSent);
  const lat = latencies(sent);
  console.log(
    `  floor (ack only)  p50 ${percentile(floorLat, 50).toFixed(2)} ms  p99 ${percentile(floorLat, 99).toFixed(2)} ms  max ${Math.max(...floorLat).toFixed(2)} ms`,
  );
  console.log(
    `  coincide          p50 ${percentile(lat, 50).toFixed(2)} ms  p99 ${percentile(lat, 99).toFixed(2)} ms  max ${Math.max(...lat).toFixed(2)} ms`,
  );
  const segments = (s: Sent): number[] | undefined => {
    const t = byIvorn.get(s.ivorn);
    if (!t || t.put === undefined || t.committed === undefined) return undefined;
    const validate = t.validate ?? t.ingest;
    const validated = t.validated ?? validate;
    return [
      t.ingest - s.connect,
      validated - validate,
      t.put - validated,
      t.committed - t.put,
      s.acked - t.committed,
    ];
  };
  const names = ['to ingest', 'validation', 'to store', 'commit', 'to ack read'];
  const show = (label: string, list: Sent[]): void => {
    const rows = list.map(segments).filter((r): r is number[] => r !== undefined);
    const cells = names.map((n, i) => `${n} ${mean(rows.map((r) => r[i] ?? NaN)).toFixed(2)}`);
    console.log(`  ${label.padEnd(28)} mean ms: ${cells.join('  ')}  (${String(rows.length)} events)`);
  };
  const p99 = percentile(lat, 99);
  show('all', sent);
  show(
    `slowest 1 % (>= p99)`,
    sent.filter((s) => s.acked - s.connect >= p99),
  );
  const p50 = percentile(lat, 50);
  show(
    'around the median',
    sent.filter((s) => Math.abs(s.acked - s.connect - p50) < 0.2),
  );
} finally {
  tmp.remove();
}
console.log(`load ${load()}`);

/**
 * Where the ack latency's tail comes from at a steady 500 events/s (bench/vtp.ts section 2):
 * the same open-loop load (one submission every 2 ms, one connection each, round-robin over 32
 * loopback authors) against the receiver as `coincide serve` runs it
 * (test/vtp/receiver-process.ts --validate --normalise --stages=FILE), against the floor
 * receiver (bench/vtp-null-receiver.ts --stages=FILE: frames and acks, nothing checked or
 * stored), and against variants of the receiver (`--variant 'LABEL=FLAGS'`, receiver-process.ts
 * flags added to the default ones), each in turn in the same run, `--rounds` times. Each
 * submission's author-side times (due, connect, connected, ack read) are joined by ivorn with
 * the receiver's stage times, and the latency is cut into:
 *   to accept     connect called -> the receiver's main thread accepted the connection
 *   to ingest     accepted -> the ingest path called (the frame read, per-peer queue, pre-scan);
 *                 the floor: -> the frame read
 *   validation    libxml2 parse + schema check (the floor: none)
 *   to store      validation end -> the store asked
 *   commit        the store asked -> committed, as the main thread sees it (the group commit in
 *                 the writer thread, its fsync, the hand-offs both ways)
 *   to resolve    committed -> the ingest resolved (the floor: the frame read -> the ack written)
 *   to ack read   -> the ack read by the author (ack written, TCP, the author's event loop)
 * for all submissions, the slowest 1 % (the p99's own) and those around the median; and, for the
 * slowest 1 %, how many overlapped a garbage collection of the receiver's or the author's main
 * thread. `late` is how late the author started a submission against its schedule (not part of
 * the latency: it shows the author's own timer and event loop).
 *
 *   npx tsx bench/vtp-latency.ts [--rate 500] [--seconds 4] [--rounds 1]
 *        [--variant 'no checkpoints=--checkpoint-every=Infinity'] [--variant 'no notices=-normalise']
 *        [--variant 'V8 default heap=node:-'] ...
 * Every receiver runs with the Node flags of bin/coincide.js's shebang, as `coincide serve` does.
 *
 * Times cross processes: performance.timeOrigin + performance.now() in every process (the same
 * clock). Not a test; prints only, with os.loadavg().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, shebangNodeFlags } from '../test/helpers/cli.ts';
import { makeTempDir } from '../test/vtp/helpers.ts';
import type { Span } from '../src/store/span-trace.ts';
import type { Stages } from '../test/vtp/receiver-process.ts';
import { nowMs, recordGcPauses, type GcPause } from '../test/vtp/stage-trace.ts';
import { numberArg } from './number-arg.ts';
import { submitEvent } from './vtp-author.ts';
import { benchVoEvent } from './vtp-event.ts';
import { latencyTargetMs, rawFsync } from './raw-fsync.ts';

const RATE = numberArg('rate', 500);
const SECONDS = numberArg('seconds', 4);
const ROUNDS = numberArg('rounds', 1);
const RECEIVER = fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./vtp-null-receiver.ts', import.meta.url));
const COINCIDE_FLAGS = ['--validate', '--normalise'];

interface Target {
  label: string;
  /** Node's flags (default: those of bin/coincide.js's shebang, as `coincide serve` runs). */
  node: string[];
  /** The receiver's script and flags (the stages file is added). */
  args: (dbPath: string) => string[];
}

/** `coincide serve` runs with the flags of bin/coincide.js's shebang: every receiver here too. */
const SERVE_NODE_FLAGS = shebangNodeFlags(readFileSync(CLI_PATH, 'utf8'));

/**
 * --variant 'LABEL=TOKENS': the coincide receiver with receiver-process.ts flags added
 * (`--flag`), default flags taken out (`-flag`: `-normalise`), or other Node flags (`node:FLAG`
 * tokens replace the shebang's; `node:-` runs Node with none).
 */
const variants = process.argv.flatMap((arg, i): Target[] => {
  if (arg !== '--variant') return [];
  const spec = process.argv[i + 1] ?? '';
  const at = spec.indexOf('=');
  if (at <= 0) throw new Error(`--variant 'LABEL=TOKENS', not '${spec}'`);
  const tokens = spec
    .slice(at + 1)
    .split(' ')
    .filter((f) => f !== '');
  const nodeTokens = tokens.filter((t) => t.startsWith('node:')).map((t) => t.slice('node:'.length));
  const removed = new Set(tokens.filter((t) => /^-[^-]/.test(t)).map((t) => `-${t}`));
  const added = tokens.filter((t) => t.startsWith('--'));
  const flags = [...COINCIDE_FLAGS.filter((f) => !removed.has(f)), ...added];
  return [
    {
      label: spec.slice(0, at),
      node: nodeTokens.length > 0 ? nodeTokens.filter((t) => t !== '-') : SERVE_NODE_FLAGS,
      args: (db: string) => [RECEIVER, db, ...flags],
    },
  ];
});
const TARGETS: Target[] = [
  { label: 'floor (ack only)', node: SERVE_NODE_FLAGS, args: () => [FLOOR] },
  { label: 'coincide', node: SERVE_NODE_FLAGS, args: (db) => [RECEIVER, db, ...COINCIDE_FLAGS] },
  ...variants,
];

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

let serial = 0;
function nextEvent(): { bytes: Buffer; ivorn: string } {
  serial += 1;
  const ivorn = `ivo://bench.coincide/latency${String(process.pid)}#${String(serial)}`;
  const bytes = benchVoEvent(ivorn, serial, '12.5', '-3.25');
  return { bytes, ivorn };
}

function start(node: string[], args: string[]): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, '--import', 'tsx', ...args], {
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

/** One submission as its author saw it (ms, nowMs clock). */
interface Sent {
  ivorn: string;
  due: number;
  connect: number;
  connected: number;
  acked: number;
}

/** Open loop: one submission every 1000/rate ms whatever the replies; author-side times. */
async function steady(port: number, rate: number, seconds: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const pending: Array<Promise<void>> = [];
  const interval = 1000 / rate;
  // Built before the clock starts: the author's own garbage then falls less into what it measures.
  const events = Array.from({ length: rate * seconds }, () => nextEvent());
  const t0 = performance.now();
  for (const [i, event] of events.entries()) {
    const dueAt = t0 + i * interval;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const connect = nowMs();
    let connected = NaN;
    pending.push(
      submitEvent({
        host: '127.0.0.1',
        port,
        ...event,
        localAddress: `127.0.0.${String(2 + (i % 32))}`,
        timeoutMs: 60_000,
        onConnected: () => {
          connected = nowMs();
        },
      }).then((receipt) => {
        if (receipt.role !== 'ack') throw new Error(`${receipt.role}: ${receipt.result ?? ''}`);
        sent.push({
          ivorn: event.ivorn,
          due: performance.timeOrigin + dueAt,
          connect,
          connected,
          acked: nowMs(),
        });
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

interface Measured {
  sent: Sent[];
  stages: Map<string, Stages>;
  receiverGc: GcPause[];
  /** The writer thread's transactions (count: inserts) and the WAL checkpoints; none for the floor. */
  writer: { transactions: Span[]; checkpoints: Span[] };
}

/** One target: started, warmed (1 s), measured, stopped; its stages read back. */
async function measure(target: Target, dir: string, round: number, authorGc: GcPause[]): Promise<Measured> {
  const stagesFile = join(dir, `stages-${String(round)}-${String(TARGETS.indexOf(target))}.jsonl`);
  const dbPath = join(dir, `l-${String(round)}-${String(TARGETS.indexOf(target))}.sqlite`);
  const receiver = await start(target.node, [...target.args(dbPath), `--stages=${stagesFile}`]);
  let sent: Sent[];
  try {
    await steady(receiver.port, RATE, 1); // warm-up
    authorGc.length = 0;
    sent = await steady(receiver.port, RATE, SECONDS);
  } finally {
    await stop(receiver.child);
  }
  const stages = new Map(
    readFileSync(stagesFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Stages)
      .map((s) => [s.ivorn, s]),
  );
  const writerFile = `${stagesFile}.writer`;
  return {
    sent,
    stages,
    receiverGc: JSON.parse(readFileSync(`${stagesFile}.gc`, 'utf8')) as GcPause[],
    writer: existsSync(writerFile)
      ? (JSON.parse(readFileSync(writerFile, 'utf8')) as Measured['writer'])
      : { transactions: [], checkpoints: [] },
  };
}

const SEGMENTS = ['to accept', 'to ingest', 'validation', 'to store', 'commit', 'to resolve', 'to ack read'];

/** The segments of one submission (see the header); undefined when its stages are missing. */
function segments(s: Sent, t: Stages | undefined): number[] | undefined {
  if (t?.accepted === undefined || t.resolved === undefined) return undefined;
  const validate = t.validate ?? t.ingest;
  const validated = t.validated ?? validate;
  const put = t.put ?? validated;
  const committed = t.committed ?? put;
  return [
    t.accepted - s.connect,
    t.ingest - t.accepted,
    validated - validate,
    put - validated,
    committed - put,
    t.resolved - committed,
    s.acked - t.resolved,
  ];
}

/** The GC time (ms) of `pauses` within [from, to]. */
const gcWithin = (pauses: readonly GcPause[], from: number, to: number): number =>
  pauses.reduce((sum, p) => sum + Math.max(0, Math.min(to, p.start + p.ms) - Math.max(from, p.start)), 0);

/** Pauses by kind (V8's: minor = scavenge, major = mark-compact...): count, mean and max ms. */
function gcSummary(pauses: readonly GcPause[]): string {
  const kinds = new Map<string, number[]>();
  for (const p of pauses) kinds.set(p.kind, [...(kinds.get(p.kind) ?? []), p.ms]);
  if (kinds.size === 0) return 'none';
  return [...kinds]
    .map(
      ([kind, ms]) =>
        `${String(ms.length)} ${kind} (mean ${mean(ms).toFixed(2)}, max ${Math.max(...ms).toFixed(2)} ms)`,
    )
    .join(', ');
}

function report(label: string, m: Measured, authorGc: readonly GcPause[]): void {
  const lat = m.sent.map((s) => s.acked - s.connect);
  const from = Math.min(...m.sent.map((s) => s.connect));
  const to = Math.max(...m.sent.map((s) => s.acked));
  const receiverGc = m.receiverGc.filter((p) => p.start + p.ms >= from && p.start <= to);
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  console.log(
    `\n  ${label}: p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${Math.max(...lat).toFixed(2)} ms  (${String(lat.length)} acked)` +
      `\n    receiver main-thread GC: ${gcSummary(receiverGc)}; author: ${gcSummary(authorGc)}`,
  );
  const show = (name: string, list: Sent[]): void => {
    const rows = list
      .map((s) => segments(s, m.stages.get(s.ivorn)))
      .filter((r): r is number[] => r !== undefined);
    const cells = SEGMENTS.map((n, i) => `${n} ${mean(rows.map((r) => r[i] ?? NaN)).toFixed(2)}`);
    const late = mean(list.map((s) => s.connect - s.due)).toFixed(2);
    const connected = mean(list.map((s) => s.connected - s.connect)).toFixed(2);
    console.log(
      `    ${name.padEnd(20)} mean ms: ${cells.join('  ')}  | late ${late}  author connect ${connected}  (${String(rows.length)})`,
    );
  };
  const slowest = m.sent.filter((s) => s.acked - s.connect >= p99);
  show('all', m.sent);
  show(
    'around the median',
    m.sent.filter((s) => Math.abs(s.acked - s.connect - p50) < 0.2),
  );
  show('slowest 1 % (>= p99)', slowest);
  const inserts = m.writer.transactions.filter((t) => t.count > 0);
  if (inserts.length > 0) {
    /** The commit cut at the writer thread's transaction that took the event (the first one begun after the put). */
    const commitParts = (list: Sent[]): string => {
      const rows = list.flatMap((s) => {
        const t = m.stages.get(s.ivorn);
        if (t?.put === undefined || t.committed === undefined) return [];
        const put = t.put;
        const tx = inserts.find((x) => x.start >= put);
        if (!tx) return [];
        const checkpointed = m.writer.checkpoints.some((c) => c.start < tx.end && c.end > put);
        return [[tx.start - put, tx.end - tx.start, t.committed - tx.end, checkpointed ? 1 : 0]];
      });
      const cell = (i: number): string => mean(rows.map((r) => r[i] ?? NaN)).toFixed(2);
      return `to the transaction ${cell(0)}  transaction ${cell(1)}  back to the main thread ${cell(2)}; during a checkpoint ${String(rows.filter((r) => r[3] === 1).length)} of ${String(rows.length)}`;
    };
    const txMs = m.writer.transactions.map((t) => t.end - t.start);
    const ckMs = m.writer.checkpoints.map((c) => c.end - c.start);
    console.log(
      `    commit, mean ms: all: ${commitParts(m.sent)}\n                     slowest 1 %: ${commitParts(slowest)}` +
        `\n    writer: ${String(txMs.length)} transactions (p50 ${percentile(txMs, 50).toFixed(2)}, p99 ${percentile(txMs, 99).toFixed(2)} ms, ${mean(inserts.map((t) => t.count)).toFixed(2)} events each); ` +
        `${String(ckMs.length)} checkpoints (mean ${mean(ckMs).toFixed(2)}, max ${Math.max(0, ...ckMs).toFixed(2)} ms)`,
    );
  }
  const overlapped = (pauses: readonly GcPause[]): string => {
    const hits = slowest.map((s) => gcWithin(pauses, s.connect, s.acked)).filter((ms) => ms > 0);
    return `${String(hits.length)} of ${String(slowest.length)} (${mean(hits.length > 0 ? hits : [0]).toFixed(2)} ms each)`;
  };
  const at = (t: number): string => ((t - from) / 1000).toFixed(2);
  console.log(
    `    slowest 1 % at s: ${slowest.map((x) => `${at(x.connect)}(${(x.acked - x.connect).toFixed(0)})`).join(' ')}` +
      `\n    receiver GC > 2 ms at s: ${receiverGc
        .filter((p) => p.ms > 2)
        .map((p) => `${at(p.start)}(${p.ms.toFixed(1)} ${p.kind})`)
        .join(' ')}`,
  );
  console.log(
    `    slowest 1 % during a GC of the receiver's main thread: ${overlapped(receiverGc)}; of the author's: ${overlapped(authorGc)}`,
  );
}

const tmp = makeTempDir('coincide-latency-');
const fsyncBefore = rawFsync(tmp.dir, 300);
console.log(
  `VTP ack latency by stage, open loop ${String(RATE)}/s for ${String(SECONDS)} s after 1 s of warm-up, ${String(ROUNDS)} round(s); load ${load()}`,
);
console.log(
  `  raw 4 KiB write+fsync in the database's folder: p50 ${fsyncBefore.p50.toFixed(2)} ms  p99 ${fsyncBefore.p99.toFixed(2)} ms`,
);
const p99s: Array<{ label: string; p99: number }> = [];
const authorGc = recordGcPauses();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of TARGETS) {
      const measured = await measure(target, tmp.dir, round, authorGc);
      const label = `${target.label}${ROUNDS > 1 ? ` (round ${String(round + 1)})` : ''}`;
      p99s.push({
        label,
        p99: percentile(
          measured.sent.map((s) => s.acked - s.connect),
          99,
        ),
      });
      report(label, measured, [...authorGc]);
    }
  }
  const fsyncAfter = rawFsync(tmp.dir, 300);
  const fsyncP99 = Math.max(fsyncBefore.p99, fsyncAfter.p99);
  const target = latencyTargetMs(fsyncP99);
  console.log(
    `\n  raw fsync again: p50 ${fsyncAfter.p50.toFixed(2)} ms  p99 ${fsyncAfter.p99.toFixed(2)} ms; target (bench/vtp.ts) p99 <= 2 ms + 2 x ${fsyncP99.toFixed(2)} ms = ${target.toFixed(2)} ms` +
      p99s
        .map(
          ({ label, p99 }) =>
            `\n    ${label.padEnd(36)} p99 ${p99.toFixed(2)} ms: ${p99 <= target ? 'within' : 'above'} it`,
        )
        .join(''),
  );
} finally {
  tmp.remove();
}
console.log(`\nload ${load()}`);

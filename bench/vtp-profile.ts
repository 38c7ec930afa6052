/**
 * CPU profile of the VTP receiver (test/vtp/receiver-process.ts, as bench/vtp.ts runs it) under
 * the benchmark's author: node --cpu-prof on the receiver (every thread), then the self time per
 * function and per file of each thread's profile, largest first.
 *
 *   npx tsx bench/vtp-profile.ts [--events 600] [--warm 50] [--parallel 32] [--node-flag F]... [--dir /tmp/vtp-prof] [--checkout DIR] [-- RECEIVER FLAGS]
 *
 * `--checkout DIR`: the receiver of another checkout (its test/vtp/receiver-process.ts, run in
 * DIR), e.g. a worktree of main, to compare its CPU per thread with this tree's.
 *
 * Receiver flags default to `--validate --normalise` (as `coincide serve`). Not a test; prints only.
 *
 * Also, from /proc/PID/task/TID/{stat,status} before and after the measured phase: each thread's
 * CPU (user + system, clock ticks of 1/100 s) and context switches per acked event, the real CPU
 * cost per thread (the sampled profile counts a thread blocked in fsync as busy). Threads are
 * listed by id: the main thread first, then in the order they were started (the normalisation
 * thread, then the writer thread, then the WAL checkpoint thread; V8's and libuv's threads among
 * them). `--no-cpu-prof`: only these counts, without the profiler's overhead.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, shebangNodeFlags } from '../test/helpers/cli.ts';
import { makeTempDir } from '../test/vtp/helpers.ts';
import { submitEvent } from './vtp-author.ts';
import { benchVoEvent } from './vtp-event.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const EVENTS = Number(arg('--events', '600'));
/** Warm-up events (4 in flight) before the measured phase: the receiver's JIT settles. */
const WARM = Number(arg('--warm', '50'));
const PARALLEL = Number(arg('--parallel', '32'));
const DIR = arg('--dir', '/tmp/vtp-prof');
const dashes = process.argv.indexOf('--');
const receiverFlags = dashes >= 0 ? process.argv.slice(dashes + 1) : ['--validate', '--normalise'];
const CPU_PROF = !process.argv.includes('--no-cpu-prof');
const CHECKOUT = arg('--checkout', '');
/**
 * `--node-flag F` (repeatable): the Node/V8 options of the receiver's process (e.g.
 * --single-threaded-gc), instead of those `coincide serve` runs with (bin/coincide.js's shebang).
 */
const NODE_FLAGS = process.argv.flatMap((a, i) =>
  a === '--node-flag' && i < (dashes >= 0 ? dashes : Infinity) ? [process.argv[i + 1] ?? ''] : [],
);
const SERVE_NODE_FLAGS = shebangNodeFlags(readFileSync(CLI_PATH, 'utf8'));
const RECEIVER =
  CHECKOUT === ''
    ? fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url))
    : join(CHECKOUT, 'test', 'vtp', 'receiver-process.ts');

let serial = 0;
function nextEvent(): { bytes: Buffer; ivorn: string } {
  serial += 1;
  const ivorn = `ivo://bench.coincide/prof${String(process.pid)}#${String(serial)}`;
  const bytes = benchVoEvent(ivorn, serial, '12.5', '-3.25');
  return { bytes, ivorn };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Only the samples of the measured phase (CPU profile times and hrtime: both CLOCK_MONOTONIC, µs).
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < windowUs[0] || at > windowUs[1]) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const where = frame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench|test)\//, '$1/');
    if (frame.functionName === '(idle)') continue;
    total += us;
    const key = `${frame.functionName || '(anon)'} ${where}:${String(frame.lineNumber + 1)}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    files.set(where || frame.functionName, (files.get(where || frame.functionName) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `  ${(us / EVENTS).toFixed(0).padStart(6)} us/ev ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`,
      )
      .join('\n');
  console.log(`\n== ${file}: ${(total / EVENTS).toFixed(0)} us busy per event (sampled)`);
  console.log(' by file:\n' + top(files, 25));
  console.log(' by function:\n' + top(fn, 40));
}

interface ThreadCount {
  /** The thread's name (/proc/PID/task/TID/comm: V8's workers, libuv's, node's own). */
  name: string;
  cpuTicks: number;
  voluntary: number;
  involuntary: number;
}

/** Each thread of process `pid`: CPU ticks (utime + stime) and context switches so far. */
function threadCounts(pid: number | undefined): Map<number, ThreadCount> {
  const counts = new Map<number, ThreadCount>();
  if (pid === undefined) return counts;
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    try {
      const stat = readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = readFileSync(`/proc/${String(pid)}/task/${tid}/status`, 'utf8');
      const field = (name: string): number =>
        Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
      counts.set(Number(tid), {
        name: readFileSync(`/proc/${String(pid)}/task/${tid}/comm`, 'utf8').trim(),
        cpuTicks: Number(fields[11]) + Number(fields[12]),
        voluntary: field('voluntary_ctxt_switches'),
        involuntary: field('nonvoluntary_ctxt_switches'),
      });
    } catch {
      // the thread ended meanwhile
    }
  }
  return counts;
}

/** /proc counts CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICK_US = 10_000;

function printThreadCounts(
  before: Map<number, ThreadCount>,
  after: Map<number, ThreadCount>,
  authorUs: number,
): void {
  const rows = [...after.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tid, end]) => {
      const start = before.get(tid) ?? { name: end.name, cpuTicks: 0, voluntary: 0, involuntary: 0 };
      return {
        tid,
        name: end.name,
        cpuUs: ((end.cpuTicks - start.cpuTicks) * TICK_US) / EVENTS,
        switches: (end.voluntary - start.voluntary) / EVENTS,
        preempted: (end.involuntary - start.involuntary) / EVENTS,
      };
    });
  const total = rows.reduce((sum, r) => sum + r.cpuUs, 0);
  console.log(
    `\nCPU per acked event by thread (/proc, ticks of 10 ms over the phase): receiver ${total.toFixed(0)} us, author (this process) ${authorUs.toFixed(0)} us`,
  );
  for (const [i, r] of rows.entries()) {
    if (r.cpuUs === 0 && r.switches < 0.05) continue;
    console.log(
      `  ${(i === 0 ? 'main' : `${String(r.tid)} ${r.name}`).padEnd(24)} ${r.cpuUs.toFixed(0).padStart(6)} us/ev  ` +
        `${r.switches.toFixed(2).padStart(6)} sleeps/ev  ${r.preempted.toFixed(2).padStart(6)} preempted/ev`,
    );
  }
}

rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const tmp = makeTempDir();
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}; receiver ${CHECKOUT === '' ? 'this tree' : CHECKOUT} ${[...NODE_FLAGS, ...receiverFlags].join(' ')}; ${String(WARM)} warm-up events`,
);
const child = spawn(
  process.execPath,
  [
    ...(NODE_FLAGS.length > 0 ? NODE_FLAGS : SERVE_NODE_FLAGS),
    ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${DIR}`] : []),
    '--import',
    'tsx',
    RECEIVER,
    join(tmp.dir, 'p.sqlite'),
    ...receiverFlags,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], ...(CHECKOUT === '' ? {} : { cwd: CHECKOUT }) },
);
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const m = /\{"port":(\d+)\}/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.once('exit', (code) => {
    reject(new Error(`receiver exited ${String(code)}`));
  });
});
const submitAll = async (count: number, parallel: number): Promise<number> => {
  const events = Array.from({ length: count }, nextEvent);
  let index = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, slot) => {
      while (index < events.length) {
        const event = events[index++] as { bytes: Buffer; ivorn: string };
        const r = await submitEvent({
          host: '127.0.0.1',
          port,
          ...event,
          localAddress: `127.0.0.${String(2 + (slot % 250))}`,
          timeoutMs: 60_000,
        });
        if (r.role !== 'ack') throw new Error(`${r.role}: ${r.result ?? ''}`);
      }
    }),
  );
  return (count * 1000) / (performance.now() - t0);
};
await submitAll(WARM, 4);
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
const windowUs: [number, number] = [nowUs(), 0];
const threadsBefore = threadCounts(child.pid);
const authorBefore = process.cpuUsage();
const rate = await submitAll(EVENTS, PARALLEL);
const author = process.cpuUsage(authorBefore);
const threadsAfter = threadCounts(child.pid);
windowUs[1] = nowUs();
console.log(
  `${EVENTS} events, ${String(PARALLEL)} in flight: ${rate.toFixed(0)} acked/s${CPU_PROF ? ' (profiled, so slower)' : ''}`,
);
printThreadCounts(threadsBefore, threadsAfter, (author.user + author.system) / EVENTS);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
tmp.remove();
if (CPU_PROF) for (const f of readdirSync(DIR).sort()) summarise(join(DIR, f));
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

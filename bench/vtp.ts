/**
 * VTP benchmark: coincide against Comet 3.1.0 and against main, same run, loopback.
 *
 *   npx tsx bench/vtp.ts --quick                       # quick profile (< 3 min)
 *   npx tsx bench/vtp.ts --baseline /path/to/main-wt   # also main's receiver, same run
 *   npx tsx bench/vtp.ts                               # full profile
 *
 *  0. The disk: a raw 4 KiB write + fsync in the database's folder, p50/p99 (before and after
 *     the measurements), the physical floor of an ack that waits for a durable commit.
 *  1. Acknowledged submissions per second, one TCP connection per event (as real authors do):
 *     one author one event at a time, and PARALLEL in flight. The PARALLEL connections come
 *     from PARALLEL loopback addresses (127.0.0.2...): they are PARALLEL authors, so the
 *     receiver's per-address limits (16 at once, 500/s: a policy, kept) do not cap the figure.
 *     Comet gets exactly the same load. Ratios coincide / Comet and coincide / main.
 *  2. Ack latency (connect -> ack) p50/p99 at a steady, open-loop 500 events/s (and 20/s),
 *     against the target p99 <= 2 ms + 2 x raw fsync p99 of the same run; also of the floor
 *     receiver below (no check, no store: the tail of the author and the machine alone).
 *  3. Events/s delivered to 100 subscribers (each acks every event).
 * With each rate, the CPU time per acked event of the author (this process: connect, send, read
 * the receipt, close) and of the receiver's process (all its threads), from process.cpuUsage()
 * and /proc/PID/stat: the machine has 2 cores, shared by both, so a rate cannot pass
 * 2 / (author + receiver CPU per event) whatever the receiver does. The floor: the same author
 * against bench/vtp-null-receiver.ts (frames, finds the ivorn, writes an ack; nothing checked
 * or stored), the fastest any Node receiver could go with this author on this machine.
 * Each rate: RUNS runs after a warm-up (`--warm N` events per target, 4 in flight; default 2,000,
 * every target alike, Comet too), min / median / max. The figures are those of a warm broker, as
 * one running for days is: after 30-50 events a Node receiver is still compiling its hot paths
 * (session 8, bench/vtp-profile.ts, 3,000 events with 32 in flight: 675 acked/s and 1,400 us of
 * receiver CPU per event after 50 warm-up events, of which ~300 us in V8's background threads,
 * against 1,416/s and 937 us after 3,000); `--warm 30` gives the cold figures (the default before).
 * After each run the bench waits for the receiver's deferred work (notices normalised after the
 * acks) to end: it is counted in that receiver's CPU per event, never left running during the
 * next target's run, and its duration after the last ack is printed. Both brokers validate against the
 * VOEvent 2.0 schema and persist (Comet: dbm event DB, no fsync; coincide: SQLite WAL,
 * synchronous=FULL, the event committed before its ack). coincide runs as `coincide serve` does
 * (test/vtp/receiver-process.ts --validate --normalise, with bin/coincide.js's Node flags; the floor
 * receiver too): the pre-scan and libxml2 validation in
 * the main thread, commits in a pipelined writer thread (group commit), WAL checkpoints in a
 * thread of their own, the notice normalised after the ack in a thread of its own at nice 10, to
 * which the writer thread hands each event after its commit. Also measured: the same with the
 * main thread relaying between the two (--normaliser=via-main, the design before), and
 * without the fsync (synchronous=NORMAL: not durable against a power cut, shows the disk's share).
 * `--baseline DIR`: a checkout of another commit (e.g. `git worktree add /tmp/main-wt 725eb5a`)
 * whose test/vtp/receiver-process.ts runs with the same flags, in the same run.
 * Not part of the tests; never asserts. Prints os.loadavg() at the start and the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { createBroadcaster } from '../src/vtp/broadcaster.ts';
import { CLI_PATH, shebangNodeFlags } from '../test/helpers/cli.ts';
import { freePort, startComet } from '../test/peers/processes.ts';
import { makeTempDir } from '../test/vtp/helpers.ts';
import { latencyTargetMs, rawFsync } from './raw-fsync.ts';
import { submitEvent } from './vtp-author.ts';
import { benchVoEvent } from './vtp-event.ts';

const RECEIVER_SCRIPT = fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url));
const SUBSCRIBERS_SCRIPT = fileURLToPath(new URL('./vtp-subscribers.ts', import.meta.url));
const NULL_RECEIVER_SCRIPT = fileURLToPath(new URL('./vtp-null-receiver.ts', import.meta.url));
/** /proc/PID/stat counts CPU time in clock ticks of 1/100 s (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** The Node flags `coincide serve` runs with (bin/coincide.js's shebang): every Node receiver here too. */
const SERVE_NODE_FLAGS = shebangNodeFlags(readFileSync(CLI_PATH, 'utf8'));

const QUICK = process.argv.includes('--quick');
const BASELINE_DIR = ((): string | undefined => {
  const i = process.argv.indexOf('--baseline');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
const RUNS = 3;
/** Warm-up submissions per target before the rates (every target alike, Comet too). */
const WARM_EVENTS = ((): number => {
  const i = process.argv.indexOf('--warm');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 2000;
  if (!Number.isInteger(n) || n < 0) throw new Error('--warm must be a whole number');
  return n;
})();
/** Events per run one at a time (at 300-600/s: 0.2-0.5 s per run). */
const EVENTS_PER_RUN = QUICK ? 150 : 300;
/**
 * Events per run with PARALLEL in flight. 100 lasted only 0.1-0.3 s at 700-1,000/s (sessions 7
 * and 8): a run was then mostly ramp-up and ramp-down of the 32 authors, and the receiver's CPU,
 * counted by /proc in ticks of 10 ms, was read to +-10 %. 600 last ~0.5-1 s (Comet ~2 s).
 */
const PARALLEL_EVENTS_PER_RUN = QUICK ? 600 : 1200;
const PARALLEL = 32;
const STEADY_RATE_PER_S = 500;
/** A rate this machine sustains, to show the latency without queueing. */
const LOW_RATE_PER_S = 20;
/** 4 s at 500/s: the p99 of 2,000 acks (the 20th slowest), not of 1,000. */
const STEADY_SECONDS = QUICK ? 4 : 5;
const SUBSCRIBERS = 100;
const FANOUT_EVENTS = QUICK ? 200 : 1000;

/**
 * Events per IVORN resource within a run. Comet keeps one dbm file per IVORN authority and
 * resource, opened and closed for every event; this machine's Python has neither _gdbm nor _dbm,
 * so that is dbm.dumb, which reads and rewrites its whole index at each open and close: its cost
 * per event grows with the events in that file (Comet fell from ~300 to ~110 acked/s with 32 in
 * flight over runs of 600 events under one resource). The runs of the benchmark had 100 events
 * each until session 8; the resource changes every 100 events, so Comet is measured as it was
 * (at most 100 events per file), whatever the run length. coincide gets the same events.
 */
const COMET_DB_CHUNK = 100;

/** mulberry32: a small seeded PRNG, so every run submits the same sequence of events. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(20261125);
let serial = 0;
/** A unique, schema-valid VOEvent 2.0 of about 1 kB, like a GCN position notice. */
function nextEvent(tag: string): { bytes: Buffer; ivorn: string } {
  serial += 1;
  const ivorn = `ivo://bench.coincide/${tag}#${serial}`;
  const ra = (random() * 360).toFixed(4);
  const dec = (random() * 180 - 90).toFixed(4);
  const bytes = benchVoEvent(ivorn, serial, ra, dec);
  return { bytes, ivorn };
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);

/** The loopback address of author `slot` (127.0.0.2, 127.0.0.3...; Linux routes 127/8 to lo). */
function authorAddress(slot: number): string {
  return `127.0.0.${String(2 + (slot % 250))}`;
}

/** CPU seconds used so far by process `pid` (all its threads), from /proc; NaN when unknown. */
function processCpuS(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

interface RateSample {
  ackedPerS: number;
  /**
   * CPU µs per acked event: this process (the authors), the receiver's process (all its
   * threads, including the work it still did after the last ack: see `settle`).
   */
  authorCpuUs: number;
  receiverCpuUs: number;
  /** How long the receiver still used CPU after the last ack (its deferred work), ms. */
  tailMs: number;
}

/**
 * Waits until process `pid` has used no CPU for 300 ms (at most 10 s), polling /proc every 50 ms;
 * resolves with the time from `sinceMs` (performance.now()) to its last CPU use seen, in ms.
 * A receiver that defers work past its acks (coincide's notices, at nice 10) finishes it here:
 * counted in its own CPU per event, and not left to run during the next target's measurement.
 */
async function settle(pid: number | undefined, sinceMs: number): Promise<number> {
  if (pid === undefined) return 0;
  const deadline = performance.now() + 10_000;
  let last = processCpuS(pid);
  let lastBusyMs = sinceMs;
  while (performance.now() - lastBusyMs < 300 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = processCpuS(pid);
    if (now !== last) lastBusyMs = performance.now();
    last = now;
  }
  return Math.max(0, lastBusyMs - sinceMs);
}

/**
 * Submits `count` events with `concurrency` in flight, slot k from authorAddress(k); returns
 * acked events per second and the CPU per event of both sides (`pid`: the receiver's process).
 */
async function submissionRate(
  port: number,
  tag: string,
  count: number,
  concurrency: number,
  pid?: number,
): Promise<RateSample> {
  const events = Array.from({ length: count }, (_, i) =>
    nextEvent(`${tag}-${Math.floor(i / COMET_DB_CHUNK)}`),
  );
  let index = 0;
  let acked = 0;
  const receiverCpuBefore = processCpuS(pid);
  const authorCpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      while (index < events.length) {
        const event = events[index++] as { bytes: Buffer; ivorn: string };
        const receipt = await submitEvent({
          host: '127.0.0.1',
          port,
          ...event,
          localAddress: authorAddress(slot),
          timeoutMs: 60_000,
        });
        if (receipt.role !== 'ack') throw new Error(`unexpected ${receipt.role}: ${receipt.result ?? ''}`);
        acked += 1;
      }
    }),
  );
  const ended = performance.now();
  const seconds = (ended - started) / 1000;
  const authorCpu = process.cpuUsage(authorCpuBefore);
  const tailMs = await settle(pid, ended);
  return {
    ackedPerS: acked / seconds,
    authorCpuUs: (authorCpu.user + authorCpu.system) / acked,
    receiverCpuUs: ((processCpuS(pid) - receiverCpuBefore) * 1e6) / acked,
    tailMs,
  };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Rates {
  sequential: RateSample[];
  parallel: RateSample[];
}

interface Target {
  label: string;
  tag: string;
  port: number;
  /** The receiver's process, for its CPU time. */
  pid?: number | undefined;
}

/**
 * Acked/s of every target, RUNS runs each, interleaved (run 1 of every target, then run 2...) so
 * that a change of the machine's load during the bench falls on all of them alike.
 */
async function measureRates(targets: readonly Target[]): Promise<Rates[]> {
  const results = targets.map((): Rates => ({ sequential: [], parallel: [] }));
  for (const { tag, port, pid } of targets) await submissionRate(port, `${tag}-warm`, WARM_EVENTS, 4, pid);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, { tag, port, pid }] of targets.entries()) {
      const result = results[i] as Rates;
      result.sequential.push(await submissionRate(port, `${tag}-seq${run}`, EVENTS_PER_RUN, 1, pid));
      result.parallel.push(
        await submissionRate(port, `${tag}-par${run}`, PARALLEL_EVENTS_PER_RUN, PARALLEL, pid),
      );
    }
  }
  return results;
}

/**
 * Open-loop: one submission every 1000/rate ms regardless of replies, round-robin over the
 * author addresses; latency connect -> ack.
 */
async function steadyLatencies(
  port: number,
  ratePerS: number,
  seconds: number,
): Promise<{ latencies: number[]; failed: number }> {
  const total = ratePerS * seconds;
  const intervalMs = 1000 / ratePerS;
  const latencies: number[] = [];
  let failed = 0;
  const pending: Array<Promise<void>> = [];
  // Built before the clock starts, as submissionRate's: the author's own garbage (and its
  // collections) then falls less into the latencies it measures, for every receiver alike.
  const events = Array.from({ length: total }, () => nextEvent('steady'));
  const start = performance.now();
  for (const [i, event] of events.entries()) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      submitEvent({
        host: '127.0.0.1',
        port,
        ...event,
        localAddress: authorAddress(i),
        timeoutMs: 60_000,
      }).then(
        (receipt) => {
          if (receipt.role === 'ack') latencies.push(performance.now() - t0);
          else failed += 1;
        },
        () => {
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, failed };
}

/**
 * Starts test/vtp/receiver-process.ts (the real receiver + SQLite store) in its own process,
 * from this checkout or from `checkout` (another commit's tree, for --baseline).
 */
function startReceiverProcess(
  dbPath: string,
  validate: boolean,
  extraArgs: string[] = [],
  checkout?: string,
): Promise<{ port: number; pid: number | undefined; stop: () => Promise<void> }> {
  return startPortProcess(
    [
      checkout === undefined ? RECEIVER_SCRIPT : join(checkout, 'test', 'vtp', 'receiver-process.ts'),
      dbPath,
      ...(validate ? ['--validate'] : []),
      ...extraArgs,
    ],
    checkout,
  );
}

/** Starts `node --import tsx ARGS` (in `cwd`), resolves once it prints {"port":N}. */
function startPortProcess(
  scriptArgs: string[],
  cwd?: string,
): Promise<{ port: number; pid: number | undefined; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    // As `coincide serve` runs: with the Node flags of bin/coincide.js's shebang.
    const args = [...SERVE_NODE_FLAGS, '--import', 'tsx', ...scriptArgs];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(cwd === undefined ? {} : { cwd }),
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve({ port: Number(match[1]), pid: child.pid, stop: () => stopChild(child) });
    });
    child.once('exit', (code) => {
      reject(new Error(`receiver process exited (${code})`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

async function benchFanout(): Promise<number[]> {
  const broadcaster = createBroadcaster({
    localIvo: 'ivo://bench.coincide/broker',
    logger: silentLogger,
    clock: systemClock,
    port: 0,
    host: '127.0.0.1',
    iamaliveIntervalMs: 0,
    testEventIntervalMs: 0,
    maxOutstandingAcks: 1_000_000,
  });
  const { port } = await broadcaster.start();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SUBSCRIBERS_SCRIPT, String(port), String(SUBSCRIBERS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let received = 0;
  const state = { ready: false };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') state.ready = true;
      const match = /^count (\d+)$/.exec(line);
      if (match) received = Number(match[1]);
    }
  });
  try {
    while (!state.ready || broadcaster.subscribers().length < SUBSCRIBERS)
      await new Promise((r) => setTimeout(r, 10));
    const rates: number[] = [];
    for (let run = 0; run < RUNS + 1; run++) {
      const events = Array.from({ length: FANOUT_EVENTS }, () => nextEvent('fanout').bytes);
      const target = received + FANOUT_EVENTS * SUBSCRIBERS;
      const started = performance.now();
      for (const bytes of events) broadcaster.broadcast(bytes);
      while (received < target) await new Promise((r) => setTimeout(r, 2));
      const seconds = (performance.now() - started) / 1000;
      if (run > 0) rates.push(FANOUT_EVENTS / seconds); // run 0 is the warm-up
    }
    return rates;
  } finally {
    await stopChild(child);
    await broadcaster.stop();
  }
}

async function main(): Promise<void> {
  const tmp = makeTempDir('coincide-bench-');
  process.stdout.write(
    `coincide VTP benchmark (${QUICK ? 'quick' : 'full'}): ${RUNS} runs x ${EVENTS_PER_RUN} events one at a time and ${PARALLEL_EVENTS_PER_RUN} with ${PARALLEL} in flight, after ${WARM_EVENTS} warm-up events per target, parallel=${PARALLEL} (from ${PARALLEL} loopback addresses)\n` +
      `node ${process.version}, loadavg at start ${load()}\n` +
      'coincide receiver: its own process (test/vtp/receiver-process.ts --validate --normalise), as `coincide serve`:\n' +
      '  SQLite WAL synchronous=FULL, group commit in a pipelined writer thread, WAL checkpoints in a thread,\n' +
      '  pre-scan + libxml2 validation in the main thread, notices normalised after the ack (nice 10),\n' +
      '  each event handed by the writer thread to the normalisation thread after its commit\n' +
      '  authors read receipts by their root and Origin (bench/vtp-author.ts)\n',
  );
  const fsyncBefore = rawFsync(tmp.dir, QUICK ? 200 : 500);
  process.stdout.write(
    `\n0. raw 4 KiB write+fsync in the database's folder (${tmp.dir}): p50 ${fmt(fsyncBefore.p50, 2)} ms  p99 ${fmt(fsyncBefore.p99, 2)} ms  mean ${fmt(fsyncBefore.mean, 2)} ms\n`,
  );
  const stops: Array<() => Promise<void>> = [];
  try {
    const start = async (
      label: string,
      file: string,
      extra: string[],
      checkout?: string,
    ): Promise<Target> => {
      const proc = await startReceiverProcess(join(tmp.dir, file), true, ['--normalise', ...extra], checkout);
      stops.push(proc.stop);
      return { label, tag: file.replace('.sqlite', ''), port: proc.port, pid: proc.pid };
    };
    const ours = await start('coincide (this tree)', 'ours.sqlite', []);
    const targets = [ours];
    const main =
      BASELINE_DIR === undefined
        ? undefined
        : await start('coincide (baseline tree)', 'main.sqlite', [], BASELINE_DIR);
    if (main) targets.push(main);
    const thread = await start('coincide, main relays notices', 'thread.sqlite', ['--normaliser=via-main']);
    targets.push(thread);
    // What fsync per commit costs: WAL with synchronous=NORMAL (survives a process crash, not a
    // power cut). Not the project's setting; for comparison.
    const normal = await start('coincide, sync=NORMAL (no fsync)', 'normal.sqlite', ['--synchronous=NORMAL']);
    targets.push(normal);

    let cometPort: number | undefined;
    let cometBroker: Awaited<ReturnType<typeof startComet>> | undefined;
    if (existsSync(join(process.cwd(), '.venv', 'bin', 'twistd'))) {
      cometPort = await freePort();
      cometBroker = await startComet(
        ['--receive', '--receive-port', String(cometPort), '--local-ivo', 'ivo://bench.comet/broker', '-q'],
        /starting on \d+/,
      );
      const broker = cometBroker;
      stops.push(async () => {
        await broker.stop();
        broker.removeDir();
      });
    }
    const floorProc = await startPortProcess([NULL_RECEIVER_SCRIPT]);
    stops.push(floorProc.stop);
    const floor: Target = {
      label: 'floor: null receiver (ack only)',
      tag: 'floor',
      port: floorProc.port,
      pid: floorProc.pid,
    };
    const rateTargets: Target[] = [
      ...targets,
      ...(cometPort === undefined
        ? []
        : [{ label: 'Comet 3.1.0', tag: 'comet', port: cometPort, pid: cometBroker?.child.pid }]),
      floor,
    ];
    const rates = await measureRates(rateTargets);
    const rateOf = (label: string): Rates | undefined =>
      rates[rateTargets.findIndex((t) => t.label === label)];
    process.stdout.write('\n1. acknowledged submissions per second (one connection per event)\n');
    rateTargets.forEach((target, i) => {
      const r = rates[i] as Rates;
      for (const [mode, samples] of [
        ['one at a time', r.sequential],
        [`${PARALLEL} in flight`, r.parallel],
      ] as const) {
        const s = stats(samples.map((x) => x.ackedPerS));
        const author = stats(samples.map((x) => x.authorCpuUs)).median;
        const receiver = stats(samples.map((x) => x.receiverCpuUs)).median;
        const tail = stats(samples.map((x) => x.tailMs)).median;
        process.stdout.write(
          `  ${`${target.label}, ${mode}`.padEnd(52)} min ${fmt(s.min).padStart(6)}  median ${fmt(s.median).padStart(6)}  max ${fmt(s.max).padStart(6)} acked/s` +
            `  CPU/event: author ${fmt(author).padStart(5)} us, receiver ${fmt(receiver).padStart(5)} us; busy after the last ack ${fmt(tail).padStart(4)} ms\n`,
        );
      }
    });
    const median = (values: RateSample[]): number => stats(values.map((x) => x.ackedPerS)).median;
    const oursRates = rates[0] as Rates;
    const comet = rateOf('Comet 3.1.0');
    if (comet) {
      const seq = median(oursRates.sequential) / median(comet.sequential);
      const par = median(oursRates.parallel) / median(comet.parallel);
      process.stdout.write(
        `  ratio coincide/Comet (medians): one at a time ${fmt(seq, 2)}x (target >= 2x: ${seq >= 2 ? 'met' : 'NOT met'}), ` +
          `${PARALLEL} in flight ${fmt(par, 2)}x (target >= 5x: ${par >= 5 ? 'met' : 'NOT met'})\n`,
      );
      // One author, one event at a time: every ack waits for its own commit, so the rate cannot
      // pass 1 / (fsync time); Comet does not fsync.
      const ceiling = 1000 / fsyncBefore.mean;
      process.stdout.write(
        `  one at a time, the disk's ceiling: 1000 / mean raw fsync = ${fmt(ceiling)} acks/s; 2x Comet needs ${fmt(2 * median(comet.sequential))}/s\n`,
      );
      const floorRates = rateOf(floor.label);
      if (floorRates) {
        const cpuOf = (samples: RateSample[]): number =>
          stats(samples.map((x) => x.authorCpuUs + x.receiverCpuUs)).median;
        process.stdout.write(
          `  the floor (same author, a receiver that only acks): ${fmt(median(floorRates.sequential))}/s one at a time = ${fmt(median(floorRates.sequential) / median(comet.sequential), 2)}x Comet, ` +
            `${fmt(median(floorRates.parallel))}/s with ${PARALLEL} in flight = ${fmt(median(floorRates.parallel) / median(comet.parallel), 2)}x Comet\n` +
            `  ${PARALLEL} in flight, CPU per acked event (author + receiver): coincide ${fmt(cpuOf(oursRates.parallel))} us, floor ${fmt(cpuOf(floorRates.parallel))} us; ` +
            `2 cores / that = ${fmt(2e6 / cpuOf(oursRates.parallel))}/s and ${fmt(2e6 / cpuOf(floorRates.parallel))}/s; 5x Comet needs ${fmt(5 * median(comet.parallel))}/s\n`,
        );
      }
    } else {
      process.stdout.write('  Comet not measured: .venv/bin/twistd is missing (scripts/setup-python.sh)\n');
    }
    const baseline = rateOf('coincide (baseline tree)');
    if (baseline) {
      process.stdout.write(
        `  ratio this tree / baseline tree (medians): one at a time ${fmt(median(oursRates.sequential) / median(baseline.sequential), 2)}x ` +
          `(target: no regression), ${PARALLEL} in flight ${fmt(median(oursRates.parallel) / median(baseline.parallel), 2)}x\n`,
      );
    }

    const fsyncMid = rawFsync(tmp.dir, QUICK ? 200 : 500);
    const fsyncP99 = Math.max(fsyncBefore.p99, fsyncMid.p99);
    const latencyTarget = latencyTargetMs(fsyncP99);
    process.stdout.write(
      `\n   raw fsync again: p50 ${fmt(fsyncMid.p50, 2)} ms  p99 ${fmt(fsyncMid.p99, 2)} ms; latency target p99 <= 2 ms + 2 x ${fmt(fsyncP99, 2)} ms = ${fmt(latencyTarget, 2)} ms\n`,
    );
    for (const ratePerS of [STEADY_RATE_PER_S, LOW_RATE_PER_S]) {
      process.stdout.write(
        `\n2. ack latency (connect -> ack) at a steady ${ratePerS} events/s for ${STEADY_SECONDS} s, round-robin over ${PARALLEL} authors\n`,
      );
      // The floor too: the tail of this author, Node's TCP and the machine alone, same run.
      for (const target of [...targets.filter((t) => t !== normal), floor]) {
        await steadyLatencies(target.port, ratePerS, 1); // warm-up
        const { latencies, failed } = await steadyLatencies(target.port, ratePerS, STEADY_SECONDS);
        const p99 = percentile(latencies, 99);
        const verdict =
          ratePerS === STEADY_RATE_PER_S && target === ours
            ? `; target p99 <= ${fmt(latencyTarget, 2)} ms: ${p99 <= latencyTarget ? 'met' : 'NOT met'}`
            : '';
        process.stdout.write(
          `  ${target.label.padEnd(34)} p50 ${fmt(percentile(latencies, 50), 2)} ms  p99 ${fmt(p99, 2)} ms  max ${fmt(Math.max(...latencies), 2)} ms  (acked ${latencies.length}, failed ${failed}${verdict})\n`,
        );
      }
    }
    for (const stop of stops.splice(0)) await stop();

    process.stdout.write(
      `\n3. broadcast to ${SUBSCRIBERS} subscribers (${FANOUT_EVENTS} events per run, every subscriber acks; subscribers in another process)\n`,
    );
    const fanout = await benchFanout();
    const s = stats(fanout);
    process.stdout.write(
      `  events/s delivered to all: min ${fmt(s.min)}  median ${fmt(s.median)}  max ${fmt(s.max)}  (= ${fmt(s.median * SUBSCRIBERS)} deliveries/s)\n`,
    );
    process.stdout.write(`\nloadavg at the end ${load()}\n`);
  } finally {
    for (const stop of stops) await stop();
    tmp.remove();
  }
}

await main();

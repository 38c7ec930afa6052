/**
 * VTP benchmark (`npx tsx bench/vtp.ts [--quick]`): coincide against Comet 3.1.0, same run, loopback.
 *
 *  1. Acknowledged submissions per second, one TCP connection per event (as real authors do):
 *     sequential (1 in flight) and parallel (PARALLEL in flight); coincide and Comet receive the
 *     same kind of seeded, unique, schema-valid VOEvent 2.0 events; ratio coincide / Comet.
 *  2. Ack latency (connect -> ack) p50/p99 at a steady, open-loop 500 events/s (and 20/s).
 *  3. Events/s delivered to 100 subscribers (each acks every event).
 * Each figure: RUNS runs after a warm-up, min / median / max. Both brokers validate against the
 * VOEvent 2.0 schema and persist (Comet: dbm event DB, no fsync; coincide: SQLite WAL,
 * synchronous=FULL, the event committed before its ack). coincide runs as `coincide serve` does:
 * schema validation in its own thread, commits in a writer thread (group commit), and the notice
 * normalised and stored after the ack. The same receiver with everything in its main thread (the
 * design before those threads) is measured in the same run as the baseline of that change.
 * Not part of the tests; never asserts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { createBroadcaster } from '../src/vtp/broadcaster.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import { freePort, startComet } from '../test/peers/processes.ts';
import { makeTempDir } from '../test/vtp/helpers.ts';

const RECEIVER_SCRIPT = fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url));
const SUBSCRIBERS_SCRIPT = fileURLToPath(new URL('./vtp-subscribers.ts', import.meta.url));

const QUICK = process.argv.includes('--quick');
const RUNS = 3;
const EVENTS_PER_RUN = QUICK ? 100 : 300;
const PARALLEL = 32;
const STEADY_RATE_PER_S = 500;
/** A rate this machine sustains, to show the latency without queueing. */
const LOW_RATE_PER_S = 20;
const STEADY_SECONDS = QUICK ? 2 : 5;
const SUBSCRIBERS = 100;
const FANOUT_EVENTS = QUICK ? 200 : 1000;

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
  const bytes = Buffer.from(`<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="${ivorn}" role="observation" version="2.0">
  <Who><AuthorIVORN>ivo://bench.coincide/author</AuthorIVORN><Date>2026-11-25T09:00:00</Date></Who>
  <What><Param name="TrigID" value="${serial}"/><Param name="RA" value="${ra}" unit="deg"/><Param name="Dec" value="${dec}" unit="deg"/></What>
  <WhereWhen><ObsDataLocation><ObservatoryLocation id="GEOLUN"/><ObservationLocation><AstroCoordSystem id="UTC-FK5-GEO"/>
  <AstroCoords coord_system_id="UTC-FK5-GEO"><Time unit="s"><TimeInstant><ISOTime>2026-11-25T08:59:00.00</ISOTime></TimeInstant></Time>
  <Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>${ra}</C1><C2>${dec}</C2></Value2><Error2Radius>1.0</Error2Radius></Position2D>
  </AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>
  <How><Description>coincide benchmark event</Description></How>
</voe:VOEvent>
`);
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

/** Submits `count` events with `concurrency` in flight; returns acked events per second. */
async function submissionRate(
  port: number,
  tag: string,
  count: number,
  concurrency: number,
): Promise<number> {
  const events = Array.from({ length: count }, () => nextEvent(tag));
  let index = 0;
  let acked = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (index < events.length) {
        const event = events[index++] as { bytes: Buffer; ivorn: string };
        const receipt = await sendEvent({ host: '127.0.0.1', port, ...event, timeoutMs: 60_000 });
        if (receipt.role !== 'ack') throw new Error(`unexpected ${receipt.role}: ${receipt.result ?? ''}`);
        acked += 1;
      }
    }),
  );
  return acked / ((performance.now() - started) / 1000);
}

async function measureRates(
  port: number,
  tag: string,
): Promise<{ sequential: number[]; parallel: number[] }> {
  await submissionRate(port, `${tag}-warm`, 30, 4);
  const sequential: number[] = [];
  const parallel: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    sequential.push(await submissionRate(port, `${tag}-seq${run}`, EVENTS_PER_RUN, 1));
    parallel.push(await submissionRate(port, `${tag}-par${run}`, EVENTS_PER_RUN, PARALLEL));
  }
  return { sequential, parallel };
}

/** Open-loop: one submission every 1000/rate ms regardless of replies; latency connect -> ack. */
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
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const event = nextEvent('steady');
    const t0 = performance.now();
    pending.push(
      sendEvent({ host: '127.0.0.1', port, ...event, timeoutMs: 60_000 }).then(
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

/** Starts test/vtp/receiver-process.ts (the real receiver + SQLite store) in its own process. */
function startReceiverProcess(
  dbPath: string,
  validate: boolean,
  extraArgs: string[] = [],
): Promise<{ port: number; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const args = [
      '--import',
      'tsx',
      RECEIVER_SCRIPT,
      dbPath,
      ...(validate ? ['--validate'] : []),
      ...extraArgs,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve({ port: Number(match[1]), stop: () => stopChild(child) });
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
    `coincide VTP benchmark (${QUICK ? 'quick' : 'full'}): ${RUNS} runs x ${EVENTS_PER_RUN} events, parallel=${PARALLEL}\n`,
  );
  process.stdout.write(
    'coincide receiver: its own process (test/vtp/receiver-process.ts), SQLite WAL synchronous=FULL, group commit,\n' +
      '  validation thread, writer thread, notices normalised after the ack (as `coincide serve`)\n',
  );
  try {
    const validated = await startReceiverProcess(join(tmp.dir, 'validated.sqlite'), true, ['--normalise']);
    const ours = await measureRates(validated.port, 'coincide');
    // Baseline of the threads: the same work (validation, commit, normalisation) in one thread.
    const single = await startReceiverProcess(join(tmp.dir, 'single.sqlite'), true, [
      '--normalise',
      '--writer=inline',
      '--validator=inline',
      '--normaliser=inline',
    ]);
    const oursSingle = await measureRates(single.port, 'coincide-single');
    const bare = await startReceiverProcess(join(tmp.dir, 'bare.sqlite'), false);
    const oursBare = await measureRates(bare.port, 'coincide-bare');
    // What fsync per commit costs: the same without schema check, WAL with synchronous=NORMAL
    // (survives a process crash, not a power cut). Not the project's setting; for comparison.
    const normal = await startReceiverProcess(join(tmp.dir, 'normal.sqlite'), false, [
      '--synchronous=NORMAL',
    ]);
    const oursNormal = await measureRates(normal.port, 'coincide-normal');
    await normal.stop();

    let comet: Awaited<ReturnType<typeof measureRates>> | undefined;
    if (existsSync(join(process.cwd(), '.venv', 'bin', 'twistd'))) {
      const cometPort = await freePort();
      const broker = await startComet(
        ['--receive', '--receive-port', String(cometPort), '--local-ivo', 'ivo://bench.comet/broker', '-q'],
        /starting on \d+/,
      );
      try {
        comet = await measureRates(cometPort, 'comet');
      } finally {
        await broker.stop();
        broker.removeDir();
      }
    }
    const row = (label: string, values: number[]): void => {
      const s = stats(values);
      process.stdout.write(
        `  ${label.padEnd(40)} min ${fmt(s.min).padStart(6)}  median ${fmt(s.median).padStart(6)}  max ${fmt(s.max).padStart(6)} acked/s\n`,
      );
    };
    process.stdout.write('\n1. acknowledged submissions per second (one connection per event)\n');
    row('coincide (schema-checked) sequential', ours.sequential);
    row(`coincide (schema-checked) ${PARALLEL} in flight`, ours.parallel);
    row('coincide (checked, one thread) sequential', oursSingle.sequential);
    row(`coincide (checked, one thread) ${PARALLEL} in fl.`, oursSingle.parallel);
    row('coincide (no schema check) sequential', oursBare.sequential);
    row(`coincide (no schema check) ${PARALLEL} in flight`, oursBare.parallel);
    row('coincide (no check, sync=NORMAL) sequential', oursNormal.sequential);
    row(`coincide (no check, sync=NORMAL) ${PARALLEL} in fl.`, oursNormal.parallel);
    if (comet) {
      row('Comet 3.1.0 sequential', comet.sequential);
      row(`Comet 3.1.0 ${PARALLEL} in flight`, comet.parallel);
      const ratio = (a: number[], b: number[]): string => fmt(stats(a).median / stats(b).median, 2);
      process.stdout.write(
        `  ratio coincide/Comet (medians): sequential ${ratio(ours.sequential, comet.sequential)}x, parallel ${ratio(ours.parallel, comet.parallel)}x (target >= 5x)\n` +
          `  ratio without our schema check:  sequential ${ratio(oursBare.sequential, comet.sequential)}x, parallel ${ratio(oursBare.parallel, comet.parallel)}x\n` +
          `  ratio one thread / Comet:        sequential ${ratio(oursSingle.sequential, comet.sequential)}x, parallel ${ratio(oursSingle.parallel, comet.parallel)}x\n`,
      );
    } else {
      process.stdout.write('  Comet not measured: .venv/bin/twistd is missing (scripts/setup-python.sh)\n');
    }

    for (const ratePerS of [STEADY_RATE_PER_S, LOW_RATE_PER_S]) {
      process.stdout.write(
        `\n2. ack latency (connect -> ack) at a steady ${ratePerS} events/s for ${STEADY_SECONDS} s\n`,
      );
      for (const [label, target] of [
        ['coincide (schema-checked)', validated],
        ['coincide (checked, one thread)', single],
        ['coincide (no schema check)', bare],
      ] as const) {
        await steadyLatencies(target.port, ratePerS, 1); // warm-up
        const { latencies, failed } = await steadyLatencies(target.port, ratePerS, STEADY_SECONDS);
        process.stdout.write(
          `  ${label.padEnd(31)} p50 ${fmt(percentile(latencies, 50), 2)} ms  p99 ${fmt(percentile(latencies, 99), 2)} ms  max ${fmt(Math.max(...latencies), 2)} ms  (acked ${latencies.length}, failed ${failed}; target p99 <= 5 ms at 500/s)\n`,
        );
      }
    }
    await validated.stop();
    await single.stop();
    await bare.stop();

    process.stdout.write(
      `\n3. broadcast to ${SUBSCRIBERS} subscribers (${FANOUT_EVENTS} events per run, every subscriber acks; subscribers in another process)\n`,
    );
    const fanout = await benchFanout();
    const s = stats(fanout);
    process.stdout.write(
      `  events/s delivered to all: min ${fmt(s.min)}  median ${fmt(s.median)}  max ${fmt(s.max)}  (= ${fmt(s.median * SUBSCRIBERS)} deliveries/s)\n`,
    );
  } finally {
    tmp.remove();
  }
}

await main();

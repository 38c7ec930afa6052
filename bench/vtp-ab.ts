/**
 * A/B of two VTP receiver designs, same run, alternated round by round (bench/vtp.ts measures
 * each rate only 3 x 100 events, too few on a loaded machine to tell two close designs apart).
 *
 *   npx tsx bench/vtp-ab.ts [--rounds 6] [--events 150] [--parallel 1] [--warm 2000] [--checkout DIR]
 *
 * `--checkout DIR`: A is instead DIR's own receiver (DIR/test/vtp/receiver-process.ts, run in DIR,
 * e.g. a worktree of main) and B this tree's, both as `coincide serve` (--validate --normalise):
 * a change against its base, alternated in one run.
 * A: test/vtp/receiver-process.ts --validate --normalise --normaliser=via-main (the notice
 * normalised after the ack in a thread of its own, nice 10, the main thread relaying the bytes
 * to it and its notice to the writer: the design before); B: as `coincide serve` (the writer
 * thread hands each event to the normalisation thread after its commit and commits its notice:
 * four fewer messages through the main thread per event).
 * Each round submits `events` events to A, then to B (`parallel` in flight, one connection per
 * event, authors from 127.0.0.2...; bench/vtp-author.ts); prints every round's acked/s, the
 * medians, B/A, and the receiver's CPU per acked event (all its threads, /proc/PID/stat).
 * Never asserts. Prints os.loadavg() at the start and the end.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, shebangNodeFlags } from '../test/helpers/cli.ts';
import { makeTempDir } from '../test/vtp/helpers.ts';
import { numberArg } from './number-arg.ts';
import { submitEvent } from './vtp-author.ts';
import { benchVoEvent } from './vtp-event.ts';

const SERVE_NODE_FLAGS = shebangNodeFlags(readFileSync(CLI_PATH, 'utf8'));
const RECEIVER_SCRIPT = fileURLToPath(new URL('../test/vtp/receiver-process.ts', import.meta.url));
const ROUNDS = numberArg('rounds', 6);
const EVENTS = numberArg('events', 150);
const PARALLEL = numberArg('parallel', 1);
/** Warm-up events per receiver (4 in flight) before the rounds: the JIT settles (bench/vtp.ts). */
const WARM = numberArg('warm', 2000);
const CHECKOUT = ((): string | undefined => {
  const i = process.argv.indexOf('--checkout');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
const SERVE_ARGS = ['--validate', '--normalise'];
const DESIGNS: Array<{ label: string; args: string[]; checkout?: string }> =
  CHECKOUT === undefined
    ? [
        { label: 'A: main relays notices (before)', args: [...SERVE_ARGS, '--normaliser=via-main'] },
        { label: 'B: writer hands to the thread (serve)', args: SERVE_ARGS },
      ]
    : [
        { label: `A: ${CHECKOUT}`, args: SERVE_ARGS, checkout: CHECKOUT },
        { label: 'B: this tree', args: SERVE_ARGS },
      ];

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

let serial = 0;
/** A schema-valid VOEvent 2.0 of about 1 kB (as bench/vtp.ts). */
function nextEvent(): { bytes: Buffer; ivorn: string } {
  serial += 1;
  const ivorn = `ivo://bench.coincide/ab#${serial}`;
  const ra = ((serial * 7.3) % 360).toFixed(4);
  const bytes = benchVoEvent(ivorn, serial, ra, '12.5');
  return { bytes, ivorn };
}

/**
 * CPU µs used so far by process `pid` (all its threads), or by its main thread alone with
 * `mainThread` (/proc/PID/task/PID: the thread that accepts, validates and acks); /proc counts
 * ticks of 10 ms.
 */
function cpuUs(pid: number, mainThread = false): number {
  const path = mainThread ? `/proc/${String(pid)}/task/${String(pid)}/stat` : `/proc/${String(pid)}/stat`;
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function startReceiver(
  dbPath: string,
  args: string[],
  checkout?: string,
): Promise<{ port: number; pid: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const script =
      checkout === undefined ? RECEIVER_SCRIPT : join(checkout, 'test', 'vtp', 'receiver-process.ts');
    // With the Node flags `coincide serve` runs with (bin/coincide.js's shebang).
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, '--import', 'tsx', script, dbPath, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(checkout === undefined ? {} : { cwd: checkout }),
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match && child.pid !== undefined)
        resolve({ port: Number(match[1]), pid: child.pid, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => {
      reject(new Error(`receiver exited (${code})`));
    });
  });
}

/** `count` events, `parallel` in flight; acked per second. */
async function submit(port: number, count: number, parallel: number): Promise<number> {
  let left = count;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, slot) => {
      while (left > 0) {
        left -= 1;
        const receipt = await submitEvent({
          host: '127.0.0.1',
          port,
          ...nextEvent(),
          localAddress: `127.0.0.${String(2 + (slot % 250))}`,
          timeoutMs: 60_000,
        });
        if (receipt.role !== 'ack') throw new Error(`unexpected ${receipt.role}: ${receipt.result ?? ''}`);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * Resolves once process `pid` has used no CPU for 300 ms (its deferred work done; at most 15 s):
 * otherwise a niced normalisation still running after one design's round would be counted in
 * the next round, the other design's.
 */
async function settled(pid: number): Promise<void> {
  const deadline = performance.now() + 15_000;
  let last = cpuUs(pid);
  let quiet = 0;
  while (quiet < 3 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuUs(pid);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

const tmp = makeTempDir('coincide-vtp-ab-');
process.stdout.write(
  `VTP receiver A/B: ${ROUNDS} rounds x ${EVENTS} events, ${PARALLEL} in flight, after ${WARM} warm-up events; loadavg at start ${load()}\n`,
);
const receivers = await Promise.all(
  DESIGNS.map((d, i) => startReceiver(join(tmp.dir, `${i}.sqlite`), d.args, d.checkout)),
);
try {
  for (const r of receivers) {
    await submit(r.port, WARM, 4); // warm-up
    await settled(r.pid);
  }
  const rates = DESIGNS.map((): number[] => []);
  const cpus = DESIGNS.map((): number[] => []);
  const mainCpus = DESIGNS.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, r] of receivers.entries()) {
      const before = cpuUs(r.pid);
      const mainBefore = cpuUs(r.pid, true);
      rates[i]?.push(await submit(r.port, EVENTS, PARALLEL));
      await settled(r.pid); // the work after the acks (notices), counted too, and not in the next round
      cpus[i]?.push((cpuUs(r.pid) - before) / EVENTS);
      mainCpus[i]?.push((cpuUs(r.pid, true) - mainBefore) / EVENTS);
    }
  }
  DESIGNS.forEach((d, i) => {
    const r = rates[i] ?? [];
    process.stdout.write(
      `  ${d.label.padEnd(34)} acked/s ${r.map((x) => x.toFixed(0)).join(' ')}  median ${median(r).toFixed(0)}; ` +
        `receiver CPU median ${median(cpus[i] ?? []).toFixed(0)} us/event ` +
        `(its main thread ${median(mainCpus[i] ?? []).toFixed(0)})\n`,
    );
  });
  process.stdout.write(
    `  B / A (medians): ${(median(rates[1] ?? []) / median(rates[0] ?? [])).toFixed(2)}x\nloadavg at the end ${load()}\n`,
  );
} finally {
  for (const r of receivers) r.stop();
  tmp.remove();
}

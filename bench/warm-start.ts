/**
 * Restart cost after a submission burst: a real `coincide serve` gets --events VTP submissions
 * from --authors authors (test/e2e/burst-events.ts: GBM notices of one trigger time, every
 * --tarpit-every-th an LVK notice whose sky map never arrives), then SIGTERM; it is started again
 * on the same database. Printed: acks/s, the service's RSS during the burst (peak) and at the end,
 * the SIGTERM-to-exit time, the restart-to-listening time with the service's own start-up steps
 * (its "listening" log line), RSS once listening, and the same restart on an empty database as a
 * same-run baseline (ratio), with the load average.
 *
 *   npx tsx bench/warm-start.ts [--events 16000] [--authors 8] [--tarpit-every 400]
 *                               [--restarts 1] [--quick] [--keep] [--db FILE]
 *
 * --quick: 3,000 events. --db FILE: skip the burst and time restarts of an existing database
 * (e.g. one kept with --keep). SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles
 * the restarted service (written at its exit).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/database.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import { burstEvent, tarpit, TARPIT_SKYMAP_FLAGS } from '../test/e2e/burst-events.ts';
import { startServe, type ServeProcess } from '../test/e2e/serve-process.ts';
import { numberArg } from './number-arg.ts';

const QUICK = process.argv.includes('--quick');
const EVENTS = numberArg('events', QUICK ? 3000 : 16_000);
const AUTHORS = Math.max(1, numberArg('authors', 8));
const TARPIT_EVERY = numberArg('tarpit-every', 400);
const RESTARTS = Math.max(1, numberArg('restarts', 1));
const KEEP = process.argv.includes('--keep');
const dbArg = process.argv.indexOf('--db') >= 0 ? process.argv[process.argv.indexOf('--db') + 1] : undefined;
const nodeArgs = (process.env.SERVE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** The start-up steps of a serve's "listening" log line (ms by step). */
function startupSteps(serve: ServeProcess): Record<string, number> {
  for (const line of serve.logs) {
    try {
      const r = JSON.parse(line) as { msg?: string; startupMs?: Record<string, number> };
      if (r.msg === 'listening' && r.startupMs) return r.startupMs;
    } catch {
      // not JSON
    }
  }
  return {};
}

async function timedStart(
  dbPath: string,
  args: string[],
  profile: boolean,
): Promise<{ serve: ServeProcess; ms: number }> {
  const startedMs = Date.now();
  const serve = await startServe({ dbPath, args, timeoutMs: 600_000, ...(profile ? { nodeArgs } : {}) });
  return { serve, ms: Date.now() - startedMs };
}

async function timedStop(serve: ServeProcess): Promise<{ code: number | null; ms: number }> {
  const startedMs = Date.now();
  const code = await serve.stop('SIGTERM', 300_000);
  return { code, ms: Date.now() - startedMs };
}

function counts(dbPath: string): string {
  const db = openDatabase({ path: dbPath, readonly: true });
  try {
    const one = (sql: string): number => Number(db.prepare(sql).pluck().get() ?? 0);
    return `events ${one('SELECT count(*) FROM events')}, notices ${one('SELECT count(*) FROM notices')}, outbox ${one('SELECT count(*) FROM serve_outbox')}`;
  } finally {
    db.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'coincide-warm-start-'));
const pit = await tarpit();
const args = TARPIT_SKYMAP_FLAGS;
try {
  say(`# bench/warm-start.ts, load ${load()}`);
  // Baseline: start and stop on an empty database, same run.
  const emptyDb = join(dir, 'empty.db');
  const base = await timedStart(emptyDb, args, false);
  const baseStop = await timedStop(base.serve);
  say(
    `empty database: start to listening ${base.ms} ms, SIGTERM to exit ${baseStop.ms} ms (code ${baseStop.code}), load ${load()}`,
  );

  const dbPath = join(dir, 'coincide.db');
  if (dbArg) {
    if (!existsSync(dbArg)) throw new Error(`--db ${dbArg}: no such file`);
    copyFileSync(dbArg, dbPath);
    for (const suffix of ['-wal', '-shm'])
      if (existsSync(dbArg + suffix)) copyFileSync(dbArg + suffix, dbPath + suffix);
    say(`database ${dbArg}: ${counts(dbPath)}`);
  } else {
    const first = await timedStart(dbPath, args, false);
    const port = first.serve.ports['vtp-receiver'] as number;
    let peakMb = 0;
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, rssMb(first.serve.child.pid));
    }, 500);
    let next = 0;
    let acked = 0;
    let naks = 0;
    const burstStartedMs = Date.now();
    const author = async (): Promise<void> => {
      while (next < EVENTS) {
        const { bytes } = burstEvent(++next, pit.port, TARPIT_EVERY);
        const receipt = await sendEvent({ host: '127.0.0.1', port, bytes, timeoutMs: 60_000 });
        if (receipt.role === 'ack') acked += 1;
        else naks += 1;
      }
    };
    await Promise.all(Array.from({ length: AUTHORS }, () => author()));
    const burstMs = Date.now() - burstStartedMs;
    clearInterval(sampler);
    const endMb = rssMb(first.serve.child.pid);
    say(
      `burst: ${acked} acked, ${naks} nak'ed in ${(burstMs / 1000).toFixed(1)} s (${((acked / burstMs) * 1000).toFixed(0)}/s) by ${AUTHORS} authors; ` +
        `RSS peak ${peakMb.toFixed(0)} MB, at the end ${endMb.toFixed(0)} MB; ${pit.connections()} tarpit connections; load ${load()}`,
    );
    const stop = await timedStop(first.serve);
    say(`SIGTERM to exit: ${stop.ms} ms (code ${stop.code}); ${counts(dbPath)}; load ${load()}`);
  }

  for (let r = 1; r <= RESTARTS; r++) {
    const again = await timedStart(dbPath, args, true);
    const listeningMb = rssMb(again.serve.child.pid);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const settledMb = rssMb(again.serve.child.pid);
    const stop = await timedStop(again.serve);
    say(
      `restart ${r}: start to listening ${again.ms} ms (${(again.ms / Math.max(1, base.ms)).toFixed(2)}x the empty database), ` +
        `RSS ${listeningMb.toFixed(0)} MB listening, ${settledMb.toFixed(0)} MB 2 s later; SIGTERM to exit ${stop.ms} ms (code ${stop.code}); load ${load()}`,
    );
    say(`  start-up steps (ms): ${JSON.stringify(startupSteps(again.serve))}`);
  }
  if (KEEP) {
    const kept = join(tmpdir(), `coincide-warm-start-${process.pid}.db`);
    copyFileSync(dbPath, kept);
    say(`kept the database: ${kept}`);
  }
} finally {
  await pit.close();
  rmSync(dir, { recursive: true, force: true });
}

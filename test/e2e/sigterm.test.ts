/**
 * SIGTERM after a 16,000-event run (issue 12): 8 VTP authors submit 16,000 events to a real
 * `coincide serve` (test/e2e/burst-events.ts: Fermi GBM notices of their own triggers and
 * positions, and every 400th an LVK notice whose sky-map URL is a tarpit, a loopback server
 * that accepts and never answers, allowed by configuration), with a `coincide listen` client
 * attached. Right after the last ack the service gets SIGTERM while tarpitted sky maps are still
 * loading; then it is started again on the same database. Before the fixes, stop() waited for
 * every queued sky-map load (9 min 44 s after such a run, or never), and later the restart did
 * not listen within 120 s (each notice's GBM density table and region cover rebuilt at the warm
 * start, one query per event) with the service at 2.2 GB.
 *
 * Checked: the process exits by itself with code 0 (not killed), within a generous bound (60 s,
 * six times the 10 s: a wait limit for a loaded CI machine, not a timing assertion; the
 * exit time is printed, as are the restart's time to listening and both RSS figures); the
 * restart listens; every acked event is stored with its notice, and the client has received seqs
 * 1..last, each once, with every notice once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { freePort } from '../peers/processes.ts';
import { makeTempDir } from '../vtp/helpers.ts';
import { burstEvent, tarpit, TARPIT_SKYMAP_FLAGS } from './burst-events.ts';
import { lastOutboxSeq, startListen, startServe, untilListened } from './serve-process.ts';

/** 16,000 as in the issue; COINCIDE_SIGTERM_EVENTS sets fewer for a quick local run (reported in the output). */
const EVENTS = Number(process.env.COINCIDE_SIGTERM_EVENTS ?? 16_000);
const AUTHORS = 8;
const TARPIT_EVERY = 400;
/** The bound asserted on the exit after SIGTERM (see above); the target is 10 s. */
const EXIT_BOUND_MS = 60_000;
/** Resident set of a process, MB (from /proc). */
function rssMb(pid: number | undefined): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

describe(`SIGTERM after a ${EVENTS}-event run`, { skip: skipUnlessShared() }, () => {
  it(
    `exits cleanly within ${EXIT_BOUND_MS / 1000} s with sky maps in flight, and loses nothing acked`,
    {
      timeout: 1_800_000,
    },
    async () => {
      const tmp = makeTempDir('coincide-sigterm-');
      const pit = await tarpit();
      const dbPath = join(tmp.dir, 'coincide.db');
      const token = createTestToken(dbPath, 'sigterm');
      const httpPort = await freePort();
      const flags = TARPIT_SKYMAP_FLAGS;
      const serve = await startServe({ dbPath, httpPort, args: flags, timeoutMs: 120_000 });
      const listener = startListen({ httpPort, token, args: ['--since', '0', '--max-backoff-ms', '500'] });
      const acked = new Set<string>();
      let nacks = 0;
      try {
        const port = serve.ports['vtp-receiver'] as number;
        let next = 0;
        const startedMs = Date.now();
        const author = async (): Promise<void> => {
          while (acked.size < EVENTS) {
            const { ivorn, bytes } = burstEvent(++next, pit.port, TARPIT_EVERY);
            const receipt = await sendEvent({ host: '127.0.0.1', port, bytes, timeoutMs: 60_000 });
            if (receipt.role === 'ack') acked.add(ivorn);
            else nacks += 1; // a peer limit (rate, concurrency): the next event goes on
          }
        };
        await Promise.all(Array.from({ length: AUTHORS }, () => author()));
        const runMs = Date.now() - startedMs;
        const burstRssMb = rssMb(serve.child.pid);
        assert.ok(pit.connections() > 0, 'sky-map loads reached the tarpit');

        const stopStartedMs = Date.now();
        serve.child.kill('SIGTERM');
        const code = await Promise.race([
          serve.exited,
          new Promise<'timeout'>((resolve) => {
            setTimeout(() => {
              resolve('timeout');
            }, EXIT_BOUND_MS).unref();
          }),
        ]);
        const exitMs = Date.now() - stopStartedMs;
        process.stdout.write(
          `# ${acked.size} events acked in ${(runMs / 1000).toFixed(1)} s by ${AUTHORS} authors (${nacks} nak'ed), ` +
            `${pit.connections()} tarpitted sky-map connections; SIGTERM to exit: ${exitMs} ms\n`,
        );
        assert.notEqual(code, 'timeout', `serve still running ${EXIT_BOUND_MS} ms after SIGTERM`);
        assert.equal(code, 0, 'a clean exit');

        // Restart on the same database: everything acked is stored, and streamed once.
        const restartMs = Date.now();
        const again = await startServe({ dbPath, httpPort, args: flags, timeoutMs: 300_000 });
        process.stdout.write(
          `# RSS after the burst ${burstRssMb.toFixed(0)} MB; restart to listening ${Date.now() - restartMs} ms, ` +
            `RSS then ${rssMb(again.child.pid).toFixed(0)} MB\n`,
        );
        try {
          const lastSeq = lastOutboxSeq(dbPath);
          const db = openDatabase({ path: dbPath, readonly: true });
          let notices: string[];
          try {
            const stored = new Set(db.prepare('SELECT ivorn FROM events').pluck().all() as string[]);
            assert.deepEqual(
              [...acked].filter((i) => !stored.has(i)),
              [],
              'every acked event is in the store',
            );
            notices = db.prepare('SELECT ivorn FROM notices ORDER BY id').pluck().all() as string[];
          } finally {
            db.close();
          }
          const noticeSet = new Set(notices);
          assert.deepEqual(
            [...acked].filter((i) => !noticeSet.has(i)),
            [],
            'every acked event has its notice',
          );
          await untilListened(listener, lastSeq, 300_000);
          assert.deepEqual(
            listener.lines.map((m) => m.seq),
            Array.from({ length: lastSeq }, (_, i) => i + 1),
            'seqs 1..last, each once, in order',
          );
          const streamed = listener.lines.filter((m) => m.type === 'notice').map((m) => m.data?.ivorn ?? '');
          assert.equal(new Set(streamed).size, streamed.length, 'no notice streamed twice');
          assert.deepEqual(new Set(streamed), noticeSet, 'every stored notice streamed');
        } finally {
          await again.stop('SIGTERM', 60_000);
        }
      } finally {
        await serve.stop('SIGKILL');
        await listener.stop();
        await pit.close();
        tmp.remove();
      }
    },
  );
});

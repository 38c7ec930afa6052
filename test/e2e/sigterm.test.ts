/**
 * SIGTERM after a 16,000-event run (issue 12): 8 VTP authors submit 16,000 events to a real
 * `coincide serve` (Fermi GBM notices of their own triggers, and every 400th an LVK notice whose
 * sky-map URL is a tarpit: a loopback server that accepts and never answers, allowed by
 * configuration), with a `coincide listen` client attached. Right after the last ack the service
 * gets SIGTERM while tarpitted sky maps are still loading. Before the fix, stop() waited for every
 * queued sky-map load: 9 min 44 s after such a run, or never.
 *
 * Checked: the process exits by itself with code 0 (not killed), within a generous bound (60 s,
 * six times the 10 s: a wait limit for a loaded CI machine, not a timing assertion; the
 * exit time is printed); after a restart on the same database every acked event is stored with
 * its notice, and the client has received seqs 1..last, each once, with every notice once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { freePort } from '../peers/processes.ts';
import { makeTempDir } from '../vtp/helpers.ts';
import { lastOutboxSeq, startListen, startServe, untilListened } from './serve-process.ts';

/** 16,000 as in the issue; COINCIDE_SIGTERM_EVENTS sets fewer for a quick local run (reported in the output). */
const EVENTS = Number(process.env.COINCIDE_SIGTERM_EVENTS ?? 16_000);
const AUTHORS = 8;
const TARPIT_EVERY = 400;
/** The bound asserted on the exit after SIGTERM (see above); the target is 10 s. */
const EXIT_BOUND_MS = 60_000;
const GBM = readFileSync(join(PROJECT_ROOT, 'fixtures', 'notices', 'gbm-flt-pos.xml'), 'utf8');
const LVK_UPDATE = 'voevent/gw/S230518h-3-Update.xml';
const GRACEDB_URL = 'https://gracedb.ligo.org/api/superevents/S230518h/files/Bilby.multiorder.fits,0';

/** Event n: a GBM notice of its own trigger, or (every TARPIT_EVERY-th) an LVK notice of its own superevent. */
function event(n: number, tarpitPort: number): { ivorn: string; bytes: Buffer } {
  if (n % TARPIT_EVERY === 0) {
    const id = `S99${String(n).padStart(5, '0')}a`;
    const text = readFileSync(samplePath(LVK_UPDATE), 'utf8')
      .replace(GRACEDB_URL, `http://127.0.0.1:${tarpitPort}/api/superevents/${id}/files/x.fits`)
      .replace(/S230518h/g, id);
    const ivorn = /ivorn="([^"]+)"/.exec(text)?.[1] ?? '';
    return { ivorn, bytes: Buffer.from(text, 'utf8') };
  }
  const trigId = String(810_000_000 + n);
  const ivorn = `ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2024-01-02T03:04:05.67_${trigId}_47-123`;
  const text = GBM.replace(/ivorn="[^"]+"/, `ivorn="${ivorn}"`).replace(
    /name="TrigID" value="\d+"/,
    `name="TrigID" value="${trigId}"`,
  );
  return { ivorn, bytes: Buffer.from(text, 'utf8') };
}

/** Accepts connections and never answers; counts them. */
async function tarpit(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
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
      const flags = [
        '--skymap-allowed-host',
        '127.0.0.1',
        '--skymap-allow-http',
        'true',
        '--skymap-allow-private-addresses',
        'true',
      ];
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
            const { ivorn, bytes } = event(++next, pit.port);
            const receipt = await sendEvent({ host: '127.0.0.1', port, bytes, timeoutMs: 60_000 });
            if (receipt.role === 'ack') acked.add(ivorn);
            else nacks += 1; // a peer limit (rate, concurrency): the next event goes on
          }
        };
        await Promise.all(Array.from({ length: AUTHORS }, () => author()));
        const runMs = Date.now() - startedMs;
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
        const again = await startServe({ dbPath, httpPort, args: flags, timeoutMs: 120_000 });
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

/**
 * Exactly-once from commit to stream, under SIGKILL (issue 12): 4 authors submit Fermi GBM
 * notices to `coincide serve` as fast as it acks them; the process is killed with SIGKILL at a
 * random point, ROUNDS times, and restarted over the same database; one `coincide listen`
 * client is attached throughout (it reconnects and resumes by itself). Then:
 *   - every acked event is in the store, with its notice;
 *   - every stored notice has its stream message (notices.outbox_seq) and its join (joined);
 *   - the client received seqs 1..lastSeq, each once, in order (no gap, no duplicate), and
 *     among them every stored notice exactly once.
 * The figures of each round are printed (acks, kill delay, notices redelivered at restart).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { freePort } from '../peers/processes.ts';
import { makeTempDir } from '../vtp/helpers.ts';
import { lastOutboxSeq, startListen, startServe, untilListened } from './serve-process.ts';

const ROUNDS = 10;
const AUTHORS = 4;
const GBM = readFileSync(join(PROJECT_ROOT, 'fixtures', 'notices', 'gbm-flt-pos.xml'), 'utf8');

/** A GBM notice of its own trigger (unique ivorn and TrigID, so unique bytes and notice). */
function gbmNotice(n: number): { ivorn: string; bytes: Buffer } {
  const trigId = String(800_000_000 + n);
  const ivorn = `ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2024-01-02T03:04:05.67_${trigId}_47-123`;
  const text = GBM.replace(/ivorn="[^"]+"/, `ivorn="${ivorn}"`).replace(
    /name="TrigID" value="\d+"/,
    `name="TrigID" value="${trigId}"`,
  );
  return { ivorn, bytes: Buffer.from(text, 'utf8') };
}

describe('exactly-once from commit to stream under SIGKILL', () => {
  it(
    `loses no acked event or notice, and the resuming client sees every notice once (${ROUNDS} SIGKILL rounds)`,
    { timeout: 600_000 },
    async () => {
      const tmp = makeTempDir('coincide-crash-stream-');
      const dbPath = join(tmp.dir, 'coincide.db');
      const token = createTestToken(dbPath, 'crash');
      const httpPort = await freePort();
      const listener = startListen({ httpPort, token, args: ['--since', '0', '--max-backoff-ms', '500'] });
      const received = listener.lines;
      const acked = new Set<string>();
      let next = 0;
      try {
        for (let round = 1; round <= ROUNDS; round += 1) {
          const serve = await startServe({ dbPath, httpPort, timeoutMs: 60_000 });
          const redelivered = serve.logs
            .map((l) => /"msg":"redelivered notices[^}]*"notices":(\d+)/.exec(l)?.[1])
            .find((x) => x !== undefined);
          const port = serve.ports['vtp-receiver'] as number;
          const killAfterMs = 150 + Math.floor(Math.random() * 1500);
          let roundAcks = 0;
          let killed = false;
          const killer = setTimeout(() => {
            killed = true;
            serve.child.kill('SIGKILL');
          }, killAfterMs);
          const author = async (): Promise<void> => {
            for (;;) {
              const { ivorn, bytes } = gbmNotice(++next);
              try {
                const receipt = await sendEvent({ host: '127.0.0.1', port, bytes, timeoutMs: 30_000 });
                if (receipt.role === 'ack') {
                  acked.add(ivorn);
                  roundAcks += 1;
                }
              } catch {
                if (killed) return;
              }
            }
          };
          await Promise.all(Array.from({ length: AUTHORS }, () => author()));
          clearTimeout(killer);
          await serve.exited;
          process.stdout.write(
            `# round ${round}: SIGKILL after ${killAfterMs} ms, ${roundAcks} acks in the round, ` +
              `${redelivered ?? 0} notices redelivered at its start\n`,
          );
        }

        // The last start: redelivers what the last kill left, then the client catches up.
        const last = await startServe({ dbPath, httpPort, timeoutMs: 60_000 });
        try {
          const lastSeq = lastOutboxSeq(dbPath);
          const db = openDatabase({ path: dbPath, readonly: true });
          let notices: Array<{ ivorn: string; outbox_seq: number | null; joined: number | null }>;
          try {
            notices = db
              .prepare('SELECT ivorn, outbox_seq, joined FROM notices ORDER BY id')
              .all() as typeof notices;
            const stored = new Set(
              (db.prepare('SELECT ivorn FROM events').pluck().all() as string[]).filter((i) => acked.has(i)),
            );
            const missing = [...acked].filter((i) => !stored.has(i));
            assert.deepEqual(missing, [], 'every acked event is in the store');
          } finally {
            db.close();
          }
          const noticeIvorns = new Set(notices.map((n) => n.ivorn));
          assert.deepEqual(
            [...acked].filter((i) => !noticeIvorns.has(i)),
            [],
            'every acked event has its notice',
          );
          assert.deepEqual(
            notices.filter((n) => n.outbox_seq === null || n.joined === null).map((n) => n.ivorn),
            [],
            'every stored notice is in the outbox and joined',
          );
          await untilListened(listener, lastSeq, 60_000);
          const seqs = received.map((m) => m.seq);
          assert.deepEqual(
            seqs,
            Array.from({ length: lastSeq }, (_, i) => i + 1),
            'seqs 1..last, each once, in order',
          );
          const streamed = received.filter((m) => m.type === 'notice').map((m) => m.data?.ivorn ?? '');
          assert.equal(new Set(streamed).size, streamed.length, 'no notice streamed twice');
          assert.deepEqual(new Set(streamed), noticeIvorns, 'every stored notice streamed');
          process.stdout.write(
            `# ${ROUNDS} rounds: ${acked.size} acked, ${notices.length} notices, ` +
              `${seqs.length} stream messages received in order without gap or duplicate\n`,
          );
        } finally {
          await last.stop('SIGTERM', 30_000);
        }
      } finally {
        await listener.stop();
        tmp.remove();
      }
    },
  );
});

/**
 * The real `coincide serve` process with a webhook (--webhook-url) to a real HTTP server: a burst
 * of GRB VOEvents by VTP, SIGKILL while the deliveries stream, a restart over the same database,
 * and then every outbox message has been delivered, in seq order (a message may come twice
 * across the crash, with the same Idempotency-Key; none is lost or overtaken).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { startServe, type ServeProcess } from '../e2e/serve-process.ts';
import { startReceiver } from './receiver.ts';

const GBM = readFileSync(join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'), 'utf8');

/** The demo GBM notice as trigger `trigId` (a new ivorn and TrigID: a new event and a new notice). */
function gbmEvent(trigId: number): Buffer {
  return Buffer.from(
    GBM.replace('524666471_57-001', `${trigId}_57-001`).replace(
      'name="TrigID" value="524666471"',
      `name="TrigID" value="${trigId}"`,
    ),
    'utf8',
  );
}

interface Delivery {
  seq: number;
  key: string;
  body: string;
}

describe('webhook delivery across a crash', () => {
  it(
    'delivers every message in order after SIGKILL in the middle of a burst and a restart',
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'coincide-webhook-crash-'));
      const dbPath = join(dir, 'coincide.db');
      const receiver = await startReceiver();
      const args = ['--webhook-url', receiver.url, '--webhook-allow-http-host', '127.0.0.1'];
      let serve: ServeProcess | undefined;
      try {
        serve = await startServe({ dbPath, args, timeoutMs: 120_000 });
        const port = serve.ports['vtp-receiver'] ?? 0;
        let next = 700_000_000;
        let killed = false;
        const first = serve;
        const author = async (): Promise<void> => {
          while (!killed && next < 700_000_400) {
            try {
              await sendEvent({ host: '127.0.0.1', port, bytes: gbmEvent(++next), timeoutMs: 30_000 });
            } catch {
              return;
            }
          }
        };
        const authors = Promise.all(Array.from({ length: 4 }, () => author()));
        await receiver.until('20 deliveries', () => receiver.requests.length >= 20, 120_000);
        killed = true;
        assert.equal(await first.stop('SIGKILL'), null);
        await authors;
        const beforeRestart = receiver.requests.length;

        serve = await startServe({ dbPath, args, timeoutMs: 120_000 });
        // A last event after the restart: deliveries are in seq order, so once its notice has
        // arrived, every message before it has been delivered.
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: serve.ports['vtp-receiver'] ?? 0,
          bytes: gbmEvent(800_000_000),
          timeoutMs: 30_000,
        });
        assert.equal(receipt.role, 'ack');
        await receiver.until(
          'the last notice',
          () => receiver.requests.some((r) => r.body.includes('"triggerId":"Fermi:800000000"')),
          120_000,
        );
        await serve.stop();

        const db = openDatabase({ path: dbPath, readonly: true });
        const outbox = db.prepare('SELECT seq, type, json FROM serve_outbox ORDER BY seq').all() as Array<{
          seq: number;
          type: string;
          json: string;
        }>;
        db.close();
        const deliveries: Delivery[] = receiver.requests.map((r) => ({
          seq: Number(r.headers['x-coincide-seq']),
          key: String(r.headers['idempotency-key']),
          body: r.body,
        }));
        // Killed mid-burst: messages committed before the kill were still waiting for delivery.
        const committedBeforeKill = outbox.filter((r) => !r.json.includes('"triggerId":"Fermi:800000000"'));
        assert.ok(
          committedBeforeKill.length > beforeRestart,
          `${committedBeforeKill.length} > ${beforeRestart}`,
        );
        assert.ok(beforeRestart < deliveries.length, 'deliveries went on after the restart');
        assert.ok(outbox.length > 20, `outbox ${outbox.length}`);

        // Every message once at least, with the stored data, and under one idempotency key.
        const bySeq = new Map<number, Delivery[]>();
        for (const d of deliveries) bySeq.set(d.seq, [...(bySeq.get(d.seq) ?? []), d]);
        for (const row of outbox) {
          const got = bySeq.get(row.seq);
          assert.ok(got, `seq ${row.seq} (${row.type}) was never delivered`);
          for (const d of got) {
            assert.equal(d.body, `{"type":"${row.type}","seq":${row.seq},"data":${row.json}}`);
            assert.equal(d.key, got[0]?.key);
          }
        }
        assert.equal(bySeq.size, outbox.length, 'nothing but outbox messages');
        // In order: the first delivery of each seq comes in seq order, and within each process
        // run the seqs only go up (a restart may repeat the few not yet marked done).
        const firsts = deliveries.filter((d, i) => deliveries.findIndex((e) => e.seq === d.seq) === i);
        assert.deepEqual(
          firsts.map((d) => d.seq),
          outbox.map((r) => r.seq),
        );
        for (const run of [deliveries.slice(0, beforeRestart), deliveries.slice(beforeRestart)]) {
          for (let i = 1; i < run.length; i++) {
            assert.ok((run[i]?.seq ?? 0) > (run[i - 1]?.seq ?? 0), `out of order at ${i}`);
          }
        }
      } finally {
        await serve?.stop('SIGKILL');
        await receiver.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

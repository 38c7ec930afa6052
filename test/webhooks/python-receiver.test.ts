/**
 * The README's receiver script (examples/webhook-receiver.py, Python's own hmac and hashlib) as
 * the endpoint of a real app: an independent implementation accepts the signature of every
 * delivery, and refuses (401) one signed with another secret, which coincide then marks dead.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeCoincidence, makeNotice } from '../http/records.ts';
import { startTestApp } from '../http/start-app.ts';

const SCRIPT = join(PROJECT_ROOT, 'examples', 'webhook-receiver.py');
const SECRET = 'the-receivers-secret-0123456789';
/** /healthz shows its detail, and /metrics answers, only to an admin token. */
const admin = (app: { adminToken: string }): RequestInit => ({
  headers: { authorization: `Bearer ${app.adminToken}` },
});

describe('the README webhook receiver', () => {
  it('is in the README verbatim', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(readFileSync(SCRIPT, 'utf8')));
  });

  it(
    'verifies the signature of every delivery and refuses another secret',
    { timeout: 120_000 },
    async () => {
      const python = spawn('python3', [SCRIPT, '0'], {
        env: { ...process.env, COINCIDE_WEBHOOK_SECRET: SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      const waiters = new Set<() => void>();
      createInterface({ input: python.stdout }).on('line', (line) => {
        lines.push(line);
        for (const wake of [...waiters]) wake();
      });
      python.stderr.resume();
      const until = (predicate: () => boolean): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => {
            if (predicate()) {
              waiters.delete(check);
              resolve();
            }
          };
          waiters.add(check);
          check();
        });
      const dir = mkdtempSync(join(tmpdir(), 'coincide-pyreceiver-'));
      let stop: (() => Promise<void>) | undefined;
      try {
        await until(() => lines.some((l) => l.startsWith('listening on port ')));
        const port = Number(lines[0]?.split(' ').at(-1));
        const configPath = join(dir, 'config.json');
        writeFileSync(
          configPath,
          JSON.stringify({
            webhooks: {
              subscriptions: [
                { id: 'good', url: `http://127.0.0.1:${port}/`, secret: SECRET },
                { id: 'forged', url: `http://127.0.0.1:${port}/`, secret: 'not-the-receivers-secret-000' },
              ],
              allowHttpHosts: ['127.0.0.1'],
            },
          }),
          { mode: 0o600 },
        );
        const app = await startTestApp({ dir, flags: { config: configPath } });
        stop = () => app.stop();
        const notice = app.app.publishNotice(makeNotice());
        const pair = app.app.publishCoincidence(makeCoincidence());
        await until(() => lines.length >= 3);
        assert.deepEqual(
          lines.slice(1).map((l) => l.split(' ')[0]),
          [`good:${notice.seq}`, `good:${pair.seq}`],
        );
        const body = JSON.parse(lines[1]?.slice(lines[1].indexOf(' ') + 1) ?? '{}') as { seq: number };
        assert.equal(body.seq, notice.seq);
        // The forged subscription's deliveries were refused (401: no retry) and are dead.
        for (;;) {
          const health = (await (await fetch(`${app.httpUrl}/healthz`, admin(app))).json()) as {
            webhooks: { items: Array<{ id: string; dead: number; lastDead?: { error: string } }> };
          };
          const forged = health.webhooks.items.find((i) => i.id === 'forged');
          if (forged?.dead === 2) {
            assert.match(forged.lastDead?.error ?? '', /HTTP 401/);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(lines.length, 3, 'nothing printed for the forged deliveries');
      } finally {
        await stop?.();
        python.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

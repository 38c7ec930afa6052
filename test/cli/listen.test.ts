import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { runCoincide, startListen, startServe } from '../e2e/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-listen-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SAMPLES = [
  'voevent/grb/GBM_Flt_Pos_2023-09-11T07:53:09.73_716111594_48-489.xml',
  'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml',
  'voevent/grb/GBM_Fin_Pos2023-09-11T07:53:09.73_716111594_0-588.xml',
];

describe('coincide listen', { skip: skipUnlessShared() }, () => {
  it('prints messages as JSON lines and resumes by itself across a server restart, with no gap', async () => {
    const dbPath = join(dir, 'listen.db');
    const token = createTestToken(dbPath);
    let serve = await startServe({ dbPath });
    const httpPort = serve.ports.http ?? 0;
    const statePath = join(dir, 'state');
    const listener = startListen({ httpPort, token, args: ['--state', statePath] });
    const lines = listener.lines;
    // A wait limit, not a timing assertion: after the restart the listener's next attempt can
    // be up to its maximum backoff (30 s) away, and a restart on a loaded machine takes seconds.
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (lines.length < n) {
        if (Date.now() > deadline) throw new Error(`got ${lines.length} lines, wanted ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // Wait until the listener has subscribed (the state file gets the first heartbeat's seq).
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          readFileSync(statePath);
          break;
        } catch {
          if (Date.now() > deadline) throw new Error('listener never subscribed');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const send = async (port: number, sample: string): Promise<void> => {
        const receipt = await sendEvent({ host: '127.0.0.1', port, bytes: readFileSync(samplePath(sample)) });
        assert.equal(receipt.role, 'ack');
      };
      await send(serve.ports['vtp-receiver'] ?? 0, SAMPLES[0] ?? '');
      await until(1);
      assert.equal(await serve.stop('SIGKILL'), null);
      // The listener is disconnected; the server restarts on the same HTTP port and gets more events.
      serve = await startServe({ dbPath, httpPort });
      await send(serve.ports['vtp-receiver'] ?? 0, SAMPLES[1] ?? '');
      await send(serve.ports['vtp-receiver'] ?? 0, SAMPLES[2] ?? '');
      await until(3);
      assert.deepEqual(
        lines.map((l) => [l.type, l.seq]),
        [
          ['notice', 1],
          ['notice', 2],
          ['notice', 3],
        ],
      );
      // The listener prints a message, then records its seq (printed-then-recorded: a crash in
      // between repeats the message on resume rather than losing it), so the state file may
      // trail the printed line by a moment on a loaded machine: wait for it, with a limit.
      const stateDeadline = Date.now() + 10_000;
      while (readFileSync(statePath, 'utf8').trim() !== '3' && Date.now() < stateDeadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(readFileSync(statePath, 'utf8').trim(), '3');
    } finally {
      await listener.stop();
      await serve.stop();
    }
  });

  it('exits 2 and says why when the server refuses the token', async () => {
    const serve = await startServe({ dbPath: join(dir, 'refuse.db') });
    try {
      const result = await runCoincide([
        'listen',
        '--url',
        `ws://127.0.0.1:${serve.ports.http}/v1/stream`,
        '--token',
        'cct_wrong',
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /401/);
    } finally {
      await serve.stop();
    }
  });
});

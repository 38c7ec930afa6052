import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/event-store.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeTempDir, makeVoEvent } from './helpers.ts';

const SCRIPT = fileURLToPath(new URL('./receiver-process.ts', import.meta.url));

function startReceiver(dbPath: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dbPath], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /\{"port":(\d+)\}/.exec(out);
      if (line) resolve({ child, port: Number(line[1]) });
    });
    child.once('exit', (code) => {
      reject(new Error(`receiver exited early (${code})`));
    });
  });
}

describe('crash safety', () => {
  it(
    'keeps every acked event after SIGKILL in the middle of a stream of submissions',
    { timeout: 120_000 },
    async () => {
      const tmp = makeTempDir('coincide-crash-');
      const dbPath = join(tmp.dir, 'events.sqlite');
      let child: ChildProcess | undefined;
      try {
        const first = await startReceiver(dbPath);
        child = first.child;
        const acked = new Map<string, Buffer>();
        let failures = 0;
        let killed = false;
        let next = 0;
        const exited = new Promise((resolve) => first.child.once('exit', resolve));
        const author = async (): Promise<void> => {
          while (!killed) {
            const ivorn = `ivo://test.coincide/crash#${++next}`;
            const bytes = makeVoEvent(ivorn);
            try {
              const receipt = await sendEvent({
                host: '127.0.0.1',
                port: first.port,
                bytes,
                timeoutMs: 5000,
              });
              if (receipt.role === 'ack') acked.set(ivorn, bytes);
            } catch {
              failures += 1;
              if (killed) return;
            }
            if (acked.size >= 300 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        };
        await Promise.all(Array.from({ length: 16 }, () => author()));
        await exited;
        assert.ok(acked.size >= 300, `acked ${acked.size}`);
        assert.ok(failures > 0, 'some submissions were in flight when the process died');

        const second = await startReceiver(dbPath);
        child = second.child;
        const db = openDatabase({ path: dbPath });
        const store = new EventStore({ db });
        try {
          for (const [ivorn, bytes] of acked) {
            const stored = store.eventsByIvorn(ivorn);
            assert.equal(stored.length, 1, `${ivorn} was acked but is not in the store`);
            assert.ok(stored[0]?.bytes.equals(bytes));
          }
          const some = [...acked.values()][0] as Buffer;
          const again = await sendEvent({ host: '127.0.0.1', port: second.port, bytes: some });
          assert.equal(again.role, 'nak', 'after the restart an acked event is still known');
          const fresh = await sendEvent({
            host: '127.0.0.1',
            port: second.port,
            bytes: makeVoEvent('ivo://test.coincide/crash#after'),
          });
          assert.equal(fresh.role, 'ack');
        } finally {
          store.close();
          db.close();
        }
      } finally {
        if (child && child.exitCode === null) {
          const gone = new Promise((resolve) => child?.once('exit', resolve));
          child.kill('SIGKILL');
          await gone;
        }
        tmp.remove();
      }
    },
  );
});

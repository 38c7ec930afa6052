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
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const SCRIPT = fileURLToPath(new URL('./receiver-process.ts', import.meta.url));

interface Launched {
  child: ChildProcess;
  port: number;
}

/** Spawns a process and resolves with the receiver port its output reports (`portPattern`). */
function launch(args: string[], portPattern: RegExp): Promise<Launched> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = portPattern.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`receiver exited early (${code}): ${out}`));
    });
  });
}

/** test/vtp/receiver-process.ts: the receiver, the store (writer thread) and the normaliser. */
const receiverProcess = (dbPath: string): Promise<Launched> =>
  launch(['--import', 'tsx', SCRIPT, dbPath, '--normalise'], /\{"port":(\d+)\}/);

/** `coincide serve`: the whole service (schema validation, normalisers, broadcaster, HTTP...). */
const serveProcess = (dbPath: string): Promise<Launched> =>
  launch(
    [
      ...CLI_NODE_ARGS,
      'serve',
      '--db',
      dbPath,
      '--receive-port',
      '0',
      '--broadcast-port',
      '0',
      '--http-port',
      '0',
      '--listen-host',
      '127.0.0.1',
      '--local-ivo',
      'ivo://test.coincide/crash',
    ],
    /"msg":"listening","service":"vtp-receiver","port":(\d+)/,
  );

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/**
 * 16 authors submit unique events until `ackedBeforeKill` are acked, then the process gets
 * SIGKILL (submissions in flight); after a restart over the same file, every acked event is there,
 * and none is left waiting for its normalisation (the restart resumes those before listening).
 * Authors keep submitting until a submission fails after the kill: with group commit, the acks of
 * all 16 in-flight submissions can arrive together, so "in flight at the kill" is made sure of.
 */
async function crashAndRestart(
  start: (dbPath: string) => Promise<Launched>,
  ackedBeforeKill: number,
  tag: string,
): Promise<void> {
  const tmp = makeTempDir('coincide-crash-');
  const dbPath = join(tmp.dir, 'events.sqlite');
  let child: ChildProcess | undefined;
  try {
    const first = await start(dbPath);
    child = first.child;
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    const acked = new Map<string, Buffer>();
    let failures = 0;
    let killed = false;
    let next = 0;
    const author = async (): Promise<void> => {
      for (;;) {
        const ivorn = `ivo://test.coincide/crash#${tag}-${++next}`;
        const bytes = makeVoEvent(ivorn);
        try {
          const receipt = await sendEvent({ host: '127.0.0.1', port: first.port, bytes, timeoutMs: 30_000 });
          if (receipt.role === 'ack') acked.set(ivorn, bytes);
        } catch {
          failures += 1;
          if (killed) return;
        }
        if (acked.size >= ackedBeforeKill && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => author()));
    await exited;
    assert.ok(acked.size >= ackedBeforeKill, `acked ${acked.size}`);
    assert.ok(failures > 0, 'some submissions were in flight when the process died');

    const second = await start(dbPath);
    child = second.child;
    const db = openDatabase({ path: dbPath });
    const store = new EventStore({ db });
    try {
      for (const [ivorn, bytes] of acked) {
        const stored = store.eventsByIvorn(ivorn);
        assert.equal(stored.length, 1, `${ivorn} was acked but is not in the store`);
        assert.ok(stored[0]?.bytes.equals(bytes));
      }
      assert.deepEqual(
        store.pendingNormalisation().map((e) => e.ivorn),
        [],
        'every event is normalised after the restart',
      );
      const some = [...acked.values()][0] as Buffer;
      const again = await sendEvent({ host: '127.0.0.1', port: second.port, bytes: some, timeoutMs: 30_000 });
      assert.equal(again.role, 'nak', 'after the restart an acked event is still known');
      const fresh = await sendEvent({
        host: '127.0.0.1',
        port: second.port,
        bytes: makeVoEvent(`ivo://test.coincide/crash#${tag}-after`),
        timeoutMs: 30_000,
      });
      assert.equal(fresh.role, 'ack');
    } finally {
      store.close();
      db.close();
    }
  } finally {
    await kill(child);
    tmp.remove();
  }
}

describe('crash safety', () => {
  it(
    'keeps every acked event after SIGKILL in the middle of a stream of submissions (receiver process)',
    { timeout: 120_000 },
    async () => {
      await crashAndRestart(receiverProcess, 300, 'receiver');
    },
  );

  it(
    'keeps every acked event after SIGKILL of `coincide serve` in the middle of a stream of submissions',
    { timeout: 300_000 },
    async () => {
      await crashAndRestart(serveProcess, 100, 'serve');
    },
  );
});

/**
 * A GCN consumer process killed (SIGKILL) at the worst moment and restarted: nothing is lost,
 * and no Notice is produced twice (at-least-once delivery, idempotent ingest).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/store/database.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { variantOf, waitFor } from './gcn-helpers.ts';

const CHILD = fileURLToPath(new URL('./gcn-consumer-child.ts', import.meta.url));

interface ChildRun {
  child: ChildProcess;
  lines: Array<{ offset?: number; outcome?: string; started?: boolean }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runChild(args: string[]): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: ChildRun['lines'] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, newline)) as ChildRun['lines'][number]);
      buffer = buffer.slice(newline + 1);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, lines, exited };
}

test(
  'a consumer killed between storing a message and committing it, then restarted, loses nothing and stores every Notice once',
  { skip: skipUnlessKafka() || skipUnlessShared() },
  async () => {
    const topic = uniqueName('test.gcn.classic.voevent.KILL');
    const groupId = uniqueName('gcn-kill');
    const kafka = testKafka();
    await createTopics(kafka, [{ topic }]);
    const sample = readFileSync(samplePath('voevent/grb/BAT_GRB_Pos_655721-214.xml'));
    const total = 20;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: total }, (_, i) => ({ value: variantOf(sample, i) })),
    });
    await producer.disconnect();

    const dir = mkdtempSync(join(tmpdir(), 'coincide-gcn-kill-'));
    const dbPath = join(dir, 'coincide.db');
    const args = [testBrokers().join(','), groupId, topic, dbPath];
    const running: ChildProcess[] = [];
    try {
      const first = runChild([...args, '7']);
      running.push(first.child);
      const firstExit = await first.exited;
      assert.equal(firstExit.signal, 'SIGKILL');
      const firstOffsets = first.lines.filter((l) => l.offset !== undefined).map((l) => l.offset);
      assert.deepEqual(firstOffsets, [0, 1, 2, 3, 4, 5, 6]);

      const second = runChild([...args, '0']);
      running.push(second.child);
      await waitFor(
        () => second.lines.some((l) => l.offset === total - 1),
        60_000,
        'the restarted consumer to reach the end',
      );
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
      const handled = second.lines.filter((l) => l.offset !== undefined);
      // The message being handled when the process died comes again, and is a duplicate.
      assert.deepEqual(handled[0], { offset: 6, outcome: 'duplicate' });
      assert.deepEqual(
        handled.slice(1).map((l) => l.offset),
        Array.from({ length: total - 7 }, (_, i) => i + 7),
      );
      assert.ok(handled.slice(1).every((l) => l.outcome === 'accepted'));

      const db = openDatabase({ path: dbPath });
      try {
        const events = db.prepare('SELECT COUNT(*) FROM events').pluck().get();
        const notices = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT ivorn) AS d FROM notices').get() as {
          n: number;
          d: number;
        };
        assert.equal(events, total);
        assert.deepEqual({ ...notices }, { n: total, d: total });
      } finally {
        db.close();
      }
    } finally {
      for (const child of running)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

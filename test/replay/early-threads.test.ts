import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildLsstRecords } from '../../scripts/optical/packets.ts';
import { createDecodePool, type DecodedFile } from '../../src/replay/decode-pool.ts';
import {
  closeEarlyDecodeThreads,
  defaultDecodeThreads,
  earlyThreadCount,
  startDecodeThread,
  startEarlyDecodeThreads,
  startEarlyReplayJob,
  takeEarlyDecodeThread,
} from '../../src/replay/early-threads.ts';
import { type ReplayOptions, runReplay } from '../../src/replay/replay.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { encodeContainer } from '../optical/avro-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-early-threads-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('decode threads started before the replay loads (early-threads.ts)', () => {
  test('how many a command line asks for, read without the parser', () => {
    assert.equal(earlyThreadCount(['replay', 'night/']), defaultDecodeThreads());
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '2']), 2);
    assert.equal(earlyThreadCount(['replay', '--threads=3', 'night/']), 3);
    assert.equal(earlyThreadCount(['--progress', 'replay', 'night/']), defaultDecodeThreads());
    // None: no threads asked for, not a number of threads, time slides, help, another command.
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '0']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads=0']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', 'many']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '1.5']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--threads', '65']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--time-slides', '10']), undefined);
    assert.equal(earlyThreadCount(['replay', 'night/', '--timeSlides=10']), undefined);
    assert.equal(earlyThreadCount(['replay', '--help']), undefined);
    assert.equal(earlyThreadCount(['serve', '--threads', '2']), undefined);
    assert.equal(earlyThreadCount([]), undefined);
  });

  test('each thread is handed over once; those not taken are stopped at the end', async () => {
    startEarlyDecodeThreads(['replay', 'night/', '--threads', '2']);
    const first = takeEarlyDecodeThread(1);
    assert.ok(first, 'thread 1 was started early');
    assert.equal(takeEarlyDecodeThread(1), undefined, 'once');
    assert.equal(takeEarlyDecodeThread(3), undefined, 'only those asked for');
    const exited = once(first, 'exit');
    await first.terminate();
    await exited;
    // Thread 2 was not taken: stopped here, and not handed over afterwards.
    await closeEarlyDecodeThreads();
    assert.equal(takeEarlyDecodeThread(2), undefined);
    // Another command line starts none.
    startEarlyDecodeThreads(['serve']);
    assert.equal(takeEarlyDecodeThread(1), undefined);
  });
});

describe(
  'a replay job posted before the replay loads (startEarlyReplayJob)',
  { skip: skipUnlessShared() },
  async () => {
    // 300 one-alert LSST files (enough for threads: at least 256) over the sky, and the S230518h notice.
    const folder = join(dir, 'night');
    mkdirSync(folder);
    const { writerType, records } = buildLsstRecords({ count: 300, cutoutBytes: 200, nPrvDiaSources: 1 });
    // The same night in two folders (260 and 40 files) and the notice beside them: the job is
    // posted once the first folder is listed, and the second folder's files after it.
    const split = join(dir, 'split');
    mkdirSync(join(split, 'a'), { recursive: true });
    mkdirSync(join(split, 'b'));
    for (const [f, r] of records.entries()) {
      const record = {
        ...r,
        diaSource: {
          ...(r.diaSource as object),
          midpointMjdTai: 60_082.6 + f * 0.001,
          // Spread over the sky (a Fibonacci lattice): some fall in the map.
          ra: (f * 137.508) % 360,
          dec: (Math.asin((2 * f + 1) / 300 - 1) * 180) / Math.PI,
        },
        diaObject: { ...(r.diaObject as object), firstDiaSourceMjdTai: 60_082.6 + f * 0.001 },
      };
      const bytes = await encodeContainer(writerType, [record]);
      const name = `alerts-${String(f).padStart(3, '0')}.avro`;
      writeFileSync(join(folder, name), bytes);
      writeFileSync(join(split, f < 260 ? 'a' : 'b', name), bytes);
    }
    writeFileSync(join(folder, 'gw.json'), readFileSync(samplePath('gcn-json/igwn/initial.txt')));
    writeFileSync(join(split, 'gw.json'), readFileSync(samplePath('gcn-json/igwn/initial.txt')));
    const take = (id: number) => takeEarlyDecodeThread(id) ?? startDecodeThread(id);

    const replay = async (options: Partial<ReplayOptions>): Promise<{ out: string; summary: object }> => {
      let out = '';
      const summary = await runReplay({
        paths: [folder],
        engine: { allowedLatenessSec: 86_400 },
        write: (line) => void (out += line),
        ...options,
      });
      return { out, summary };
    };
    const NIGHT_SUMMARY = { documents: 301, notices: 1, alerts: 300, failures: 0, coincidences: 1 };
    /** Every file's result from `pool`, run by the early job's plan (the job is the pool's to close). */
    const decodeAll = async (
      pool: ReturnType<typeof createDecodePool>,
      started: NonNullable<ReturnType<typeof startEarlyReplayJob>>,
    ): Promise<DecodedFile[]> => {
      const seen: DecodedFile[] = [];
      try {
        await pool.decodeFiles(
          started.plan.streamed,
          (_path, result) => void seen.push(result),
          started.job.job.filesPerRun,
        );
      } finally {
        await pool.close();
      }
      return seen;
    };
    /** Waits (polling, no time limit of its own) until the early threads posted a first result. */
    const firstResult = async (messages: readonly unknown[]): Promise<void> => {
      while (messages.length === 0) await sleep(10);
    };

    test('the pool takes the job over with the results posted meanwhile: the same files, in order, as no threads', async () => {
      startEarlyDecodeThreads(['replay', folder, '--threads', '2']);
      const started = startEarlyReplayJob([folder]);
      assert.ok(started, 'posted');
      assert.equal(started.plan.streamed.length, 300);
      await firstResult(started.job.messages);
      const pool = createDecodePool({ threads: 2, startThread: take, startedJob: started.job });
      let seen: DecodedFile[];
      try {
        seen = await decodeAll(pool, started);
      } finally {
        await closeEarlyDecodeThreads();
      }
      assert.ok(pool.stats.runsBeforeCall >= 1, 'results posted before the call were used');
      const here = createDecodePool({ threads: 0 });
      const expected: DecodedFile[] = [];
      try {
        await here.decodeFiles(started.plan.streamed, (_path, result) => void expected.push(result));
      } finally {
        await here.close();
      }
      assert.equal(JSON.stringify(seen), JSON.stringify(expected));
      assert.equal(seen.length, 300);
    });

    test('a replay given the early job writes what a replay without threads writes', async () => {
      const none = await replay({ threads: 0 });
      startEarlyDecodeThreads(['replay', folder]);
      const started = startEarlyReplayJob([folder]);
      assert.ok(started);
      try {
        const early = await replay({ started, decodePool: { startThread: take } });
        assert.equal(early.out, none.out);
        assert.deepEqual(early.summary, none.summary);
        assert.deepEqual(none.summary, NIGHT_SUMMARY);
      } finally {
        await closeEarlyDecodeThreads();
      }
    });

    test('a job posted while the folders are listed, then completed: taken over, with the output of no threads', async () => {
      const none = await replay({ threads: 0, paths: [split] });
      assert.deepEqual(none.summary, NIGHT_SUMMARY);
      startEarlyDecodeThreads(['replay', split, '--threads', '2']);
      const started = startEarlyReplayJob([split]);
      assert.ok(started);
      try {
        assert.equal(started.job.job.listed, true);
        assert.equal(started.job.job.paths, started.plan.streamed);
        assert.equal(started.plan.streamed.length, 300);
        const early = await replay({ started, paths: [split], decodePool: { startThread: take } });
        assert.equal(early.out, none.out);
        assert.deepEqual(early.summary, none.summary);
      } finally {
        await closeEarlyDecodeThreads();
      }
    });

    test('a job whose threads are not all handed over is stopped, not taken over (its claims would be waited for)', async () => {
      const none = await replay({ threads: 0 });
      startEarlyDecodeThreads(['replay', folder, '--threads', '1']);
      const started = startEarlyReplayJob([folder]);
      assert.ok(started);
      await firstResult(started.job.messages);
      try {
        // The pool starts threads of its own: the early one, holding claims, is not among them.
        const pool = createDecodePool({
          threads: 1,
          startThread: startDecodeThread,
          startedJob: started.job,
        });
        const seen = await decodeAll(pool, started);
        assert.equal(pool.stats.runsBeforeCall, 0);
        assert.equal(seen.length, 300);
        // Other inputs than those listed early: listed again, the same output.
        const other = await replay({ started, paths: [folder, join(folder, 'gw.json')] });
        const again = await replay({ threads: 0, paths: [folder, join(folder, 'gw.json')] });
        assert.equal(other.out, again.out);
        assert.deepEqual(other.summary, again.summary);
        assert.deepEqual(none.summary, NIGHT_SUMMARY);
      } finally {
        await closeEarlyDecodeThreads();
      }
    });

    test('none without early threads, for inputs that cannot be listed, or too few alert files', async () => {
      await closeEarlyDecodeThreads();
      assert.equal(startEarlyReplayJob([folder]), undefined, 'no early threads');
      startEarlyDecodeThreads(['replay', folder, '--threads', '1']);
      try {
        assert.equal(startEarlyReplayJob([join(dir, 'missing')]), undefined);
        assert.equal(
          startEarlyReplayJob([join(folder, 'gw.json'), join(folder, 'alerts-000.avro')]),
          undefined,
        );
        // Posted once the first folder was listed, then a path not found: stopped, not given.
        assert.equal(startEarlyReplayJob([split, join(dir, 'missing')]), undefined);
      } finally {
        await closeEarlyDecodeThreads();
      }
    });
  },
);

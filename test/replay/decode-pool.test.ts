import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildLsstRecords } from '../../scripts/optical/packets.ts';
import type { Worker } from 'node:worker_threads';
import { createDecodePool, type DecodedFile, startDecodeThread } from '../../src/replay/decode-pool.ts';
import { type ReplayOptions, runReplay } from '../../src/replay/replay.ts';
import { startTsWorker } from '../../src/worker-thread.ts';
import { encodeContainer } from '../optical/avro-fixtures.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-decode-pool-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('replay decode threads', { skip: skipUnlessShared() }, async () => {
  // 60 LSST alert files (1 to 3 alerts each, near the S230518h map, around its time), a
  // truncated one, a GW notice in the same folder, and a ZTF sample.
  const folder = join(dir, 'night');
  mkdirSync(folder);
  const { writerType, records } = buildLsstRecords({ count: 120, cutoutBytes: 200, nPrvDiaSources: 2 });
  let k = 0;
  for (let f = 0; f < 60; f++) {
    const count = 1 + (f % 3);
    const batch = records.slice(k, k + count).map((r, i) => ({
      ...r,
      diaSource: {
        ...(r.diaSource as object),
        midpointMjdTai: 60_082.6 + (f * 3 + i) * 0.01,
        ra: 50 + f * 0.5,
        dec: -20,
      },
      diaObject: { ...(r.diaObject as object), firstDiaSourceMjdTai: 60_082.6 + (f * 3 + i) * 0.01 },
    }));
    k += count;
    writeFileSync(
      join(folder, `alerts-${String(f).padStart(3, '0')}.avro`),
      await encodeContainer(writerType, batch),
    );
  }
  const broken = await encodeContainer(writerType, records.slice(0, 1));
  writeFileSync(join(folder, 'alerts-broken.avro'), broken.subarray(0, broken.length - 400));
  writeFileSync(join(folder, 'gw.json'), readFileSync(samplePath('gcn-json/igwn/initial.txt')));
  writeFileSync(join(folder, 'ztf.avro'), readFileSync(samplePath('ztf-avro/ZTF19acihgng.avro')));

  const replay = async (
    threads: number,
    paths = [folder],
    mergeWindow = {},
    filesPerRun?: number,
    decodePool?: ReplayOptions['decodePool'],
  ): Promise<{
    out: string;
    failures: string[];
    summary: object;
    outOfOrder: string[];
    warnings: string[];
  }> => {
    let out = '';
    const failures: string[] = [];
    const outOfOrder: string[] = [];
    const warnings: string[] = [];
    const summary = await runReplay({
      paths,
      mergeWindow,
      ...(filesPerRun === undefined ? {} : { filesPerRun }),
      ...(decodePool === undefined ? {} : { decodePool }),
      onOutOfOrder: (name) => outOfOrder.push(name),
      threads,
      engine: { allowedLatenessSec: 86_400 },
      write: (line) => void (out += line),
      onFailure: (name, message) => failures.push(`${name}: ${message}`),
      onWarning: (name, message) => warnings.push(`${name}: ${message}`),
    });
    return { out, failures, summary, outOfOrder, warnings };
  };

  test('two threads give the same records, decisions and failures as none', async () => {
    const none = await replay(0);
    const two = await replay(2);
    assert.deepEqual(two.summary, none.summary);
    assert.deepEqual(two.failures, none.failures);
    assert.equal(two.out, none.out);
    assert.deepEqual(none.summary, {
      documents: 63,
      notices: 1,
      alerts: 121,
      failures: 1,
      coincidences: none.out.split('\n').length - 1,
    });
    assert.equal(none.failures.length, 1);
    assert.match(none.failures[0] ?? '', /alerts-broken\.avro: AVRO_MALFORMED/);
  });

  test("threads alone: a thread's failure to decode a bad file is reported as the caller reports it", async () => {
    const none = await replay(0);
    // The caller decodes nothing while a thread lives: every file, the broken one too, is a thread's.
    const threads = await replay(2, [folder], {}, 3, { callerDecodes: false });
    assert.deepEqual(threads.failures, none.failures);
    assert.match(threads.failures.join('\n'), /alerts-broken\.avro: AVRO_MALFORMED/);
    assert.deepEqual(threads.summary, none.summary);
    assert.equal(threads.out, none.out);
    assert.deepEqual(threads.warnings, []);
  });

  test('a thread that throws mid-job: its claimed run and the rest are decoded here, with the same output, and the failure is reported', async () => {
    const none = await replay(0);
    // One thread, which decodes its first run, then claims its second and throws; the caller
    // decodes only for threads that failed (callerDecodes false).
    const failing = await replay(1, [folder], {}, 3, {
      callerDecodes: false,
      startThread: (id) =>
        startTsWorker(new URL('./failing-decode-worker.ts', import.meta.url), {
          workerData: { id, failAtRun: 2 },
        }),
    });
    assert.equal(failing.out, none.out);
    assert.deepEqual(failing.summary, none.summary);
    assert.deepEqual(failing.failures, none.failures);
    assert.deepEqual(failing.warnings, [
      'decode thread 1: the thread failed: decode thread 1 fails at its run 2 (test); its files are decoded by the main thread',
    ]);
  });

  test('a thread terminated mid-job: its runs are decoded here, with the same output, and its exit is reported', async () => {
    const none = await replay(0);
    // The real decode thread, terminated as soon as the job is posted to it: it dies wherever it
    // is in the job (claims made or not).
    const startThread = (id: number): Worker => {
      const worker = startDecodeThread(id);
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message: unknown, transfer?: never) => {
        post(message, transfer);
        void worker.terminate();
      };
      return worker;
    };
    const killed = await replay(1, [folder], {}, 1, { callerDecodes: false, startThread });
    assert.equal(killed.out, none.out);
    assert.deepEqual(killed.summary, none.summary);
    assert.deepEqual(killed.failures, none.failures);
    assert.deepEqual(killed.warnings, [
      'decode thread 1: the thread exited; its files are decoded by the main thread',
    ]);
  });

  test('a file out of event-time order: the night is read again and sorted, with the same output', async () => {
    // Named after every other file, its alerts come before all of theirs, already joined by then.
    const late = await encodeContainer(
      writerType,
      records.slice(0, 2).map((r) => ({
        ...r,
        diaSource: { ...(r.diaSource as object), midpointMjdTai: 60_082.3, ra: 60, dec: -20 },
        diaObject: { ...(r.diaObject as object), firstDiaSourceMjdTai: 60_082.3 },
      })),
    );
    const latePath = join(dir, 'zz-late.avro');
    writeFileSync(latePath, late);
    // A window of 2 runs: alerts are released (joined) as soon as 2 later files have come.
    const window = { windowRuns: 2, windowRecords: 1 };
    // One file per run: each file is its own sorted run in the merge.
    const none = await replay(0, [folder, latePath], window, 1);
    const two = await replay(2, [folder, latePath], window, 1);
    // The first file out of order is reported (the folder's 2019 ZTF sample, before zz-late.avro).
    assert.equal(two.outOfOrder.length, 1);
    assert.deepEqual(none.outOfOrder, []);
    assert.deepEqual(two.summary, none.summary);
    assert.deepEqual(two.failures, none.failures);
    assert.equal(two.out, none.out);
  });

  test('the pool hands back every file in input order, and says which are not alert files', async () => {
    const pool = createDecodePool({ threads: 3 });
    const paths = [
      join(folder, 'gw.json'),
      ...Array.from({ length: 20 }, (_, f) => join(folder, `alerts-${String(f).padStart(3, '0')}.avro`)),
    ];
    const seen: Array<[string, DecodedFile]> = [];
    try {
      await pool.decodeFiles(
        paths,
        (path, result, i) => {
          assert.equal(paths[i], path);
          seen.push([path, result]);
        },
        4,
      );
    } finally {
      await pool.close();
    }
    assert.deepEqual(
      seen.map(([path]) => path),
      paths,
    );
    assert.equal(seen[0]?.[1].kind, 'other');
    for (const [f, [, result]] of seen.slice(1).entries()) {
      assert.equal(result.kind, 'alerts');
      if (result.kind === 'alerts') assert.equal(result.alerts.length, 1 + (f % 3));
    }
  });

  test('threads alone (the caller only waits) decode every run, exactly as the caller does', async () => {
    const paths = [
      join(folder, 'gw.json'),
      join(folder, 'alerts-broken.avro'),
      join(folder, 'ztf.avro'),
      ...Array.from({ length: 60 }, (_, f) => join(folder, `alerts-${String(f).padStart(3, '0')}.avro`)),
    ];
    const collect = async (options: Parameters<typeof createDecodePool>[0]) => {
      const pool = createDecodePool(options);
      const seen: DecodedFile[] = [];
      try {
        await pool.decodeFiles(paths, (_path, result) => void seen.push(result), 3);
        return { seen, stats: { ...pool.stats } };
      } finally {
        await pool.close();
      }
    };
    const threads = await collect({ threads: 2, callerDecodes: false });
    const here = await collect({ threads: 0 });
    assert.deepEqual(threads.stats, { runsHere: 0, runsByThreads: 21, runsBeforeCall: 0 });
    assert.deepEqual(here.stats, { runsHere: 21, runsByThreads: 0, runsBeforeCall: 0 });
    assert.equal(JSON.stringify(threads.seen), JSON.stringify(here.seen));
    assert.deepEqual(threads.seen, here.seen);
    assert.deepEqual(
      threads.seen.slice(0, 3).map((r) => r.kind),
      ['other', 'failed', 'alerts'],
    );
  });

  test('onFile returning false stops the pool: no later file is delivered', async () => {
    const pool = createDecodePool({ threads: 2 });
    const paths = Array.from({ length: 40 }, (_, f) =>
      join(folder, `alerts-${String(f).padStart(3, '0')}.avro`),
    );
    const seen: string[] = [];
    try {
      await pool.decodeFiles(
        paths,
        (path) => {
          seen.push(path);
          return seen.length < 5;
        },
        2,
      );
      assert.deepEqual(seen, paths.slice(0, 5));
      // The pool still serves the next call in full.
      const again: string[] = [];
      await pool.decodeFiles(paths.slice(0, 7), (path) => void again.push(path));
      assert.deepEqual(again, paths.slice(0, 7));
    } finally {
      await pool.close();
    }
  });
});

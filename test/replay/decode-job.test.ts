import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DecodeJob,
  type DecodeMessage,
  jobState,
  MAX_STREAMED_RUNS,
  OWNERS,
  receiveJob,
  serveJob,
  STOP,
} from '../../src/replay/decode-job.ts';
import type { PackedFiles } from '../../src/replay/packed-files.ts';

const files = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `night/${String(from + i).padStart(4, '0')}.avro`);

/** Serves `job` as thread `id` would, recording the paths of each run it decodes. */
function serve(job: DecodeJob, id = 1): { runs: number[]; paths: string[][] } {
  const got = { runs: [] as number[], paths: [] as string[][] };
  serveJob(
    job,
    id,
    (paths) => {
      got.paths.push([...paths]);
      return { shapes: [], values: new Float64Array([0]), strings: [], extra: [] } satisfies PackedFiles;
    },
    (message: DecodeMessage) => got.runs.push(message.run),
  );
  return got;
}

describe('decode job in pieces (decode-job.ts: posted while the files are listed)', () => {
  test('while listing, only whole runs are claimed; the rest once every file is listed', () => {
    const state = jobState(MAX_STREAMED_RUNS);
    let job = receiveJob(undefined, {
      job: 0,
      state: state.buffer,
      paths: files(0, 10),
      filesPerRun: 4,
      listed: false,
    });
    assert.ok(job);
    const first = serve(job);
    assert.deepEqual(first.runs, [0, 1], 'files 8 and 9 wait for the run they start');
    assert.deepEqual(first.paths, [files(0, 4), files(4, 8)]);

    job = receiveJob(job, { job: 0, more: files(10, 13), listed: false });
    assert.ok(job);
    assert.deepEqual(serve(job).runs, [2]);
    job = receiveJob(job, { job: 0, more: files(13, 14), listed: true });
    assert.ok(job);
    const last = serve(job);
    assert.deepEqual(last.runs, [3]);
    assert.deepEqual(last.paths, [files(12, 14)]);
    assert.equal(Atomics.load(state, OWNERS + 4), 0, 'nothing claimed past the last run');
    assert.deepEqual(serve(job).runs, [], 'served again: nothing left');
  });

  test("another job's files, and files after the last, are not appended", () => {
    const state = jobState(MAX_STREAMED_RUNS);
    const job = receiveJob(undefined, {
      job: 0,
      state: state.buffer,
      paths: files(0, 2),
      filesPerRun: 2,
      listed: false,
    });
    assert.deepEqual(receiveJob(job, { job: 7, more: files(2, 4), listed: true })?.paths, files(0, 2));
    assert.equal(receiveJob(job, { job: 7, more: files(2, 4), listed: true })?.listed, false);
    const done = receiveJob(job, { job: 0, more: [], listed: true });
    assert.deepEqual(receiveJob(done, { job: 0, more: files(2, 4), listed: true })?.paths, files(0, 2));
    assert.equal(receiveJob(undefined, { job: 0, more: files(0, 2), listed: true }), undefined);
  });

  test('a job whose files are all listed is served whole; a stopped one not at all', () => {
    const whole: DecodeJob = {
      job: 3,
      state: jobState(3).buffer,
      paths: files(0, 5),
      filesPerRun: 2,
      listed: true,
    };
    assert.equal(receiveJob(undefined, whole), whole);
    assert.deepEqual(serve(whole).runs, [0, 1, 2]);
    const stopped: DecodeJob = { ...whole, state: jobState(3).buffer };
    Atomics.store(new Int32Array(stopped.state), STOP, 1);
    assert.deepEqual(serve(stopped).runs, []);
  });

  test('runs claimed by another thread are left to it', () => {
    const state = jobState(MAX_STREAMED_RUNS);
    Atomics.store(state, OWNERS + 1, 2);
    const job = receiveJob(undefined, {
      job: 0,
      state: state.buffer,
      paths: files(0, 9),
      filesPerRun: 3,
      listed: false,
    });
    assert.ok(job);
    assert.deepEqual(serve(job).runs, [0, 2]);
  });
});

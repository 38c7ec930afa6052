/**
 * A replay decode thread that fails mid-job (test/replay/decode-pool.test.ts): it serves jobs as
 * the real one does (decode-worker.ts: the same claims, decoding and packing), and throws once it
 * has claimed its run number `failAtRun` (1-based, counted over the thread's life), so that it
 * dies holding a claimed run that it never posts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { AlertFileReader } from '../../src/replay/decode-file.ts';
import {
  type DecodeJob,
  type DecodeMessage,
  type MoreFiles,
  receiveJob,
  serveJob,
} from '../../src/replay/decode-job.ts';
import { packFiles } from '../../src/replay/packed-files.ts';

const port = parentPort;
if (!port) throw new Error('failing-decode-worker.ts runs in a worker thread');
const { id, failAtRun } = workerData as { id: number; failAtRun: number };
const reader = new AlertFileReader(new OpticalAlertDecoder());
let claimed = 0;
let job: DecodeJob | undefined;

port.on('message', (message: DecodeJob | MoreFiles) => {
  job = receiveJob(job, message);
  if (!job) return;
  serveJob(
    job,
    id,
    (paths) => {
      if (++claimed === failAtRun) throw new Error(`decode thread ${id} fails at its run ${claimed} (test)`);
      return packFiles(paths.map((path) => reader.decode(path)));
    },
    (message: DecodeMessage) => {
      port.postMessage(message);
    },
  );
});

/** The thread side of the replay's decode pool (decode-pool.ts): claims runs of a job, posts their results packed. */
import { parentPort, workerData } from 'node:worker_threads';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { AlertFileReader } from './decode-file.ts';
import { type DecodeJob, type DecodeMessage, type MoreFiles, receiveJob, serveJob } from './decode-job.ts';
import { packFiles } from './packed-files.ts';

const port = parentPort;
if (!port) throw new Error('decode-worker.ts runs in a worker thread');
const { id } = workerData as { id: number };
const reader = new AlertFileReader(new OpticalAlertDecoder());

/** The job being served, with the files received so far (a job may come in pieces: decode-job.ts). */
let job: DecodeJob | undefined;

port.on('message', (message: DecodeJob | MoreFiles) => {
  job = receiveJob(job, message);
  if (!job) return;
  serveJob(
    job,
    id,
    (paths) => packFiles(paths.map((path) => reader.decode(path))),
    (message: DecodeMessage) => {
      port.postMessage(message);
    },
  );
});

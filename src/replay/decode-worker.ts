/** The thread side of the replay's decode pool (decode-pool.ts): claims runs of a job, posts their results packed. */
import { parentPort, workerData } from 'node:worker_threads';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { AlertFileReader } from './decode-file.ts';
import { type DecodeJob, type DecodeMessage, serveJob } from './decode-job.ts';
import { packFiles } from './packed-files.ts';

const port = parentPort;
if (!port) throw new Error('decode-worker.ts runs in a worker thread');
const { id } = workerData as { id: number };
const reader = new AlertFileReader(new OpticalAlertDecoder());

port.on('message', (job: DecodeJob) => {
  serveJob(
    job,
    id,
    (paths) => packFiles(paths.map((path) => reader.decode(path))),
    (message: DecodeMessage) => {
      port.postMessage(message);
    },
  );
});

/** The thread side of the replay's decode pool (decode-pool.ts). */
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { serveThreadRequests } from '../worker-thread.ts';
import { decodeAlertFile } from './decode-file.ts';

const decoder = new OpticalAlertDecoder();

serveThreadRequests((paths: string[]) => paths.map((path) => decodeAlertFile(path, decoder)));

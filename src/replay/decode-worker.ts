/** The thread side of the replay's decode pool (decode-pool.ts). */
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { serveThreadRequests } from '../worker-thread.ts';
import { AlertFileReader } from './decode-file.ts';

const reader = new AlertFileReader(new OpticalAlertDecoder());

serveThreadRequests((paths: string[]) => paths.map((path) => reader.decode(path)));

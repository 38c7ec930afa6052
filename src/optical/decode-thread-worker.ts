/**
 * The optical decode thread (see decode-thread.ts): an OpticalAlertDecoder of its own decodes the
 * messages of one Kafka batch per request, answered in the order asked.
 */
import { workerData } from 'node:worker_threads';
import { isCoincideError } from '../errors.ts';
import { serveThreadRequests } from '../worker-thread.ts';
import { OpticalAlertDecoder } from './alert-decoder.ts';
import type { DecodeThreadConfig, DecodedMessage } from './decode-thread.ts';

const decoder = new OpticalAlertDecoder(workerData as DecodeThreadConfig);

serveThreadRequests((values: Uint8Array[]): DecodedMessage[] =>
  values.map((value): DecodedMessage => {
    try {
      const alerts = decoder.decodeMessageSync(value);
      return alerts === undefined ? { kind: 'main' } : { kind: 'alerts', alerts };
    } catch (error) {
      return isCoincideError(error) && !error.retriable
        ? { kind: 'error', code: error.code, message: error.message }
        : { kind: 'main' }; // anything else is decided by the main thread's decoder
    }
  }),
);

/**
 * One optical alert file, read and decoded (projected Avro: no cutouts, no histories), as the
 * replay's decode threads do it (decode-pool.ts). A file that is not an optical alert file is
 * returned as `other`, for the notice parsers of the calling thread.
 */
import { readFileSync } from 'node:fs';
import { describeError } from '../errors.ts';
import type { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { isAvroContainer } from '../optical/avro-container.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';

/** One file as a thread saw it: its alerts, not an optical alert file, or why it failed. */
export type DecodedFile =
  { kind: 'alerts'; alerts: OpticalAlert[] } | { kind: 'other' } | { kind: 'failed'; message: string };

export function decodeAlertFile(path: string, decoder: OpticalAlertDecoder): DecodedFile {
  try {
    const bytes = readFileSync(path);
    if (!path.toLowerCase().endsWith('.avro') && !isAvroContainer(bytes)) return { kind: 'other' };
    // Undefined: a Confluent-framed record whose schema needs a registry; the caller's decoder says so.
    const alerts = decoder.decodeMessageSync(bytes);
    return alerts ? { kind: 'alerts', alerts } : { kind: 'other' };
  } catch (error) {
    return { kind: 'failed', message: describeError(error) };
  }
}

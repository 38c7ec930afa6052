/**
 * Optical alert decoding in a worker thread, for the Kafka source (issue 14: decode in a pool
 * where it pays). The main thread runs kafkajs (fetching and parsing responses) and the join; the
 * decoding of a prefetched batch runs meanwhile on another core. One request per Kafka batch
 * (its message values copied to the thread in one message), answered in order.
 *
 * The thread decodes what needs no schema registry: Avro containers (ZTF, which carry their
 * schema) and Confluent-framed records whose schema it compiled already (never, without a
 * registry: those are answered `main`, for the main thread's decoder, which has the registry).
 * A message the thread cannot decode for a reason that may not be the message's (anything but a
 * coded, non-retriable decode error) is answered `main` too, so verdicts stay the main decoder's.
 */
import type { ErrorCode } from '../errors.ts';
import { CoincideError } from '../errors.ts';
import { ownCopy, startThreadClient } from '../worker-thread.ts';
import type { ZtfMappingOptions } from './ztf-alert.ts';
import type { OpticalAlert } from './optical-alert.ts';

/** What the thread's decoder is built with (structured-clonable OpticalDecoderOptions). */
export interface DecodeThreadConfig {
  projected: boolean;
  ztf?: ZtfMappingOptions;
}

export type DecodedMessage =
  | { kind: 'alerts'; alerts: OpticalAlert[] }
  | { kind: 'error'; code: ErrorCode; message: string }
  | { kind: 'main' };

export interface DecodeThread {
  /** Decodes the values of one batch, in order (a null value is answered `main`). */
  decode(values: ReadonlyArray<Uint8Array | null>): Promise<DecodedMessage[]>;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createDecodeThread(config: DecodeThreadConfig): DecodeThread {
  const thread = startThreadClient<Uint8Array[], DecodedMessage[]>(
    new URL('./decode-thread-worker.ts', import.meta.url),
    {
      workerData: config,
      requestFailed: (message, code) => new CoincideError(code ?? 'AVRO_MALFORMED', message),
      threadFailed: (reason, cause) =>
        new CoincideError('AVRO_MALFORMED', `optical decode thread: ${reason}`, { cause, retriable: true }),
    },
  );
  return {
    async decode(values) {
      const present = values.filter((v): v is Uint8Array => v !== null).map((v) => ownCopy(v));
      const answers = await thread.call(
        present,
        present.map((v) => v.buffer),
      );
      let next = 0;
      return values.map((v): DecodedMessage =>
        v === null ? { kind: 'main' } : (answers[next++] ?? { kind: 'main' }),
      );
    },
    ready: () => thread.ready(),
    close: () => thread.close(),
  };
}

/**
 * Schema validation in a worker thread, for the ingest path of the service.
 *
 * Why: validating one submission (the XML guard, then libxml2 against the XSD) costs about as
 * much CPU as everything else the receiver does for it (accept, framing, classification, hashing,
 * the ack) put together. In the calling thread it queues every other connection behind it; in a
 * thread of its own it runs on another core while the main thread accepts, frames and acks. The
 * verdicts are those of voevent/schema-validator.ts, which runs unchanged in the thread.
 *
 * Cost: a copy of the document to the thread (a few kB) and one message each way. Requests are
 * answered in order; a failed thread fails every request with SCHEMA_UNAVAILABLE, never a verdict.
 */
import { CoincideError } from '../errors.ts';
import type { SchemaVerdict } from '../voevent/schema-validator.ts';
import { ownCopy, startThreadClient } from '../worker-thread.ts';

export interface ThreadedSchemaValidator {
  validate(xml: Uint8Array): Promise<SchemaVerdict>;
  /** Resolves once the thread has compiled the schemas; rejects with SCHEMA_UNAVAILABLE if it failed. */
  ready(): Promise<void>;
  /** Stops the thread; later calls fail with SCHEMA_UNAVAILABLE. */
  close(): Promise<void>;
}

export function createThreadedSchemaValidator(): ThreadedSchemaValidator {
  const thread = startThreadClient<Uint8Array, SchemaVerdict>(
    new URL('./validation-thread-worker.ts', import.meta.url),
    {
      requestFailed: (message) =>
        new CoincideError('SCHEMA_UNAVAILABLE', `schema validation failed: ${message}`),
      threadFailed: (reason, cause) =>
        new CoincideError('SCHEMA_UNAVAILABLE', `schema validation: ${reason}`, { cause }),
    },
  );
  return {
    validate: (bytes) => {
      const own = ownCopy(bytes);
      return thread.call(own, [own.buffer]);
    },
    ready: () => thread.ready(),
    close: () => thread.close(),
  };
}

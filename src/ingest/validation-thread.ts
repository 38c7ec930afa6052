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
import { startTsWorker } from '../worker-thread.ts';
import type { ValidationReply, ValidationRequest } from './validation-thread-worker.ts';

export interface ThreadedSchemaValidator {
  validate(xml: Uint8Array): Promise<SchemaVerdict>;
  /** Stops the thread; later calls fail with SCHEMA_UNAVAILABLE. */
  close(): Promise<void>;
}

export function createThreadedSchemaValidator(): ThreadedSchemaValidator {
  const worker = startTsWorker(new URL('./validation-thread-worker.ts', import.meta.url));
  // Only while documents are being validated does the thread keep the process alive.
  worker.unref();
  const pending = new Map<number, { resolve: (v: SchemaVerdict) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let failure: CoincideError | undefined;
  let closed = false;

  const failAll = (error: CoincideError): void => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    worker.unref();
  };
  worker.on('message', (reply: ValidationReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve(reply.verdict);
    else p.reject(new CoincideError('SCHEMA_UNAVAILABLE', `schema validation failed: ${reply.message}`));
  });
  worker.on('error', (cause) => {
    failAll(new CoincideError('SCHEMA_UNAVAILABLE', 'the schema validation thread failed', { cause }));
  });
  worker.on('exit', (code) => {
    failAll(new CoincideError('SCHEMA_UNAVAILABLE', `the schema validation thread exited (${code})`));
  });

  return {
    validate(bytes) {
      if (closed)
        return Promise.reject(new CoincideError('SCHEMA_UNAVAILABLE', 'the schema validator is closed'));
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<SchemaVerdict>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        const request: ValidationRequest = { id, bytes };
        worker.postMessage(request);
      });
    },
    async close() {
      closed = true;
      await worker.terminate();
    },
  };
}

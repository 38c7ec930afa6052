/**
 * The schema validation thread (see validation-thread.ts): the project's validator
 * (voevent/schema-validator.ts, schemas compiled once in this thread), one document per request,
 * answered in the order asked.
 */
import { parentPort } from 'node:worker_threads';
import { createSchemaValidator, type SchemaVerdict } from '../voevent/schema-validator.ts';

export interface ValidationRequest {
  id: number;
  bytes: Uint8Array;
}

export type ValidationReply =
  { id: number; ok: true; verdict: SchemaVerdict } | { id: number; ok: false; message: string };

const port = parentPort;
if (port) {
  const validator = createSchemaValidator();
  port.on('message', (request: ValidationRequest) => {
    let reply: ValidationReply;
    try {
      reply = { id: request.id, ok: true, verdict: validator.validateSync(request.bytes) };
    } catch (error) {
      reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

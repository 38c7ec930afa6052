/**
 * The schema validation thread (see validation-thread.ts): the project's validator
 * (voevent/schema-validator.ts, schemas compiled once in this thread), one document per request,
 * answered in the order asked.
 */
import { createSchemaValidator, type SchemaVerdict } from '../voevent/schema-validator.ts';
import { serveThreadRequests } from '../worker-thread.ts';

const validator = createSchemaValidator();
serveThreadRequests((bytes: Uint8Array): SchemaVerdict => validator.validateSync(bytes));

/**
 * JSON Schema fragments shared by the route modules (validated by fastify, published in the
 * OpenAPI document).
 */
export const MAX_LIMIT = 10_000;
export const DEFAULT_LIMIT = 1000;

/** Every authenticated route also takes the token as a query parameter (for clients that cannot set headers). */
export const tokenQuery = {
  token: {
    type: 'string',
    description: 'The bearer token, for clients that cannot send an Authorization header.',
  },
} as const;

export const limitQuery = {
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `At most this many items (1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}).`,
  },
} as const;

export const seqQuery = (description: string) =>
  ({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description }) as const;

/** The stream records of the REST API: `[{seq, type, data}]`, oldest first. */
export const recordsResponse = {
  description:
    'Records in stream order: `[{"seq","type","data"}]`, the same messages as the WebSocket stream.',
  content: { 'application/json': { schema: { type: 'array' } } },
} as const;

export const errorResponse = (description: string) =>
  ({
    description: `${description} Body: {"error":{"code","message"}}.`,
    content: { 'application/json': { schema: { type: 'object' } } },
  }) as const;

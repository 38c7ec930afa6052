/**
 * GET /v1/notices?after=&limit=      latest notices (every version), oldest first
 * GET /v1/notices/{triggerId}?limit= every stored version of one trigger, oldest first
 */
import { canSeeNotice, seesEverything } from '../../auth/access.ts';
import type { RoutePlugin } from '../server.ts';
import { CoincideError } from '../../errors.ts';
import type { Notice } from '../../notices/notice.ts';
import { toJson, type Outbox } from '../../sinks/outbox.ts';
import { recordsBody, sendJsonText, visibleRecords } from './records.ts';
import { errorResponse, limitQuery, recordsResponse, seqQuery, tokenQuery } from './schemas.ts';

export interface NoticeRoutesOptions {
  outbox: Outbox;
  /** Every stored version of one trigger, oldest first, when an event store is wired. */
  noticesByTriggerId?: (triggerId: string) => Notice[];
}

export function noticeRoutes(options: NoticeRoutesOptions): RoutePlugin {
  const { outbox } = options;
  return (app) => {
    app.get<{ Querystring: { after: number; limit: number } }>(
      '/v1/notices',
      {
        config: { scope: 'notices' },
        schema: {
          summary: 'Notices in stream order',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              after: { ...seqQuery('Only notices with seq > after.'), default: 0 },
              ...limitQuery,
              ...tokenQuery,
            },
          },
          response: {
            200: recordsResponse,
            400: errorResponse('Bad query.'),
            401: errorResponse('No valid token.'),
          },
        },
      },
      async (request, reply) => {
        const { after, limit } = request.query;
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        return sendJsonText(
          reply,
          recordsBody(visibleRecords(outbox, access, { types: ['notice'], afterSeq: after }, limit)),
        );
      },
    );

    app.get<{ Params: { triggerId: string }; Querystring: { limit: number } }>(
      '/v1/notices/:triggerId',
      {
        config: { scope: 'notices' },
        schema: {
          summary: 'Every version of one trigger',
          params: {
            type: 'object',
            properties: {
              triggerId: {
                type: 'string',
                minLength: 1,
                maxLength: 512,
                description: 'e.g. Fermi:716111594 (URL-encoded: Fermi%3A716111594)',
              },
            },
            required: ['triggerId'],
          },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...limitQuery, ...tokenQuery },
          },
          response: {
            200: {
              description:
                'Every stored version, oldest first (the notices themselves, or stream records when no event store is wired).',
              content: { 'application/json': { schema: { type: 'array' } } },
            },
            404: errorResponse('No notice of this trigger that the token may see.'),
          },
        },
      },
      async (request, reply) => {
        const { triggerId } = request.params;
        const { limit } = request.query;
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        const notFound = (): never => {
          throw new CoincideError('NOT_FOUND', `no notice for trigger ${triggerId}`);
        };
        if (options.noticesByTriggerId) {
          const all = options.noticesByTriggerId(triggerId);
          const visible = seesEverything(access) ? all : all.filter((n) => canSeeNotice(access.limits, n));
          if (visible.length === 0) notFound();
          return sendJsonText(reply, toJson(visible.slice(0, limit)));
        }
        const records = visibleRecords(outbox, access, { types: ['notice'], triggerId }, limit);
        if (records.length === 0) notFound();
        return sendJsonText(reply, recordsBody(records));
      },
    );
  };
}

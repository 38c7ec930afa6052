/**
 * GET /v1/notices?after=&limit=      latest notices (every version), oldest first
 * GET /v1/notices?<archive query>    archive search (src/archive/query-params.ts): filters,
 *                                    positions, cursor pages; JSON, CSV or raw events
 * POST /v1/notices?moc=&…            the same, with the IVOA MOC (ASCII or JSON) as the body
 * GET /v1/notices/{triggerId}?limit= every stored version of one trigger, oldest first
 */
import { canSeeNotice, seesEverything } from '../../auth/access.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { archiveQuerySchema, archiveResponse, isArchiveQuery, type QueryValues } from '../../archive/rest.ts';
import type { ArchiveSearch } from '../../archive/search.ts';
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
  /** The archive search, when wired: GET /v1/notices with archive parameters. */
  archive?: ArchiveSearch;
}

type ArchiveQueryString = QueryValues & { after: number; limit: number };

/** The archive search answer, only with the notices the token may see. */
function sendArchive(
  archive: ArchiveSearch,
  request: FastifyRequest<{ Querystring: ArchiveQueryString }>,
  reply: FastifyReply,
  body?: string,
): FastifyReply {
  const access = request.access;
  if (access === undefined) throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
  const answer = archiveResponse(archive, request.query, {
    path: '/v1/notices',
    ...(body === undefined ? {} : { body }),
    ...(seesEverything(access)
      ? {}
      : { visible: (json: string) => canSeeNotice(access.limits, JSON.parse(json) as Notice) }),
  });
  return reply.type(answer.contentType).headers(answer.headers).send(answer.body);
}

export function noticeRoutes(options: NoticeRoutesOptions): RoutePlugin {
  const { outbox } = options;
  return (app) => {
    const querystring = {
      type: 'object',
      additionalProperties: false,
      properties: {
        after: { ...seqQuery('Only notices with seq > after (stream listing).'), default: 0 },
        ...limitQuery,
        ...tokenQuery,
        ...(options.archive ? archiveQuerySchema() : {}),
      },
    };
    app.get<{ Querystring: ArchiveQueryString }>(
      '/v1/notices',
      {
        config: { scope: 'notices' },
        schema: {
          summary: options.archive
            ? 'Notices in stream order, or an archive search (with any archive parameter)'
            : 'Notices in stream order',
          querystring,
          response: {
            200: recordsResponse,
            400: errorResponse('Bad query.'),
            401: errorResponse('No valid token.'),
          },
        },
      },
      async (request, reply) => {
        if (options.archive && isArchiveQuery(request.query))
          return sendArchive(options.archive, request, reply);
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

    const archive = options.archive;
    if (archive) {
      app.post<{ Querystring: ArchiveQueryString; Body: unknown }>(
        '/v1/notices',
        {
          config: { scope: 'notices' },
          bodyLimit: 16 * 1024 * 1024,
          schema: {
            summary: 'Archive search with an IVOA MOC in the body (moc= empty in the query)',
            querystring,
            response: {
              400: errorResponse('Bad query or MOC.'),
              401: errorResponse('No valid token.'),
            },
          },
        },
        async (request, reply) => {
          const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? '');
          return sendArchive(archive, request, reply, body);
        },
      );
    }

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

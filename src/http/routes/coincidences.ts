/**
 * GET /v1/coincidences?since=&tier=&pairType=&limit=  coincidences and withdrawals, oldest first;
 * since = a seq (integer) or an ISO 8601 time; pairType = mm-optical, mm-mm or mm-mm-optical
 * (triples, linked to their pair records by `pairIds`).
 */
import type { RoutePlugin } from '../server.ts';
import { CoincideError } from '../../errors.ts';
import type { Outbox } from '../../sinks/outbox.ts';
import { recordsBody, sendJsonText, visibleRecords } from './records.ts';
import { errorResponse, limitQuery, recordsResponse, tokenQuery } from './schemas.ts';

const TIERS = ['gold', 'silver', 'bronze'] as const;
const PAIR_TYPES = ['mm-optical', 'mm-mm', 'mm-mm-optical'] as const;

export function coincidenceRoutes(options: { outbox: Outbox }): RoutePlugin {
  const { outbox } = options;
  return (app) => {
    app.get<{
      Querystring: {
        since?: string;
        tier?: (typeof TIERS)[number];
        pairType?: (typeof PAIR_TYPES)[number];
        limit: number;
      };
    }>(
      '/v1/coincidences',
      {
        config: { scope: 'coincidences' },
        schema: {
          summary: 'Coincidences and withdrawals in stream order',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              since: {
                type: 'string',
                maxLength: 64,
                description:
                  'A seq (only records with seq > since) or an ISO 8601 time (records created since).',
              },
              tier: { type: 'string', enum: [...TIERS] },
              pairType: {
                type: 'string',
                enum: [...PAIR_TYPES],
                description:
                  'mm-optical, mm-mm, or mm-mm-optical (triples: a messenger pair and an optical object).',
              },
              ...limitQuery,
              ...tokenQuery,
            },
          },
          response: { 200: recordsResponse, 400: errorResponse('Bad query.') },
        },
      },
      async (request, reply) => {
        const { since, tier, pairType, limit } = request.query;
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        let afterSeq = 0;
        let sinceMs: number | undefined;
        if (since !== undefined) {
          if (/^\d+$/.test(since)) afterSeq = Number(since);
          else {
            sinceMs = Date.parse(since);
            if (Number.isNaN(sinceMs))
              throw new CoincideError('BAD_REQUEST', 'since must be a seq or an ISO 8601 time');
          }
        }
        const records = visibleRecords(
          outbox,
          access,
          { types: ['coincidence', 'withdrawn'], afterSeq, sinceMs },
          limit,
          tier === undefined && pairType === undefined
            ? undefined
            : (data) => {
                const c = data as { tier?: unknown; pairType?: unknown };
                return (
                  (tier === undefined || c.tier === tier) &&
                  (pairType === undefined || c.pairType === pairType)
                );
              },
        );
        return sendJsonText(reply, recordsBody(records));
      },
    );
  };
}

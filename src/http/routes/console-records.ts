/**
 * GET /console/records?limit=N  the web console's first load: the notices and coincidences of
 * GET /v1/notices and GET /v1/coincidences (the same records, order, limits and per-token
 * visibility), with only the fields the live list and the sky view read, in one response:
 *
 *   {"notices": [{seq, type, data}], "coincidences": [{seq, type, data}]}
 *
 * Left out: a notice's `params` (every VOEvent Param), a coincidence's `provenance` and
 * `explanation`, and the counterpart's alert details; the trigger page reads the full records
 * from /v1. With 10,000 coincidences this is about a third of the bytes to send and parse
 * (bench/console.ts). Each half needs its scope (notices, coincidences); without it, it is empty.
 * Not in the OpenAPI document: an internal call of the console, like /console/app.js.
 */
import { hasScope } from '../../auth/access.ts';
import { CoincideError } from '../../errors.ts';
import type { Outbox, OutboxRecord } from '../../sinks/outbox.ts';
import type { RoutePlugin } from '../server.ts';
import { sendJsonText, visibleRecords } from './records.ts';
import { limitQuery, tokenQuery } from './schemas.ts';

const NOTICE_DROPPED = new Set(['params']);
const COINCIDENCE_DROPPED = new Set(['provenance', 'explanation']);
/** What the list and the sky read of a counterpart (an optical object, or another trigger). */
const COUNTERPART_KEPT = [
  'survey',
  'objectId',
  'raDeg',
  'decDeg',
  'triggerId',
  'messenger',
  'observatory',
  'noticeType',
  'eventName',
  'triggerTime',
];

function compactCoincidence(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (COINCIDENCE_DROPPED.has(key)) continue;
    if (key === 'counterpart' && value !== null && typeof value === 'object') {
      const side = value as Record<string, unknown>;
      const kept: Record<string, unknown> = {};
      for (const name of COUNTERPART_KEPT) if (side[name] !== undefined) kept[name] = side[name];
      out[key] = kept;
    } else out[key] = value;
  }
  return out;
}

function compactNotice(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!NOTICE_DROPPED.has(key)) out[key] = value;
  return out;
}

/** How many compacted records are kept in memory (outbox records never change once written). */
export const COMPACT_CACHE_RECORDS = 50_000;

/**
 * The records as the console's JSON, each `data` compacted. A record's compact text is computed
 * once (JSON.parse and JSON.stringify of 10,000 records is most of this call's time) and kept
 * in `cache` by seq, the oldest dropped first beyond COMPACT_CACHE_RECORDS.
 */
export function consoleRecordsBody(records: readonly OutboxRecord[], cache: Map<number, string>): string {
  return `[${records
    .map((r) => {
      let text = cache.get(r.seq);
      if (text === undefined) {
        const data = JSON.parse(r.json) as Record<string, unknown>;
        const compact = r.type === 'notice' ? compactNotice(data) : compactCoincidence(data);
        text = `{"seq":${r.seq},"type":"${r.type}","data":${JSON.stringify(compact)}}`;
        if (cache.size >= COMPACT_CACHE_RECORDS) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(r.seq, text);
      }
      return text;
    })
    .join(',')}]`;
}

export function consoleRecordRoutes(options: { outbox: Outbox }): RoutePlugin {
  const { outbox } = options;
  const cache = new Map<number, string>();
  return (app) => {
    app.get<{ Querystring: { limit: number } }>(
      '/console/records',
      {
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...limitQuery, ...tokenQuery },
          },
        },
      },
      async (request, reply) => {
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        const { limit } = request.query;
        const notices = hasScope(access, 'notices')
          ? visibleRecords(outbox, access, { types: ['notice'] }, limit)
          : [];
        const coincidences = hasScope(access, 'coincidences')
          ? visibleRecords(outbox, access, { types: ['coincidence', 'withdrawn'] }, limit)
          : [];
        return sendJsonText(
          reply,
          `{"notices":${consoleRecordsBody(notices, cache)},"coincidences":${consoleRecordsBody(coincidences, cache)}}`,
        );
      },
    );
  };
}

/**
 * GET /console/records?limit=N[&beforeSeq=S][&related=true]  the web console's load, newest
 * first, one page at a time: the newest `limit` stream records (notices, coincidences,
 * withdrawals) with seq < S that the token may see (per-token visibility as GET /v1/notices and
 * GET /v1/coincidences; each type needs its scope: notices, coincidences), compacted
 * (src/http/routes/console-compact.ts):
 *
 *   {"records": [{seq, type, data}, …newest first], "related": [{seq, type, data}, …]}
 *
 * With `related`, the page also brings, for each trigger its coincidences name (trigger,
 * counterpart, partners) that has no notice in the page, the trigger's latest older notice: the
 * console draws the first page's regions and counterpart positions at once instead of when the
 * older pages come. The next page is `beforeSeq` = the last record's seq.
 * Not in the OpenAPI document: an internal call of the console, like /console/app.js.
 */
import { hasScope, seesEverything } from '../../auth/access.ts';
import type { TokenInfo } from '../../auth/tokens.ts';
import { CoincideError } from '../../errors.ts';
import type { Outbox, OutboxMessageType } from '../../sinks/outbox.ts';
import type { RoutePlugin } from '../server.ts';
import {
  createCompactRecords,
  warmCompactRecords,
  type CompactRecord,
  type CompactRecords,
} from './console-compact.ts';
import { sendJsonText, visibleRecords } from './records.ts';
import { limitQuery, seqQuery, tokenQuery } from './schemas.ts';

/** How many of the newest records are compacted in the background at start-up (web/main.ts loads at most 20,000). */
export const WARM_RECORDS = 20_000;

function typesFor(access: TokenInfo): OutboxMessageType[] {
  return [
    ...(hasScope(access, 'notices') ? (['notice'] as const) : []),
    ...(hasScope(access, 'coincidences') ? (['coincidence', 'withdrawn'] as const) : []),
  ];
}

/** The latest notice older than `beforeSeq` of each trigger named by the page's coincidences and absent from it. */
function relatedNotices(
  outbox: Outbox,
  access: TokenInfo,
  page: readonly CompactRecord[],
  beforeSeq: number,
  compact: CompactRecords,
): CompactRecord[] {
  const have = new Set<string>();
  for (const r of page) if (r.type === 'notice') for (const id of r.triggerIds) have.add(id);
  const wanted = new Set<string>();
  for (const r of page) {
    if (r.type === 'notice') continue;
    for (const id of r.triggerIds) if (!have.has(id)) wanted.add(id);
  }
  if (wanted.size === 0) return [];
  if (seesEverything(access)) {
    // One query: the latest notice of each trigger (a token without limits sees every one).
    return outbox
      .query({
        types: ['notice'],
        triggerIds: [...wanted],
        latestPerTrigger: true,
        beforeSeq,
        limit: wanted.size,
      })
      .map((r) => compact.get(r));
  }
  // The latest notice the token may see, trigger by trigger.
  const out: CompactRecord[] = [];
  for (const triggerId of wanted) {
    const [latest] = visibleRecords(
      outbox,
      access,
      { types: ['notice'], triggerId, beforeSeq, newestFirst: true },
      1,
    );
    if (latest !== undefined) out.push(compact.get(latest));
  }
  return out;
}

export function consoleRecordRoutes(options: { outbox: Outbox; warmRecords?: number }): RoutePlugin {
  const { outbox } = options;
  const compact = createCompactRecords();
  return (app) => {
    const stopWarming = new AbortController();
    app.addHook('onClose', (_instance, done) => {
      stopWarming.abort();
      done();
    });
    app.addHook('onReady', (done) => {
      // In the background: the server answers meanwhile (a first load compacts what is not ready).
      void warmCompactRecords(outbox, compact, {
        maxRecords: options.warmRecords ?? WARM_RECORDS,
        signal: stopWarming.signal,
      });
      done();
    });
    app.get<{ Querystring: { limit: number; beforeSeq?: number; related?: boolean } }>(
      '/console/records',
      {
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...limitQuery,
              beforeSeq: seqQuery('Only records with a lower seq (the next page: the last seq received).'),
              related: { type: 'boolean', default: false },
              ...tokenQuery,
            },
          },
        },
      },
      async (request, reply) => {
        const access = request.access;
        if (access === undefined)
          throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
        const { limit, beforeSeq, related } = request.query;
        const types = typesFor(access);
        const page =
          types.length === 0
            ? []
            : visibleRecords(
                outbox,
                access,
                { types, newestFirst: true, ...(beforeSeq === undefined ? {} : { beforeSeq }) },
                limit,
              ).map((r) => compact.get(r));
        const oldest = page.at(-1);
        const extra =
          related && oldest !== undefined && hasScope(access, 'notices')
            ? relatedNotices(outbox, access, page, oldest.seq, compact)
            : [];
        return sendJsonText(
          reply,
          `{"records":[${page.map((r) => r.text).join(',')}],"related":[${extra.map((r) => r.text).join(',')}]}`,
        );
      },
    );
  };
}

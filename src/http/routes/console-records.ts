/**
 * GET /console/records?limit=N[&beforeSeq=S][&related=true]  the web console's load, newest
 * first, one page at a time: the newest `limit` stream records (notices, coincidences,
 * withdrawals) with seq < S that the token may see (per-token visibility as GET /v1/notices and
 * GET /v1/coincidences; each type needs its scope: notices, coincidences), compacted
 * (src/http/routes/console-compact.ts):
 *
 *   {"records": [{seq, type, data}, …newest first], "related": [{seq, type, data}, …], "more": bool,
 *    "nextBeforeSeq": seq | null}
 *
 * With `related`, the page also brings, for each trigger its coincidences name (trigger,
 * counterpart, partners) that has no notice in the page, the trigger's latest older notice: the
 * console draws the first page's regions and counterpart positions at once instead of when the
 * older pages come. The next page is `beforeSeq` = `nextBeforeSeq` (the page's oldest seq: the
 * last record's, unless it was skipped); `more` says whether it has any record. `limit` goes up
 * to 20,000 (the console asks for its older records in one call). `skip` names records the caller
 * already holds (a seq list, src/text/seq-list.ts): they are left out of the answer but count in
 * `limit`, so paging is the same with and without it.
 * Not in the OpenAPI document: an internal call of the console, like /console/app.js.
 */
import { hasScope, seesEverything } from '../../auth/access.ts';
import type { TokenInfo } from '../../auth/tokens.ts';
import { CoincideError } from '../../errors.ts';
import type { Outbox, OutboxMessageType } from '../../sinks/outbox.ts';
import type { RoutePlugin } from '../server.ts';
import {
  createCompactRecords,
  latestNoticesQuery,
  triggersWithoutNotice,
  warmCompactRecords,
  type CompactRecord,
  type CompactRecords,
} from './console-compact.ts';
import { sendJsonText, visibleRecords } from './records.ts';
import { decodeSeqList } from '../../text/seq-list.ts';
import { DEFAULT_LIMIT, seqQuery, tokenQuery } from './schemas.ts';

/** The console's first call's `limit` (FIRST_PAGE in web/first-page.ts): its records are compacted first at start-up. */
export const CONSOLE_FIRST_PAGE = 1000;
/** How many of the newest records are compacted in the background at start-up (web/main.ts loads at most 20,000). */
export const WARM_RECORDS = 20_000;
/** The most records one call returns: the console's older records come in one call (MAX_RECORDS in web/main.ts). */
export const CONSOLE_MAX_LIMIT = WARM_RECORDS;
/** The longest `skip` list taken (characters; a request head may hold 16 KiB). */
export const MAX_SKIP_CHARS = 12_000;
/** Rows read per outbox query (the outbox returns at most 10,000 at a time). */
export const QUERY_ROWS = 10_000;

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
  const wanted = triggersWithoutNotice(page);
  if (wanted.size === 0) return [];
  if (seesEverything(access)) {
    // One query: the latest notice of each trigger (a token without limits sees every one); its
    // keys first, and the rows with their JSON only when the compact cache lacks one.
    const query = latestNoticesQuery(wanted, beforeSeq);
    const cached = outbox.query({ ...query, withoutJson: true }).map((key) => compact.peek(key.seq));
    if (cached.every((r) => r !== undefined)) return cached;
    return outbox.query(query).map((r) => compact.get(r));
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

/**
 * The newest `limit` records before `beforeSeq` that the token may see, compacted. A token without
 * limits sees every record: the page's keys are read first (no JSON), and the records come from
 * the compact cache when it has them all (after the start-up warm-up, always), so a page of
 * 10,000 costs a key query and a string join instead of reading and parsing 10 MB of JSON.
 */
export function compactPage(
  outbox: Outbox,
  access: TokenInfo,
  query: { types: readonly OutboxMessageType[]; beforeSeq?: number },
  limit: number,
  compact: CompactRecords,
  rowsPerQuery = QUERY_ROWS,
): CompactRecord[] {
  if (query.types.length === 0) return [];
  if (!seesEverything(access)) {
    return visibleRecords(outbox, access, { ...query, newestFirst: true }, limit).map((r) => compact.get(r));
  }
  const page: CompactRecord[] = [];
  let beforeSeq = query.beforeSeq;
  while (page.length < limit) {
    const rows = Math.min(rowsPerQuery, limit - page.length);
    const step = {
      types: query.types,
      newestFirst: true,
      limit: rows,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    };
    const keys = outbox.query({ ...step, withoutJson: true });
    const cached = keys.map((key) => compact.peek(key.seq));
    if (cached.every((r) => r !== undefined)) page.push(...cached);
    else page.push(...outbox.query(step).map((r) => compact.get(r)));
    const last = keys.at(-1);
    if (last === undefined || keys.length < rows) break;
    beforeSeq = last.seq;
  }
  return page;
}

/** Whether the token may see any record before `beforeSeq`. */
function hasOlder(outbox: Outbox, access: TokenInfo, types: OutboxMessageType[], beforeSeq: number): boolean {
  if (seesEverything(access))
    return outbox.query({ types, newestFirst: true, beforeSeq, limit: 1, withoutJson: true }).length > 0;
  return visibleRecords(outbox, access, { types, newestFirst: true, beforeSeq }, 1).length > 0;
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
        firstPage: CONSOLE_FIRST_PAGE,
        signal: stopWarming.signal,
      });
      done();
    });
    app.get<{ Querystring: { limit: number; beforeSeq?: number; related?: boolean; skip?: string } }>(
      '/console/records',
      {
        schema: {
          hide: true,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              limit: {
                type: 'integer',
                minimum: 1,
                maximum: CONSOLE_MAX_LIMIT,
                default: DEFAULT_LIMIT,
                description: `At most this many records (1 to ${CONSOLE_MAX_LIMIT}; default ${DEFAULT_LIMIT}).`,
              },
              beforeSeq: seqQuery('Only records with a lower seq (the next page: the last seq received).'),
              related: { type: 'boolean', default: false },
              skip: {
                type: 'string',
                maxLength: MAX_SKIP_CHARS,
                pattern: '^[0-9a-z.]*$',
                description:
                  'Records the caller holds (src/text/seq-list.ts): left out of the answer, but counted in limit.',
              },
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
        let held: Set<number>;
        try {
          held = decodeSeqList(request.query.skip ?? '');
        } catch (error) {
          throw new CoincideError('BAD_REQUEST', `skip: ${(error as Error).message}`);
        }
        const types = typesFor(access);
        const page = compactPage(
          outbox,
          access,
          { types, ...(beforeSeq === undefined ? {} : { beforeSeq }) },
          limit,
          compact,
        );
        const oldest = page.at(-1);
        // Whether an older page has anything (the console then asks for it; no empty last call).
        const more =
          oldest !== undefined && page.length === limit && hasOlder(outbox, access, types, oldest.seq);
        const extra =
          related && oldest !== undefined && hasScope(access, 'notices')
            ? relatedNotices(outbox, access, page, oldest.seq, compact)
            : [];
        // What the caller holds is not sent (the console's first page brought the latest older
        // notice of each trigger it names: 1,000 notices, 1 MB of the next call's 4.8 MB).
        const send = (records: readonly CompactRecord[]): string =>
          (held.size === 0 ? records : records.filter((r) => !held.has(r.seq))).map((r) => r.text).join(',');
        return sendJsonText(
          reply,
          `{"records":[${send(page)}],"related":[${send(extra)}],"more":${more},"nextBeforeSeq":${oldest?.seq ?? null}}`,
        );
      },
    );
  };
}

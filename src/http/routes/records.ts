/**
 * Outbox records as the REST API sends them, filtered by what the token may see.
 */
import type { FastifyReply } from 'fastify';
import { canSeeRecord, seesEverything } from '../../auth/access.ts';
import type { TokenInfo } from '../../auth/tokens.ts';
import type { Outbox, OutboxQuery, OutboxRecord } from '../../sinks/outbox.ts';

/** Rows read per step when records must be filtered one by one. */
const SCAN_PAGE = 1000;

/** A JSON array of stored records: the stored JSON texts are spliced, never re-serialised. */
export function recordsBody(records: readonly OutboxRecord[]): string {
  return `[${records.map((r) => `{"seq":${r.seq},"type":"${r.type}","data":${r.json}}`).join(',')}]`;
}

export function sendJsonText(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').header('Cache-Control', 'no-store').send(body);
}

/**
 * The first `limit` records of `query` that the token may see and that pass `keep` (given the
 * parsed data), oldest first (newest first with `query.newestFirst`). Without limits or `keep`,
 * one query; else the outbox is read in pages until `limit` records passed or it ends, so
 * `limit` always means "this many results".
 */
export function visibleRecords(
  outbox: Outbox,
  access: TokenInfo,
  query: OutboxQuery,
  limit: number,
  keep?: (data: unknown) => boolean,
): OutboxRecord[] {
  const unlimited = seesEverything(access);
  if (unlimited && keep === undefined) return outbox.query({ ...query, limit });
  const result: OutboxRecord[] = [];
  // The cursor: the last seq read, which the next page starts after (before, newest first).
  let cursor = query.newestFirst === true ? query.beforeSeq : query.afterSeq;
  for (;;) {
    const page = outbox.query({
      ...query,
      ...(query.newestFirst === true ? { beforeSeq: cursor } : { afterSeq: cursor }),
      limit: SCAN_PAGE,
    });
    for (const record of page) {
      const data: unknown = JSON.parse(record.json);
      if ((unlimited || canSeeRecord(access, record.type, data)) && (keep === undefined || keep(data))) {
        result.push(record);
        if (result.length === limit) return result;
      }
    }
    const last = page[page.length - 1];
    if (page.length < SCAN_PAGE || last === undefined) return result;
    cursor = last.seq;
  }
}

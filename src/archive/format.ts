/**
 * Archive search results as JSON, CSV (RFC 4180) or the raw stored events (VOEvent XML, or
 * the JSON notice where that is what was received), for the REST route and the CLI.
 *
 * - json: {"notices":[{"noticeId","eventId","receivedAt","notice"}],"nextCursor"?}; the stored
 *   Notice JSON is spliced in, never re-serialised.
 * - csv: one header line, then one line per notice (CSV_COLUMNS).
 * - voevent: multipart/mixed (RFC 2046), one part per event holding its bytes exactly as
 *   received, with Content-Type application/xml or application/json and Content-ID the ivorn.
 */
import { randomBytes } from 'node:crypto';
import type { Notice } from '../notices/notice.ts';
import type { ArchiveFormat } from './query-params.ts';
import type { ArchiveHit, ArchivePage } from './search.ts';

export const CSV_COLUMNS = [
  'noticeId',
  'triggerId',
  'eventName',
  'ivorn',
  'role',
  'messenger',
  'observatory',
  'instrument',
  'noticeType',
  'alertType',
  'revision',
  'triggerTime',
  'receivedAt',
  'farHz',
  'pAstro',
  'regionType',
  'raDeg',
  'decDeg',
  'radiusDeg',
] as const;

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(hit: ArchiveHit): string {
  const n = JSON.parse(hit.json) as Notice;
  const r = n.region;
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined> = {
    noticeId: hit.noticeId,
    triggerId: n.triggerId,
    eventName: n.eventName,
    ivorn: n.ivorn,
    role: n.role,
    messenger: n.messenger,
    observatory: n.observatory,
    instrument: n.instrument,
    noticeType: n.noticeType,
    alertType: n.alertType,
    revision: n.revision,
    triggerTime: n.triggerTime,
    receivedAt: new Date(hit.receivedAtMs).toISOString(),
    farHz: n.farHz,
    pAstro: n.pAstro,
    regionType: r.type,
    raDeg: r.type === 'none' ? undefined : r.raDeg,
    decDeg: r.type === 'none' ? undefined : r.decDeg,
    radiusDeg: r.type === 'circle' ? r.radiusDeg : undefined,
  };
  return `${CSV_COLUMNS.map((c) => csvField(values[c])).join(',')}\r\n`;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

export function jsonHit(hit: ArchiveHit): string {
  return `{"noticeId":${hit.noticeId},"eventId":${hit.eventId},"receivedAt":"${new Date(hit.receivedAtMs).toISOString()}","notice":${hit.json}}`;
}

export function jsonPage(page: ArchivePage): string {
  const cursor = page.nextCursor === undefined ? '' : `,"nextCursor":${JSON.stringify(page.nextCursor)}`;
  return `{"notices":[${page.hits.map(jsonHit).join(',')}]${cursor}}`;
}

export interface FormattedPage {
  contentType: string;
  body: Buffer;
}

function isJsonBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf)
      continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

/** The page in `format`; `eventBytes` gives the raw stored bytes of an event (voevent format). */
export function formatPage(
  page: ArchivePage,
  format: ArchiveFormat,
  eventBytes: (eventId: number) => Uint8Array | undefined,
): FormattedPage {
  if (format === 'json')
    return { contentType: 'application/json; charset=utf-8', body: Buffer.from(jsonPage(page)) };
  if (format === 'csv') {
    return {
      contentType: 'text/csv; charset=utf-8; header=present',
      body: Buffer.from(CSV_HEADER + page.hits.map(csvLine).join('')),
    };
  }
  const boundary = `coincide-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const hit of page.hits) {
    const bytes = eventBytes(hit.eventId);
    if (!bytes) continue;
    const ivorn = (JSON.parse(hit.json) as Notice).ivorn;
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${isJsonBytes(bytes) ? 'application/json' : 'application/xml'}\r\n` +
          `Content-ID: <${ivorn.replace(/[<>\r\n]/g, '')}>\r\nContent-Length: ${bytes.byteLength}\r\n\r\n`,
      ),
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(parts) };
}

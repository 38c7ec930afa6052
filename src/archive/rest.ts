/**
 * The archive's REST answers, independent of the HTTP framework: a request's query string (and
 * body, for a MOC) in, a content type, headers and body out. GET /v1/notices stays compatible:
 * with none of the archive parameters it is the old outbox listing (after=, limit=).
 */
import { formatPage, type FormattedPage } from './format.ts';
import {
  ARCHIVE_PARAM_DESCRIPTIONS,
  ARCHIVE_QUERY_PARAMS,
  parseArchiveQuery,
  type ArchiveQueryParam,
} from './query-params.ts';
import type { ArchiveSearch } from './search.ts';

/** Query parameters by name, as a framework parses them (repeated ones as arrays). */
export type QueryValues = Readonly<Record<string, string | readonly string[] | number | undefined>>;

const valuesOf = (query: QueryValues, name: string): string[] => {
  const value = query[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
};

/** True when the query asks for an archive search rather than the old outbox listing. */
export function isArchiveQuery(query: QueryValues): boolean {
  return ARCHIVE_QUERY_PARAMS.some((name) => name !== 'limit' && query[name] !== undefined);
}

export interface ArchiveResponse extends FormattedPage {
  headers: Record<string, string>;
}

/** Runs the search a query asks for; throws BAD_REQUEST for a malformed one. */
export function archiveResponse(
  search: ArchiveSearch,
  values: QueryValues,
  options: { body?: string; path?: string; visible?: (noticeJson: string) => boolean } = {},
): ArchiveResponse {
  const { query, format } = parseArchiveQuery(
    (name: ArchiveQueryParam) => valuesOf(values, name),
    options.body,
  );
  const page = search.search({ ...query, ...(options.visible ? { visible: options.visible } : {}) });
  const formatted = formatPage(page, format, (id) => search.eventBytes(id));
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (page.nextCursor !== undefined) {
    const next = new URLSearchParams();
    for (const name of ARCHIVE_QUERY_PARAMS) {
      if (name === 'cursor') continue;
      for (const value of valuesOf(values, name)) next.append(name, value);
    }
    next.set('cursor', page.nextCursor);
    headers.Link = `<${options.path ?? '/v1/notices'}?${next.toString()}>; rel="next"`;
    headers['X-Next-Cursor'] = page.nextCursor;
  }
  return { ...formatted, headers };
}

/** The JSON-schema properties of the archive parameters (for the route's querystring schema). */
export function archiveQuerySchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of ARCHIVE_QUERY_PARAMS) {
    if (name === 'limit') continue;
    properties[name] = {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: ARCHIVE_PARAM_DESCRIPTIONS[name],
    };
  }
  return properties;
}

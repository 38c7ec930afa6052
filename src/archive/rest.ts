/**
 * The archive's REST answers, independent of the HTTP framework: a request's query string (and
 * body, for a MOC) in, a content type, headers and body out. GET /v1/notices stays compatible:
 * with none of the archive parameters it is the old outbox listing (after=, limit=).
 */
import { CoincideError } from '../errors.ts';
import { formatPage, type FormattedPage } from './format.ts';
import { ARCHIVE_QUERY_PARAMS, parseArchiveQuery, type ArchiveQueryParam } from './query-params.ts';
import type { ArchiveSearch } from './search.ts';

/** Parameters of the old listing, and the token, which are not archive parameters. */
const OTHER_PARAMS = new Set(['after', 'token']);
const ARCHIVE_ONLY = new Set<string>(ARCHIVE_QUERY_PARAMS.filter((p) => p !== 'limit'));

/** True when the query asks for an archive search rather than the old outbox listing. */
export function isArchiveQuery(params: URLSearchParams): boolean {
  for (const name of params.keys()) if (ARCHIVE_ONLY.has(name)) return true;
  return false;
}

export interface ArchiveResponse extends FormattedPage {
  headers: Record<string, string>;
}

/** Runs the search a query string asks for; throws BAD_REQUEST for a malformed one. */
export function archiveResponse(
  search: ArchiveSearch,
  params: URLSearchParams,
  options: { body?: string; path?: string } = {},
): ArchiveResponse {
  for (const name of params.keys()) {
    if (!ARCHIVE_QUERY_PARAMS.includes(name as ArchiveQueryParam) && !OTHER_PARAMS.has(name))
      throw new CoincideError('BAD_REQUEST', `unknown parameter '${name}'`);
  }
  if (params.has('after'))
    throw new CoincideError(
      'BAD_REQUEST',
      'after= belongs to the outbox listing; archive searches page with cursor=',
    );
  const { query, format } = parseArchiveQuery((name) => params.getAll(name), options.body);
  const page = search.search(query);
  const formatted = formatPage(page, format, (id) => search.eventBytes(id));
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (page.nextCursor !== undefined) {
    const next = new URLSearchParams(params);
    next.delete('token');
    next.set('cursor', page.nextCursor);
    headers.Link = `<${options.path ?? '/v1/notices'}?${next.toString()}>; rel="next"`;
    headers['X-Next-Cursor'] = page.nextCursor;
  }
  return { ...formatted, headers };
}

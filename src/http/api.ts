/**
 * The HTTP API (node:http, no framework):
 *
 *   GET /healthz                       liveness and the lag of each input (no token)
 *   GET /metrics                       Prometheus text format (no token)
 *   GET /v1/notices?after=&limit=      latest notices (every version), oldest first
 *   GET /v1/notices?<archive query>    archive search (src/archive/query-params.ts), when wired
 *   GET /v1/notices/{triggerId}        every version of one trigger
 *   GET /v1/coincidences?since=&tier=&limit=   coincidences and withdrawals; since = a seq
 *                                      (integer) or an ISO 8601 time
 *   GET /v1/events/{ivorn}             the raw VOEvent XML, byte-identical (when an event store is wired)
 *
 * /v1/* needs a bearer token (header or ?token=), as the WebSocket stream does. Errors are
 * JSON: {"error":{"code","message"}} with the codes of errors.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenStore } from '../auth/tokens.ts';
import { CoincideError, describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { archiveResponse, isArchiveQuery } from '../archive/rest.ts';
import type { ArchiveSearch } from '../archive/search.ts';
import { toJson, type Outbox, type OutboxRecord } from '../sinks/outbox.ts';
import { tokenFromRequest } from '../sinks/websocket.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics.ts';

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

export interface ApiOptions {
  outbox: Outbox;
  tokens: TokenStore;
  metrics: MetricsRegistry;
  logger: Logger;
  health: () => HealthReport;
  /** Every stored version of one trigger, oldest first, when an event store is wired. */
  noticesByTriggerId?: (triggerId: string) => unknown[];
  /** The raw bytes of a stored VOEvent by ivorn, when an event store is wired. */
  rawEventByIvorn?: (ivorn: string) => Uint8Array | undefined;
  /** The archive search (src/archive/rest.ts), when an archive is wired. */
  archive?: ArchiveSearch;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTH_REQUIRED: 401,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
};

function sendJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

function sendError(response: ServerResponse, error: unknown): void {
  const code: ErrorCode = isCoincideError(error) ? error.code : 'BAD_REQUEST';
  const status = isCoincideError(error) ? (STATUS[error.code] ?? 500) : 500;
  const message = isCoincideError(error) ? error.message : describeError(error);
  sendJson(
    response,
    status,
    JSON.stringify({
      error: { code: status === 500 && !isCoincideError(error) ? 'INTERNAL' : code, message },
    }),
  );
}

/** A JSON array of stored records: the stored JSON texts are spliced, never re-serialised. */
function recordsBody(records: OutboxRecord[]): string {
  return `[${records.map((r) => `{"seq":${r.seq},"type":"${r.type}","data":${r.json}}`).join(',')}]`;
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new CoincideError('BAD_REQUEST', `${name} must be an integer >= 0`);
  return Math.min(value, max);
}

export function createApiHandler(
  options: ApiOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { outbox, tokens, metrics } = options;

  const route = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new CoincideError('BAD_REQUEST', `method ${request.method ?? '?'} is not allowed; use GET`);
    }
    if (path === '/healthz') {
      const report = options.health();
      sendJson(response, report.status === 'ok' ? 200 : 503, JSON.stringify(report));
      return;
    }
    if (path === '/metrics') {
      response.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE });
      response.end(metrics.render());
      return;
    }
    if (!path.startsWith('/v1/')) throw new CoincideError('NOT_FOUND', `no resource at ${path}`);
    const token = tokenFromRequest(request);
    if (token === undefined || tokens.verify(token) === undefined) {
      throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
    }
    if (path === '/v1/notices' && options.archive && isArchiveQuery(url.searchParams)) {
      const answer = archiveResponse(options.archive, url.searchParams, { path });
      response.writeHead(200, { 'Content-Type': answer.contentType, ...answer.headers });
      response.end(answer.body);
      return;
    }
    const limit = intParam(url, 'limit', 1000, 10_000);
    if (path === '/v1/notices') {
      const after = intParam(url, 'after', 0, Number.MAX_SAFE_INTEGER);
      sendJson(response, 200, recordsBody(outbox.query({ types: ['notice'], afterSeq: after, limit })));
      return;
    }
    const noticeMatch = /^\/v1\/notices\/(.+)$/.exec(path);
    if (noticeMatch?.[1] !== undefined) {
      const triggerId = decodeURIComponent(noticeMatch[1]);
      if (options.noticesByTriggerId) {
        const notices = options.noticesByTriggerId(triggerId);
        if (notices.length === 0) throw new CoincideError('NOT_FOUND', `no notice for trigger ${triggerId}`);
        sendJson(response, 200, toJson(notices));
        return;
      }
      const records = outbox.query({ types: ['notice'], triggerId, limit });
      if (records.length === 0) throw new CoincideError('NOT_FOUND', `no notice for trigger ${triggerId}`);
      sendJson(response, 200, recordsBody(records));
      return;
    }
    if (path === '/v1/coincidences') {
      const since = url.searchParams.get('since');
      const tier = url.searchParams.get('tier');
      if (tier !== null && !['gold', 'silver', 'bronze'].includes(tier)) {
        throw new CoincideError('BAD_REQUEST', 'tier must be gold, silver or bronze');
      }
      let afterSeq = 0;
      let sinceMs: number | undefined;
      if (since !== null) {
        if (/^\d+$/.test(since)) afterSeq = Number(since);
        else {
          sinceMs = Date.parse(since);
          if (Number.isNaN(sinceMs))
            throw new CoincideError('BAD_REQUEST', 'since must be a seq or an ISO 8601 time');
        }
      }
      let records = outbox.query({
        types: ['coincidence', 'withdrawn'],
        afterSeq,
        sinceMs,
        limit: tier ? 10_000 : limit,
      });
      if (tier !== null) {
        records = records
          .filter((r) => (JSON.parse(r.json) as { tier?: unknown }).tier === tier)
          .slice(0, limit);
      }
      sendJson(response, 200, recordsBody(records));
      return;
    }
    const eventMatch = /^\/v1\/events\/(.+)$/.exec(path);
    if (eventMatch?.[1] !== undefined && options.rawEventByIvorn) {
      const ivorn = decodeURIComponent(eventMatch[1]);
      const bytes = options.rawEventByIvorn(ivorn);
      if (!bytes) throw new CoincideError('NOT_FOUND', `no event with ivorn ${ivorn}`);
      response.writeHead(200, { 'Content-Type': 'application/xml' });
      response.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    throw new CoincideError('NOT_FOUND', `no resource at ${path}`);
  };

  return (request, response) => {
    try {
      route(request, response);
    } catch (error) {
      if (!isCoincideError(error))
        options.logger.error('http handler failed', { error: describeError(error) });
      sendError(response, error);
    }
  };
}

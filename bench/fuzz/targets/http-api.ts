/**
 * HTTP paths, queries, methods and headers against the real HTTP server (the app of
 * src/app.ts with its HTTP API, src/http/*, on a temp database and port 0), over raw TCP so that
 * any request target can be sent (node's http client refuses many). The app is fed a few real
 * VOEvents through its VTP receiver first, so that notice and event routes have data.
 *
 * Properties: every answer is an HTTP response (no hang, no dropped connection); no 5xx; every
 * 4xx from the API is JSON {"error":{"code","message"}} with a code of src/errors.ts (counted
 * as the refusal); a 2xx JSON body parses. A 400 with no body is node's own HTTP parser
 * refusing a request line or header that is not HTTP: counted as "HTTP_PARSER_400".
 */
import fc from 'fast-check';
import { CoincideError, ERROR_CODES, type ErrorCode } from '../../../src/errors.ts';
import { sendEvent } from '../../../src/vtp/sender.ts';
import { startTestApp } from '../../../test/http/start-app.ts';
import { BOUNDARY_NUMBERS } from '../mutate.ts';
import { rawHttpRequest } from '../raw-http.ts';
import { projectSeeds } from '../seeds.ts';
import { FuzzFinding, FuzzRefusal, type FuzzTarget } from '../target.ts';

const ANSWER_TIMEOUT_MS = 10_000;

interface HttpCase {
  method: string;
  target: string;
  auth: 'none' | 'token' | 'admin' | 'bogus' | 'malformed' | 'query';
  headers: string[];
}

const PATHS = [
  '/healthz',
  '/metrics',
  '/v1/notices',
  '/v1/notices/S190425z',
  '/v1/notices/524666471',
  '/v1/notices/',
  '/v1/coincidences',
  '/v1/events/ivo%3A%2F%2Fnasa.gsfc.gcn%2FFermi%23GBM_Gnd_Pos_2017-08-17T12%3A41%3A06.47_524666471-0-118',
  '/v1/events/ivo://coincide.test/fixtures#minimal-2.0',
  '/v1/events/',
  '/v1/openapi.json',
  '/v1/stream',
  '/v1',
  '/',
  '',
  '*',
  '//',
  '//v1/notices',
  '/v1//notices',
  '/v1/notices/%',
  '/v1/notices/%zz',
  '/v1/notices/%E0%A4%A',
  '/v1/notices/%00',
  '/v1/notices/%2F..%2F..',
  '/v1/notices/../../etc/passwd',
  '/./v1/./notices',
  '/V1/NOTICES',
  '/v1/notices;x=1',
  '/healthz/',
  '/metrics.json',
  'http://127.0.0.1/v1/notices',
  'http://[::1]:1/healthz',
  'http://',
  '/\u00e9',
  '/v1/notices/\u4e2d',
  `/v1/notices/${'a'.repeat(5000)}`,
];

const QUERY_KEYS = [
  'limit',
  'after',
  'since',
  'tier',
  'token',
  'types',
  'roles',
  'observatories',
  'authority',
  'limt',
  '',
  '%',
  '__proto__',
  'constructor',
];
const QUERY_VALUES = [
  ...BOUNDARY_NUMBERS,
  '10',
  '10000',
  '10001',
  'gold',
  'silver',
  'bronze',
  'platinum',
  '2017-08-17T12:41:04Z',
  '2017-08-17',
  'not a date',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '+',
  '',
  'a'.repeat(100),
];

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `/v1/${s}`) },
  { weight: 1, arbitrary: fc.webPath() },
);
const query = fc.array(
  fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...QUERY_VALUES), fc.constantFrom('=', '', '==')),
  { maxLength: 4 },
);

const httpCase: fc.Arbitrary<HttpCase> = fc.record({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constant('GET') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'HEAD',
        'POST',
        'PUT',
        'DELETE',
        'OPTIONS',
        'PATCH',
        'TRACE',
        'CONNECT',
        'get',
        'FOO',
        'M-SEARCH',
      ),
    },
  ),
  target: fc
    .tuple(segment, query, fc.constantFrom('', '', '#frag', '?'))
    .map(([path, q, tail]) =>
      q.length === 0 ? `${path}${tail}` : `${path}?${q.map(([k, v, eq]) => `${k}${eq}${v}`).join('&')}`,
    ),
  auth: fc.constantFrom('none', 'token', 'token', 'token', 'admin', 'bogus', 'malformed', 'query'),
  headers: fc.array(
    fc.constantFrom(
      'Accept: application/json',
      'Accept-Encoding: gzip',
      'Content-Length: 5',
      'Transfer-Encoding: chunked',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'X-Forwarded-For: 10.0.0.1',
      'Host: evil.example',
      'Expect: 100-continue',
      'Range: bytes=0-1',
    ),
    { maxLength: 2 },
  ),
});

export const httpApiTarget: FuzzTarget<HttpCase> = {
  name: 'http-api',
  covers:
    'the running HTTP server: src/http/server.ts and src/http/routes/* (with token scopes), on a real socket',
  async setup() {
    const app = await startTestApp();
    const events = projectSeeds('fixtures/voevent', ['minimal-2.0.xml']).concat(
      projectSeeds('fixtures/demo', ['.xml']),
    );
    for (const event of events) {
      await sendEvent({ host: '127.0.0.1', port: app.ports.vtpReceiver, bytes: Buffer.from(event.bytes) });
    }
    const authHeader = (auth: HttpCase['auth']): string => {
      switch (auth) {
        case 'token':
          return `Authorization: Bearer ${app.token}\r\n`;
        case 'admin':
          return `Authorization: Bearer ${app.adminToken}\r\n`;
        case 'bogus':
          return 'Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n';
        case 'malformed':
          return `Authorization: Basic ${app.token}\r\n`;
        default:
          return '';
      }
    };
    return {
      arbitrary: httpCase,
      async run(c) {
        const target =
          c.auth === 'query'
            ? `${c.target}${c.target.includes('?') ? '&' : '?'}token=${app.token}`
            : c.target;
        const head = `${c.method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${authHeader(c.auth)}${c.headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;
        const response = await rawHttpRequest(app.ports.http, Buffer.from(head, 'utf8'), ANSWER_TIMEOUT_MS);
        const text = response.body.toString('utf8');
        if (response.status >= 500 || !(response.status >= 100)) {
          throw new FuzzFinding(`HTTP ${response.status}: ${text.slice(0, 300)}`);
        }
        if (response.status >= 400) {
          if (response.body.length === 0 && response.status === 400 && c.method !== 'HEAD')
            throw new FuzzRefusal('HTTP_PARSER_400');
          if (c.method === 'HEAD') throw new FuzzRefusal(`HEAD_${response.status}`);
          let code: unknown;
          try {
            code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
          } catch {
            throw new FuzzFinding(
              `HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
            );
          }
          if (typeof code !== 'string' || !(code in ERROR_CODES)) {
            throw new FuzzFinding(
              `HTTP ${response.status} without a known error code: ${text.slice(0, 200)}`,
            );
          }
          throw new CoincideError(code as ErrorCode, `HTTP ${response.status}`);
        }
        if ((response.headers['content-type'] ?? '').startsWith('application/json') && c.method !== 'HEAD') {
          try {
            JSON.parse(text);
          } catch {
            throw new FuzzFinding(`HTTP ${response.status} JSON body does not parse: ${text.slice(0, 200)}`);
          }
        }
      },
      show: (c) => JSON.stringify(c),
      seedCounts: { 'fixture events': events.length },
      close: () => app.stop(),
    };
  },
};

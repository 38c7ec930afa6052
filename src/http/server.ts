/**
 * The HTTP server: fastify 5, with the concerns every route shares in this one module.
 *
 * How to add routes: write a module under src/http/routes/ that exports a factory returning a
 * fastify plugin (`(deps) => FastifyPluginAsync`), declare each route's `schema` (params and
 * querystring as JSON Schema; they are validated and end up in /v1/openapi.json) and its
 * `config.scope` (the token scope it needs; leave it out for an open route), and register the
 * plugin from the assembly module src/app/http.ts. Everything else is done here, once:
 *
 *  - Access: an onRequest hook resolves the bearer token (header or ?token=) into
 *    `request.access` and refuses, before any handler runs, a route whose `config.scope` the
 *    token lacks (401 without a valid token, 403 with one that lacks the scope). What a token
 *    may see inside a route (its roles/observatories/authorities limits) is decided by
 *    src/auth/access.ts, which handlers call through `request.access`.
 *  - Errors: every refusal is JSON `{"error":{"code","message"}}` with a code of src/errors.ts:
 *    schema failures 400 BAD_REQUEST, a malformed percent-encoding 400 BAD_REQUEST, an unknown
 *    path 404 NOT_FOUND, a known path with a wrong method 405 METHOD_NOT_ALLOWED with `Allow`,
 *    anything unexpected 500 INTERNAL (logged).
 *  - OpenAPI 3.1 (@fastify/swagger) is generated from the route schemas and served at
 *    /v1/openapi.json.
 *
 * The WebSocket stream is not a fastify route: it stays on `ws`, attached to the upgrade event
 * of `fastify.server` (src/sinks/websocket.ts).
 */
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Scope } from '../auth/scopes.ts';
import type { TokenInfo, TokenStore } from '../auth/tokens.ts';
import { CoincideError, describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { tokenFromRequest } from '../sinks/websocket.ts';
import { checkScope } from '../auth/access.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token scope the route needs (src/auth/scopes.ts); absent = open to anyone. */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** The valid token presented with the request, if any (set before every handler). */
    access: TokenInfo | undefined;
  }
}

export const OPENAPI_PATH = '/v1/openapi.json';

const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTH_REQUIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BAD_REQUEST: 400,
};

export interface HttpServerOptions {
  tokens: TokenStore;
  logger: Logger;
  /** Route groups (src/http/routes/*), registered in this order after the shared hooks. */
  routes: readonly RoutePlugin[];
  /** Service version for the OpenAPI document. */
  version?: string;
}

/**
 * A route group: registers its routes on the (encapsulated) instance it is given. Dependencies
 * come in through the factory that returns it (`noticeRoutes({ outbox })`).
 */
export type RoutePlugin = (app: FastifyInstance) => void;

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** An error answer written straight to a socket (for requests fastify never sees), then the end. */
function rawErrorResponse(
  socket: Duplex,
  status: number,
  reason: string,
  code: ErrorCode,
  message: string,
): void {
  if (!socket.writable) return;
  const body = errorBody(code, message);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The methods each registered path answers, in a router of the same kind as fastify's
 * (find-my-way), so that a request fastify finds no route for can be told apart: a known path
 * with another method (405 with `Allow`) or no such path (404). fastify itself answers 404 for
 * both.
 */
function createAllowIndex(): { add(methods: string[], url: string): void; allowed(url: string): string[] } {
  const router = FindMyWay();
  const methods = new Set<HTTPMethod>();
  const seen = new Set<string>();
  return {
    add(routeMethods, url) {
      for (const method of routeMethods) {
        const key = `${method} ${url}`;
        if (seen.has(key)) continue;
        seen.add(key);
        methods.add(method as HTTPMethod);
        router.on(method as HTTPMethod, url, () => undefined);
      }
    },
    allowed(url) {
      const path = url.split('?')[0] ?? '/';
      return [...methods].filter((m) => router.find(m, path) !== null).sort();
    },
  };
}

/** Set on a parsed query whose percent-encoding was malformed: the parameter's raw name. */
const MALFORMED_QUERY = Symbol('malformed-query');

type ParsedQuery = Record<string, string | string[]> & { [MALFORMED_QUERY]?: string };

/**
 * The query string as an object. A malformed percent-encoding is marked, and refused with a 400
 * by the onRequest hook: the parser must not throw (fastify calls it outside any handler, and an
 * exception there ends the process), and fastify's default parser passes such bytes through
 * silently.
 */
function parseQuery(query: string): ParsedQuery {
  const result: ParsedQuery = {};
  if (query === '') return result;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      result[MALFORMED_QUERY] ??= rawKey.slice(0, 64);
      continue;
    }
    const previous = result[key];
    if (previous === undefined) result[key] = value;
    else result[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return result;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { tokens, logger } = options;
  const allowIndex = createAllowIndex();
  const app = Fastify({
    logger: false,
    // Unknown query parameters are refused (a typo such as `limt` is not silently ignored);
    // numbers in the query are coerced from their text.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    forceCloseConnections: true,
    routerOptions: { querystringParser: parseQuery },
    // A request node's HTTP parser refuses (a space or a raw byte in the target, an unknown
    // method, headers too large) gets the JSON error of every other refusal; fastify's default
    // answers {"error":"Bad Request","message":"Client Error","statusCode":400}, without a code.
    clientErrorHandler: (error, socket) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || socket.destroyed) return;
      const [status, reason, message] =
        code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request headers too large']
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'the request did not arrive in time']
            : [400, 'Bad Request', 'not a well-formed HTTP request'];
      rawErrorResponse(socket, status, reason, 'BAD_REQUEST', message);
      socket.destroy();
    },
    frameworkErrors: (error, _request, frameworkReply) => {
      // FST_ERR_BAD_URL: a path parameter with a malformed percent-encoding.
      const status = error.statusCode ?? 400;
      void (frameworkReply as FastifyReply)
        .code(status)
        .type('application/json; charset=utf-8')
        .send(
          errorBody(
            'BAD_REQUEST',
            error.code === 'FST_ERR_BAD_URL' ? 'malformed percent-encoding in the path' : error.message,
          ),
        );
    },
  });

  // CONNECT never reaches fastify (node emits 'connect', and without a listener drops the
  // connection with no answer): refuse it like any other method this service does not answer.
  app.server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    rawErrorResponse(
      socket,
      405,
      'Method Not Allowed',
      'METHOD_NOT_ALLOWED',
      `method ${request.method ?? 'CONNECT'} is not allowed`,
    );
  });

  app.decorateRequest('access', undefined);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    allowIndex.add(methods, route.url);
    if (methods.includes('GET') && route.exposeHeadRoute !== false) allowIndex.add(['HEAD'], route.url);
  });

  // The one place where scopes are enforced for REST routes.
  app.addHook('onRequest', (request, _reply, done) => {
    const token = tokenFromRequest(request.raw);
    request.access = token === undefined ? undefined : tokens.verify(token);
    const scope = request.routeOptions.config.scope;
    try {
      const malformed = (request.query as ParsedQuery)[MALFORMED_QUERY];
      if (malformed !== undefined) {
        throw new CoincideError(
          'BAD_REQUEST',
          `malformed percent-encoding in query parameter "${malformed}"`,
        );
      }
      if (scope !== undefined) checkScope(request.access, scope);
      done();
    } catch (error) {
      done(error as FastifyError);
    }
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    let status: number;
    let code: string;
    if (isCoincideError(error)) {
      status = STATUS[error.code] ?? 500;
      code = error.code;
    } else if (error.validation !== undefined) {
      status = 400;
      code = 'BAD_REQUEST';
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      code = status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
    } else {
      status = 500;
      code = 'INTERNAL';
      logger.error('http handler failed', { error: describeError(error) });
    }
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    void reply
      .code(status)
      .type('application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(errorBody(code, status === 500 ? 'internal error' : error.message));
  });

  app.setNotFoundHandler((request, reply) => {
    const allow = allowIndex.allowed(request.url);
    if (allow.length > 0) {
      void reply.header('Allow', allow.join(', '));
      throw new CoincideError(
        'METHOD_NOT_ALLOWED',
        `method ${request.method} is not allowed on this resource; use ${allow.join(' or ')}`,
      );
    }
    throw new CoincideError('NOT_FOUND', `no resource at ${request.url.split('?')[0] ?? '/'}`);
  });

  // Each route that needs a scope says so in its OpenAPI operation (before @fastify/swagger's
  // own onRoute hook, which records the route).
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope === undefined || route.schema === undefined) return;
    const schema = route.schema as Record<string, unknown>;
    schema.security ??= [{ bearer: [] }];
    const note = `Needs a token with scope \`${scope}\`.`;
    const description = typeof schema.description === 'string' ? schema.description : '';
    // The HEAD route fastify adds for each GET shares its schema object: note it once.
    if (!description.includes(note))
      schema.description = description === '' ? note : `${description} ${note}`;
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'coincide',
        version: options.version ?? '0',
        description:
          'Real-time multi-messenger coincidences. Authenticate with `Authorization: Bearer TOKEN` ' +
          '(or `?token=`); each route names the token scope it needs. The WebSocket stream is at /v1/stream.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, (_request, reply) => {
    void reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger()));
  });

  for (const routes of options.routes) {
    await app.register((instance, _options, done) => {
      routes(instance);
      done();
    });
  }
  await app.ready();
  return app;
}

/** Listens on host:port and returns the bound port (port 0 = any free port). */
export async function listenHttp(app: FastifyInstance, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('http server has no port');
  return address.port;
}

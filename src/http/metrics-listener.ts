/**
 * `/metrics` on an address of its own (`--metrics-listen 127.0.0.1:9464`), without a token, as
 * Prometheus scrapes it: beside the API's /metrics, which needs a metrics-scoped token. The page
 * names upstream inputs and their timings, so this listener binds to loopback only unless
 * `--metrics-allow-non-loopback` says otherwise (a scraper elsewhere then reaches it with no
 * token: put it on a private network).
 *
 * A fastify instance of its own with one route, GET (and HEAD) /metrics; any other path is a
 * 404 and any other method a 405 with Allow, both JSON with a code of src/errors.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { BlockList, isIP } from 'node:net';
import { CoincideError } from '../errors.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics.ts';
import { errorBody, listenHttp } from './server.ts';

export interface MetricsAddress {
  host: string;
  /** 0: any free port. */
  port: number;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped) and "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1];
  if (mapped !== undefined) return LOOPBACK.check(mapped, 'ipv4');
  const family = isIP(host);
  if (family === 4) return LOOPBACK.check(host, 'ipv4');
  if (family === 6) return LOOPBACK.check(host, 'ipv6');
  return false;
}

/**
 * "HOST:PORT" ("[::1]:9464" for IPv6) → the address; CONFIG_INVALID when it is not one, or when
 * the host is not loopback and `allowNonLoopback` is false.
 */
export function parseMetricsListen(text: string, allowNonLoopback: boolean): MetricsAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `metrics.listen must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464 (got "${text}")`,
    );
  }
  if (!allowNonLoopback && !isLoopbackHost(host)) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `metrics.listen ${text} is not a loopback address: the page is served without a token; ` +
        'bind it to 127.0.0.1 or ::1, or set metrics.allowNonLoopback (--metrics-allow-non-loopback true)',
    );
  }
  return { host, port };
}

export interface MetricsListener {
  /** Listens; resolves with the port. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createMetricsListener(options: {
  address: MetricsAddress;
  registry: MetricsRegistry;
}): MetricsListener {
  const app: FastifyInstance = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) =>
    reply.type(PROMETHEUS_CONTENT_TYPE).send(options.registry.render()),
  );
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/metrics') {
      return reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .type('application/json')
        .send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on /metrics`));
    }
    return reply
      .code(404)
      .type('application/json')
      .send(errorBody('NOT_FOUND', 'this listener serves only GET /metrics'));
  });
  return {
    start: () => listenHttp(app, options.address.port, options.address.host),
    stop: () => app.close(),
  };
}

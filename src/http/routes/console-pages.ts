/**
 * The web console's pages (open: the page itself asks for a token and keeps it in the browser;
 * every data call it makes goes through the scoped /v1 routes and the stream):
 *
 *   GET /                          the console (live list and sky)
 *   GET /triggers/{triggerId}      the page of one trigger (the same app, routed in the browser)
 *   GET /console/app.js, app.css   its script and style, served by coincide (no CDN)
 *
 * A Content-Security-Policy keeps every script, style, image and connection on this origin.
 */
import type { FastifyReply } from 'fastify';
import type { ConsoleAssets } from '../../app/console-bundle.ts';
import type { RoutePlugin } from '../server.ts';

export interface ConsolePagesOptions {
  assets: () => Promise<ConsoleAssets>;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .type(type)
    .header('Content-Security-Policy', CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'no-cache')
    .send(body);
}

export function consolePageRoutes(options: ConsolePagesOptions): RoutePlugin {
  return (app) => {
    const page = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> =>
      send(reply, 'text/html; charset=utf-8', (await options.assets()).html);
    app.get('/', { schema: { hide: true } }, page);
    app.get('/triggers/:triggerId', { schema: { hide: true } }, page);
    app.get('/console/app.js', { schema: { hide: true } }, async (_request, reply) =>
      send(reply, 'text/javascript; charset=utf-8', (await options.assets()).js),
    );
    app.get('/console/app.css', { schema: { hide: true } }, async (_request, reply) =>
      send(reply, 'text/css; charset=utf-8', (await options.assets()).css),
    );
  };
}

/**
 * HTTP compression for a route group (@fastify/compress: the Accept-Encoding negotiation, with
 * q-values and `identity`, `Vary: Accept-Encoding`, and streaming zlib, kept by the Fastify team
 * rather than written here). Brotli when the client takes it, else gzip or deflate; nothing for
 * a client that asks for none (curl without --compressed, most HTTP libraries by default).
 *
 * Fast settings, because the answers are made per request: brotli quality 1 and gzip level 1 pack
 * the console's 3.8 MB of older records in about 8 and 6 ms (brotli 4, the library's default:
 * 50 ms; gzip 6: 19 ms), to 45 and 160 kB.
 */
import { constants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { RoutePlugin } from './server.ts';

export const COMPRESSION = {
  global: true,
  globalDecompression: false,
  encodings: ['br', 'gzip', 'deflate'],
  threshold: 1024,
  brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } },
  zlibOptions: { level: 1 },
} as const;

/** The route group, its answers compressed (only its own: the group is registered in a context of its own). */
export function withCompression(routes: RoutePlugin): RoutePlugin {
  return (app) => {
    void app.register(fastifyCompress, { ...COMPRESSION, encodings: [...COMPRESSION.encodings] });
    void app.register((scoped, _options, done) => {
      // Every answer varies with Accept-Encoding, also one sent as it is (no header, too small):
      // a cache must not give it to a client that asked otherwise.
      scoped.addHook('onSend', (_request, reply, payload, next) => {
        const vary = reply.getHeader('vary');
        const names = (Array.isArray(vary) ? vary.join(',') : String(vary ?? '')).toLowerCase();
        if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/.test(names))
          void reply.header(
            'Vary',
            names.trim() === '' ? 'accept-encoding' : `${String(vary)}, accept-encoding`,
          );
        next(null, payload);
      });
      routes(scoped);
      done();
    });
  };
}

/**
 * withCompression: a route group's answers compressed as the client's Accept-Encoding asks
 * (brotli first, then gzip; none without the header or with q=0), with Vary: accept-encoding on
 * every answer, and the routes of other groups untouched. Real TCP on port 0, node:zlib to read.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { withCompression } from '../../src/http/compression.ts';

const BIG = JSON.stringify({
  records: Array.from({ length: 2000 }, (_, i) => ({ seq: i, type: 'coincidence' })),
});

interface Got {
  encoding: string | undefined;
  vary: string | undefined;
  body: Buffer;
}

function get(port: number, path: string, acceptEncoding?: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            encoding: response.headers['content-encoding'],
            vary: response.headers.vary,
            body: Buffer.concat(chunks),
          });
        });
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('withCompression', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = Fastify();
    await app.register((scope, _options, done) => {
      withCompression((routes) => {
        routes.get('/big', (_request, reply) => reply.type('application/json').send(BIG));
        routes.get('/small', (_request, reply) => reply.type('application/json').send('{"a":1}'));
      })(scope);
      done();
    });
    await app.register((scope, _options, done) => {
      scope.get('/other', (_request, reply) => reply.type('application/json').send(BIG));
      done();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(async () => {
    await app.close();
  });

  it('sends brotli to a browser, gzip to a client that takes only gzip, and the same JSON', async () => {
    const browser = await get(port, '/big', 'gzip, deflate, br, zstd');
    assert.equal(browser.encoding, 'br');
    assert.equal(brotliDecompressSync(browser.body).toString(), BIG);
    assert.ok(browser.body.length < BIG.length / 5, `${browser.body.length} of ${BIG.length} bytes`);
    const gzipOnly = await get(port, '/big', 'gzip');
    assert.equal(gzipOnly.encoding, 'gzip');
    assert.equal(gunzipSync(gzipOnly.body).toString(), BIG);
    const refusesBrotli = await get(port, '/big', 'br;q=0, gzip');
    assert.equal(refusesBrotli.encoding, 'gzip');
    for (const got of [browser, gzipOnly, refusesBrotli]) assert.equal(got.vary, 'accept-encoding');
  });

  it('sends the body as it is without Accept-Encoding or when small, still saying that it varies', async () => {
    for (const got of [await get(port, '/big'), await get(port, '/big', 'identity')]) {
      assert.equal(got.encoding, undefined);
      assert.equal(got.body.toString(), BIG);
      assert.equal(got.vary, 'accept-encoding');
    }
    const small = await get(port, '/small', 'br');
    assert.equal(small.encoding, undefined);
    assert.equal(small.body.toString(), '{"a":1}');
    assert.equal(small.vary, 'accept-encoding');
  });

  it('leaves the routes of other groups alone', async () => {
    const other = await get(port, '/other', 'br');
    assert.equal(other.encoding, undefined);
    assert.equal(other.vary, undefined);
    assert.equal(other.body.toString(), BIG);
  });
});

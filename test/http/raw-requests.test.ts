/**
 * Requests that are barely HTTP, sent byte for byte on a raw socket to the real app (fuzz
 * findings, bench/fuzz/targets/http-api.ts): each gets an answer with the JSON error body and a
 * code of src/errors.ts, never a 500 or a dropped connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawHttpRequest, type RawResponse } from '../../bench/fuzz/raw-http.ts';
import { startTestApp, type TestApp } from './start-app.ts';

function errorCodeOf(response: RawResponse): string | undefined {
  return (JSON.parse(response.body.toString('utf8')) as { error?: { code?: string } }).error?.code;
}

describe('raw HTTP requests', () => {
  let app: TestApp;
  const send = (head: string): Promise<RawResponse> =>
    rawHttpRequest(
      app.ports.http,
      Buffer.from(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1'),
      10_000,
    );
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.stop();
  });

  it('answers a target with an empty authority ("//", "//?x") with 404, not 500', async () => {
    // tokenFromRequest built a URL from the target, which throws for "//": every such request was a 500.
    for (const target of ['//', '//?x=1', '///?a', '//v1/notices?token=x']) {
      const response = await send(`GET ${target} HTTP/1.1`);
      assert.equal(response.status, 404, target);
      assert.equal(errorCodeOf(response), 'NOT_FOUND', target);
    }
    const withToken = await send(`GET //?token=${app.token} HTTP/1.1`);
    assert.equal(withToken.status, 404);
  });

  it('answers a request node cannot parse with 400 and the JSON error body (code BAD_REQUEST)', async () => {
    // fastify's default answered {"error":"Bad Request","message":"Client Error","statusCode":400}.
    for (const head of [
      'GET /v1/notices?since=not a date HTTP/1.1',
      'FOO / HTTP/1.1',
      'GET /\u00e9 HTTP/1.1',
      'GET  HTTP/1.1',
    ]) {
      const response = await send(head);
      assert.equal(response.status, 400, head);
      assert.equal(errorCodeOf(response), 'BAD_REQUEST', head);
    }
  });

  it('answers a WebSocket upgrade to "//" with 404 (it was an uncaught exception that ended the process)', async () => {
    const upgrade =
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
    for (const target of ['//', '//x/v1/stream', '//?token=x']) {
      const response = await rawHttpRequest(
        app.ports.http,
        Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgrade}\r\n\r\n`, 'latin1'),
        10_000,
      );
      assert.equal(response.status, 404, target);
      assert.equal(errorCodeOf(response), 'NOT_FOUND', target);
    }
    const still = await send('GET /healthz HTTP/1.1');
    assert.equal(still.status, 200);
  });

  it('answers CONNECT with 405 METHOD_NOT_ALLOWED instead of dropping the connection', async () => {
    const response = await send('CONNECT 127.0.0.1:80 HTTP/1.1');
    assert.equal(response.status, 405);
    assert.equal(errorCodeOf(response), 'METHOD_NOT_ALLOWED');
  });
});

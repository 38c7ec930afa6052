import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/clock.ts';
import { createOidcTokenProvider } from '../../src/kafka/oidc-token.ts';
import { startTokenServer, type TokenServer } from './oidc-server.ts';

describe('OIDC client-credentials tokens', () => {
  let server: TokenServer;
  before(async () => {
    server = await startTokenServer({ 'my-client': 's3cret/+&' });
  });
  after(async () => {
    await server.close();
  });

  test('posts grant_type=client_credentials with HTTP Basic credentials and returns the access token', async () => {
    server.requests.length = 0;
    const clock = new ManualClock(1_000_000);
    const provider = createOidcTokenProvider({
      tokenUrl: server.url,
      clientId: 'my-client',
      clientSecret: 's3cret/+&',
      scope: 'gcn.nasa.gov/kafka-public-consumer',
      clock,
    });
    const token = await provider.token();
    assert.match(token.accessToken, /^[\w-]+\.[\w-]+\.$/);
    assert.equal(token.expiresAtMs, 1_000_000 + 3_600_000);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.body.get('grant_type'), 'client_credentials');
    assert.equal(server.requests[0]?.body.get('scope'), 'gcn.nasa.gov/kafka-public-consumer');
    assert.equal(
      server.requests[0]?.body.get('client_secret'),
      null,
      'the secret is not in the body with Basic auth',
    );
    assert.match(server.requests[0]?.authorization ?? '', /^Basic /);
  });

  test('can send the credentials in the form body instead', async () => {
    server.requests.length = 0;
    const provider = createOidcTokenProvider({
      tokenUrl: server.url,
      clientId: 'my-client',
      clientSecret: 's3cret/+&',
      clientAuth: 'body',
      clock: new ManualClock(),
    });
    await provider.token();
    assert.equal(server.requests[0]?.body.get('client_id'), 'my-client');
    assert.equal(server.requests[0]?.authorization, undefined);
  });

  test('reuses the cached token until a minute before it expires, then fetches a new one', async () => {
    server.requests.length = 0;
    const clock = new ManualClock(0);
    const provider = createOidcTokenProvider({
      tokenUrl: server.url,
      clientId: 'my-client',
      clientSecret: 's3cret/+&',
      clock,
    });
    await Promise.all([provider.token(), provider.token(), provider.token()]);
    assert.equal(provider.requestCount, 1, 'concurrent callers share one request');
    clock.advance(3_600_000 - 60_001);
    await provider.token();
    assert.equal(provider.requestCount, 1);
    clock.advance(2);
    await provider.token();
    assert.equal(provider.requestCount, 2);
  });

  test('refuses a wrong secret with KAFKA_AUTH, not retriable', async () => {
    const provider = createOidcTokenProvider({
      tokenUrl: server.url,
      clientId: 'my-client',
      clientSecret: 'wrong',
      clock: new ManualClock(),
    });
    await assert.rejects(provider.token(), (error: { code: string; retriable: boolean; message: string }) => {
      assert.equal(error.code, 'KAFKA_AUTH');
      assert.equal(error.retriable, false);
      assert.match(error.message, /HTTP 401/);
      return true;
    });
  });

  test('reports an unreachable token endpoint with KAFKA_AUTH, retriable', async () => {
    const provider = createOidcTokenProvider({
      tokenUrl: 'http://127.0.0.1:1/token',
      clientId: 'a',
      clientSecret: 'b',
      clock: new ManualClock(),
    });
    await assert.rejects(provider.token(), { code: 'KAFKA_AUTH', retriable: true });
  });
});

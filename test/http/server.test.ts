/**
 * The HTTP server (fastify) with every route group, on a real SQLite file and a real port:
 * HTTP hygiene (encodings, methods, limits, unknown parameters), the OpenAPI document, and
 * /healthz and /metrics access.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Notice } from '../../src/notices/notice.ts';
import { makeCoincidence, makeNotice, makeTriple } from './records.ts';
import { startServer, type ServerFixture } from './server-fixture.ts';

const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('HTTP server', () => {
  let s: ServerFixture;
  let token: string;
  before(async () => {
    s = await startServer();
    token = s.tokens.create('reader').token;
  });
  after(async () => {
    await s.close();
  });

  it('answers a malformed percent-encoding with 400 and a message (path and query)', async () => {
    for (const path of [
      '/v1/notices/%E0%A4%A',
      '/v1/events/ivo%3A%2F%2F%ZZ',
      '/v1/coincidences?since=%E0%A4%A',
    ]) {
      const response = await fetch(`${s.url}${path}`, bearer(token));
      assert.equal(response.status, 400, path);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'BAD_REQUEST');
      assert.match(body.error.message, /percent-encoding/);
    }
  });

  it('answers a wrong method on a known path with 405 and Allow, an unknown path with 404', async () => {
    for (const [method, path] of [
      ['POST', '/v1/notices'],
      ['DELETE', '/v1/notices/Fermi%3A1'],
      ['PUT', '/v1/coincidences'],
      ['PATCH', '/v1/events/x'],
      ['POST', '/metrics'],
      ['DELETE', '/healthz'],
    ] as const) {
      const response = await fetch(`${s.url}${path}`, { method, body: method === 'DELETE' ? null : 'x' });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
      assert.equal(await errorCode(response), 'METHOD_NOT_ALLOWED');
    }
    const missing = await fetch(`${s.url}/v2/nothing`, { method: 'POST', body: 'x' });
    assert.equal(missing.status, 404);
    assert.equal(await errorCode(missing), 'NOT_FOUND');
  });

  it('honours limit on /v1/notices/{triggerId}, oldest first', async () => {
    for (let revision = 1; revision <= 3; revision++) {
      s.notices.push(
        makeNotice({ triggerId: 'Fermi:42', revision, ivorn: `ivo://nasa.gsfc.gcn/Fermi#x_42-${revision}` }),
      );
    }
    const all = (await (await fetch(`${s.url}/v1/notices/Fermi%3A42`, bearer(token))).json()) as Notice[];
    assert.deepEqual(
      all.map((n) => n.revision),
      [1, 2, 3],
    );
    const two = (await (
      await fetch(`${s.url}/v1/notices/Fermi%3A42?limit=2`, bearer(token))
    ).json()) as Notice[];
    assert.deepEqual(
      two.map((n) => n.revision),
      [1, 2],
    );
  });

  it('honours limit and after on /v1/notices and limit on /v1/coincidences', async () => {
    for (let i = 0; i < 5; i++) s.outbox.append('notice', makeNotice({ revision: i }), 'Fermi:1');
    const page = (await (await fetch(`${s.url}/v1/notices?after=1&limit=2`, bearer(token))).json()) as Array<{
      seq: number;
    }>;
    assert.deepEqual(
      page.map((r) => r.seq),
      [2, 3],
    );
  });

  it('filters /v1/coincidences by pair type: triples alone with pairType=mm-mm-optical', async () => {
    const triple = makeTriple({ id: 'triple-rest-1' });
    s.outbox.append('coincidence', makeCoincidence({ id: 'pair-rest-1' }), 'Fermi:1');
    s.outbox.append('coincidence', triple, 'LVK:S250101a');
    const got = (await (
      await fetch(`${s.url}/v1/coincidences?pairType=mm-mm-optical`, bearer(token))
    ).json()) as Array<{ type: string; data: { id: string; pairIds: string[] } }>;
    assert.deepEqual(
      got.map((r) => r.data.id),
      ['triple-rest-1'],
    );
    assert.deepEqual(got[0]?.data.pairIds, triple.pairIds);
    const bad = await fetch(`${s.url}/v1/coincidences?pairType=quadruple`, bearer(token));
    assert.equal(bad.status, 400);
  });

  it('checks every parameter against its schema: unknown, out of range and ill-typed ones are 400', async () => {
    for (const query of ['?limt=3', '?limit=0', '?limit=10001', '?limit=abc', '?after=-1']) {
      const response = await fetch(`${s.url}/v1/notices${query}`, bearer(token));
      assert.equal(response.status, 400, query);
      assert.equal(await errorCode(response), 'BAD_REQUEST');
    }
    const tier = await fetch(`${s.url}/v1/coincidences?tier=platinum`, bearer(token));
    assert.equal(tier.status, 400);
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas at /v1/openapi.json', async () => {
    const response = await fetch(`${s.url}/v1/openapi.json`);
    assert.equal(response.status, 200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string; in: string }>; security?: unknown }>
      >;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/healthz',
      '/metrics',
      '/v1/coincidences',
      '/v1/events/{ivorn}',
      '/v1/notices',
      '/v1/notices/{triggerId}',
    ]);
    const byTrigger = doc.paths['/v1/notices/{triggerId}']?.get;
    assert.ok(byTrigger?.parameters?.some((p) => p.name === 'triggerId' && p.in === 'path'));
    assert.ok(byTrigger?.parameters?.some((p) => p.name === 'limit' && p.in === 'query'));
    assert.ok(byTrigger?.security, 'a scoped route declares its security');
    assert.equal(doc.paths['/healthz']?.get?.security, undefined);
  });

  it('shows anyone only up or down on /healthz; an admin token sees the detail and every provider', async () => {
    const admin = s.tokens.create('admin', { scopes: ['admin'] }).token;
    let webhooks: 'ok' | 'degraded' = 'ok';
    s.health.register('webhooks', () => ({ status: webhooks, deadDeliveries: 0 }));
    const open = await fetch(`${s.url}/healthz`);
    assert.equal(open.status, 200);
    assert.deepEqual(await open.json(), { status: 'ok' });
    const reader = await fetch(`${s.url}/healthz`, bearer(token));
    assert.deepEqual(await reader.json(), { status: 'ok' });
    const detail = (await (await fetch(`${s.url}/healthz`, bearer(admin))).json()) as Record<string, unknown>;
    assert.equal(detail.status, 'ok');
    assert.ok('inputs' in detail);
    assert.deepEqual(detail.webhooks, { status: 'ok', deadDeliveries: 0 });
    webhooks = 'degraded';
    const down = await fetch(`${s.url}/healthz`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { status: 'degraded' });
  });

  it('serves /metrics only to a token with the metrics or admin scope', async () => {
    assert.equal((await fetch(`${s.url}/metrics`)).status, 401);
    const noScope = await fetch(`${s.url}/metrics`, bearer(token));
    assert.equal(noScope.status, 403);
    assert.equal(await errorCode(noScope), 'FORBIDDEN');
    for (const scopes of [['metrics'], ['admin']] as const) {
      const t = s.tokens.create('scrape', { scopes }).token;
      const response = await fetch(`${s.url}/metrics`, bearer(t));
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^coincide_test_total 1$/m);
    }
  });
});

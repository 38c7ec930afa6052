/**
 * Webhook deliveries of a real app (createApp, temp SQLite file, port 0) to real HTTP servers on
 * 127.0.0.1: bodies in each format, filters, signatures, retries, dead deliveries, isolation of a
 * hanging endpoint, and subscriptions added to a running service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createMemoryLogger, type Logger } from '../../src/logger.ts';
import { openDatabase } from '../../src/store/database.ts';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { createWebhookStore } from '../../src/webhooks/store.ts';
import { makeCoincidence, makeNotice } from '../http/records.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const SECRET = 'a-test-secret-of-32-characters!!';
/** /healthz shows its detail, and /metrics answers, only to an admin token. */
const admin = (app: { adminToken: string }): RequestInit => ({
  headers: { authorization: `Bearer ${app.adminToken}` },
});

const BASE = 'https://coincide.example.org';

interface Setup {
  app: TestApp;
  dir: string;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  cleanups.push(() => r.close());
  return r;
}

/** An app whose configuration file (0600: it holds secrets) defines `subscriptions`. */
async function appWith(
  subscriptions: unknown[],
  flags: Record<string, unknown> = {},
  logger?: Logger,
): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-webhooks-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      webhooks: { subscriptions, allowHttpHosts: ['127.0.0.1'], publicBaseUrl: BASE, retryInitialMs: 20 },
    }),
    { mode: 0o600 },
  );
  const app = await startTestApp({
    dir,
    flags: { config: configPath, ...flags },
    ...(logger ? { logger } : {}),
  });
  cleanups.push(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, dir };
}

async function poll<T>(
  what: string,
  get: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a JSON receiver sees of a record. */
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('webhook deliveries', () => {
  it('delivers a notice and a coincidence in the json, slack and text formats, signed', async () => {
    const r = await receiver();
    const { app } = await appWith([
      { id: 'as-json', url: `${r.url}/json`, format: 'json', secret: SECRET },
      { id: 'as-slack', url: `${r.url}/slack`, format: 'slack' },
      { id: 'as-text', url: `${r.url}/text`, format: 'text' },
    ]);
    const notice = makeNotice();
    const coincidence = makeCoincidence();
    const n = app.app.publishNotice(notice);
    const c = app.app.publishCoincidence(coincidence);
    await r.until('6 deliveries', () => r.accepted().length >= 6);
    const at = (path: string): typeof r.requests => r.requests.filter((q) => q.path === `/hook/${path}`);

    // json: the stream's message, signed over "<timestamp>.<body>".
    const [jn, jc] = at('json');
    assert.ok(jn && jc);
    assert.deepEqual(json(jn.body), { type: 'notice', seq: n.seq, data: roundTrip(notice) });
    assert.deepEqual(json(jc.body), {
      type: 'coincidence',
      seq: c.seq,
      data: roundTrip(coincidence),
    });
    for (const q of [jn, jc]) {
      assert.equal(q.headers['content-type'], 'application/json');
      const timestamp = Number(q.headers['x-coincide-timestamp']);
      assert.ok(verifySignature(SECRET, timestamp, q.body, String(q.headers['x-coincide-signature'])));
      assert.ok(
        !verifySignature(
          'another-secret-of-enough-length',
          timestamp,
          q.body,
          String(q.headers['x-coincide-signature']),
        ),
      );
    }
    assert.equal(jn.headers['idempotency-key'], `as-json:${n.seq}`);
    assert.equal(jc.headers['x-coincide-type'], 'coincidence');

    // slack: one mrkdwn line with links, and the sky-map picture as an attachment.
    const [sn, sc] = at('slack');
    assert.ok(sn && sc);
    assert.equal(sn.headers['x-coincide-signature'], undefined, 'no secret, no signature');
    const page = `${BASE}/triggers/Fermi%3A757418405`;
    const skymap = `${BASE}/v1/notices/Fermi%3A757418405/skymap.svg`;
    const slackNotice = json(sn.body) as { text: string; attachments: Array<Record<string, unknown>> };
    assert.match(slackNotice.text, /^\*Notice \(update\)\*: /);
    assert.ok(slackNotice.text.includes(`<${page}|Fermi:757418405>`), slackNotice.text);
    assert.ok(slackNotice.text.includes('(gamma, Fermi Fermi_GBM_Gnd_Pos)'));
    assert.deepEqual(slackNotice.attachments[0]?.image_url, skymap);
    const slackPair = json(sc.body) as { text: string; attachments: Array<Record<string, unknown>> };
    assert.match(slackPair.text, /^\*SILVER coincidence\*: /);
    for (const part of [
      `<${page}|Fermi:757418405>`,
      '× *ZTF25aaaaaaa* (optical, ZTF 2345678901234567891)',
      'pChance 0.00400',
      'FAR n/a',
      'dt +15840 s',
      'sep 0.22 deg',
    ]) {
      assert.ok(slackPair.text.includes(part), `${part} in ${slackPair.text}`);
    }
    assert.equal(slackPair.attachments[0]?.image_url, skymap);
    assert.equal(slackPair.attachments[0]?.title_link, page);

    // text: one plain line.
    const [tn, tc] = at('text');
    assert.ok(tn && tc);
    assert.equal(tc.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(
      tc.body,
      `coincide: SILVER coincidence | Fermi:757418405 (gamma, Fermi Fermi_GBM_Gnd_Pos) | x ZTF25aaaaaaa (optical, ZTF 2345678901234567891) | pChance 0.00400, FAR n/a, dt +15840 s, sep 0.22 deg | ${page}`,
    );
    assert.ok(!tn.body.includes('\n'));
    assert.ok(
      tn.body.startsWith(
        'coincide: Notice (update) | Fermi:757418405 (gamma, Fermi Fermi_GBM_Gnd_Pos) | FAR n/a, at 2025-01-01T10:00:00.000Z',
      ),
    );
  });

  it('applies the stream filters', async () => {
    const r = await receiver();
    const { app } = await appWith([
      { id: 'gold-only', url: r.url, filters: { types: ['coincidence'], tiers: ['gold'] } },
      { id: 'gw-notices', url: `${r.url}/gw`, filters: { types: ['notice'], messengers: ['gw'] } },
    ]);
    app.app.publishNotice(makeNotice());
    app.app.publishCoincidence(makeCoincidence({ tier: 'silver', id: 'silver-1' }));
    const gold = app.app.publishCoincidence(makeCoincidence({ tier: 'gold', id: 'gold-1' }));
    const gw = app.app.publishNotice(
      makeNotice({ messenger: 'gw', observatory: 'LVK', triggerId: 'LVK:S1' }),
    );
    const gold2 = app.app.publishCoincidence(makeCoincidence({ tier: 'gold', id: 'gold-2' }));
    await r.until('the last gold', () =>
      r.requests.some((q) => q.headers['x-coincide-seq'] === String(gold2.seq)),
    );
    await r.until('the gw notice', () => r.requests.some((q) => q.path === '/hook/gw'));
    assert.deepEqual(
      r.requests.filter((q) => q.path === '/hook').map((q) => (json(q.body).data as { id: string }).id),
      ['gold-1', 'gold-2'],
    );
    assert.deepEqual(
      r.requests.filter((q) => q.path === '/hook/gw').map((q) => json(q.body).seq),
      [gw.seq],
    );
    assert.ok(gold.seq < gold2.seq);
  });

  it('retries a 500 with the same idempotency key and delivers exactly once', async () => {
    const r = await receiver((_request, index) => (index === 0 ? 500 : 200));
    const { app } = await appWith([{ id: 'flaky', url: r.url }]);
    const first = app.app.publishNotice(makeNotice());
    await r.until('the retry', () => r.accepted().length === 1);
    const second = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:2' }));
    await r.until('the second message', () => r.accepted().length === 2);
    const forFirst = r.requests.filter((q) => q.headers['x-coincide-seq'] === String(first.seq));
    assert.deepEqual(
      forFirst.map((q) => [q.status, q.headers['idempotency-key'], q.headers['x-coincide-attempt']]),
      [
        [500, `flaky:${first.seq}`, '1'],
        [200, `flaky:${first.seq}`, '2'],
      ],
    );
    assert.deepEqual(
      r.requests.filter((q) => q.headers['x-coincide-seq'] === String(second.seq)).map((q) => q.status),
      [200],
    );
    assert.equal(r.requests.length, 3);
  });

  it('a hanging endpoint does not hold up another subscription', async () => {
    const hanging = await receiver(() => 'hang');
    const r = await receiver();
    const { app } = await appWith(
      [
        { id: 'hangs', url: hanging.url },
        { id: 'fine', url: r.url },
      ],
      { 'webhook-timeout-ms': '600000' },
    );
    const one = app.app.publishNotice(makeNotice());
    const two = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:2' }));
    await r.until('both messages at the working endpoint', () => r.accepted().length === 2);
    assert.deepEqual(
      r.accepted().map((q) => json(q.body).seq),
      [one.seq, two.seq],
    );
    // The hanging endpoint holds the first message's request open, unanswered, all that time.
    await hanging.until('the first request', () => hanging.requests.length === 1);
    assert.equal(hanging.requests[0]?.status, undefined);
    assert.equal(hanging.requests.length, 1, 'seq order: the second waits behind the first');
    const health = (await (await fetch(`${app.httpUrl}/healthz`, admin(app))).json()) as {
      webhooks: { items: Array<{ id: string; state: string; backlog: number }> };
    };
    const byId = Object.fromEntries(health.webhooks.items.map((i) => [i.id, i]));
    assert.equal(byId.hangs?.state, 'delivering');
    assert.equal(byId.fine?.backlog, 0);
  });

  it('marks a delivery dead after the maximum age and moves on; /healthz and /metrics show it', async () => {
    let failing = true;
    const r = await receiver(() => (failing ? 503 : 200));
    const logger = createMemoryLogger();
    const { app } = await appWith(
      [{ id: 'down', url: `${r.url}/private-path`, secret: SECRET }],
      { 'webhook-max-age-sec': '0.3' },
      logger,
    );
    const lost = app.app.publishNotice(makeNotice());
    const health = await poll('a dead delivery in /healthz', async () => {
      const body = (await (await fetch(`${app.httpUrl}/healthz`, admin(app))).json()) as {
        webhooks: {
          deadDeliveries: number;
          items: Array<{ id: string; dead: number; lastDead?: { seq: number; error: string } }>;
        };
      };
      return body.webhooks.deadDeliveries === 1 ? body : undefined;
    });
    assert.equal(health.webhooks.items[0]?.lastDead?.seq, lost.seq);
    assert.match(health.webhooks.items[0]?.lastDead?.error ?? '', /HTTP 503/);
    assert.ok(r.requests.length >= 2, 'retried before giving up');
    const metrics = await (await fetch(`${app.httpUrl}/metrics`, admin(app))).text();
    assert.match(metrics, /coincide_webhook_dead_deliveries\{webhook="down"\} 1/);
    assert.match(metrics, /coincide_webhook_attempts_total\{outcome="dead",webhook="down"\} 1/);
    failing = false;
    const next = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:2' }));
    await r.until('the next message', () => r.accepted().length === 1);
    assert.equal(json(r.accepted()[0]?.body ?? '{}').seq, next.seq);
    // The failures were logged, without the secret or the URL's path.
    const logs = JSON.stringify(logger.records);
    assert.ok(logs.includes('webhook delivery dead'));
    assert.ok(!logs.includes(SECRET) && !logs.includes('private-path'));
  });

  it('gives up at once on a 4xx refusal (no retry)', async () => {
    const r = await receiver((_q, index) => (index === 0 ? 404 : 200));
    const { app } = await appWith([{ id: 'gone', url: r.url }]);
    app.app.publishNotice(makeNotice());
    const next = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:2' }));
    await r.until('the next message', () => r.accepted().length === 1);
    assert.deepEqual(
      r.requests.map((q) => [q.status, json(q.body).seq]),
      [
        [404, next.seq - 1],
        [200, next.seq],
      ],
    );
  });

  it('a running service picks up a subscription added and removed in the database', async () => {
    const r = await receiver();
    const logger = createMemoryLogger();
    const { app } = await appWith([], { 'webhook-reload-ms': '50' }, logger);
    const db = openDatabase({ path: app.dbPath });
    cleanups.push(async () => {
      db.close();
    });
    const store = createWebhookStore({ db, clock: systemClock });
    const before = app.app.publishNotice(makeNotice());
    store.add({ id: 'late', url: r.url, format: 'json', filters: {}, source: 'cli' }, before.seq);
    const after = await poll('the new subscription to deliver', async () => {
      const record = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:probe' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      return r.requests.length > 0 ? record : undefined;
    });
    assert.ok(after.seq > before.seq);
    assert.equal(json(r.requests[0]?.body ?? '{}').seq, before.seq + 1, 'starts right after its cursor');
    store.remove('late');
    await poll('the worker to stop', () =>
      logger.records.some((l) => l.msg === 'webhook removed' && l.webhook === 'late') ? true : undefined,
    );
    const count = r.requests.length;
    const ignored = app.app.publishNotice(makeNotice({ triggerId: 'Fermi:ignored' }));
    const probe = await receiver();
    store.add({ id: 'probe', url: probe.url, format: 'json', filters: {}, source: 'cli' }, ignored.seq - 1);
    await probe.until('the probe', () => probe.accepted().length >= 1);
    assert.equal(r.requests.length, count, 'a removed subscription gets nothing more');
  });
});

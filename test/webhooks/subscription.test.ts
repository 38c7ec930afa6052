/**
 * Webhook subscriptions from the configuration (flags, environment, file) and the URL policy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { isCoincideError } from '../../src/errors.ts';
import { checkWebhookUrl, redactUrl, webhooksFromConfig } from '../../src/webhooks/subscription.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-webhook-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return isCoincideError(error) ? error.code : 'NOT_A_COINCIDE_ERROR';
  }
  return 'NO_ERROR';
};

describe('webhook URL policy', () => {
  it('takes https, and plain http only to the hosts named', () => {
    assert.equal(checkWebhookUrl('https://hooks.slack.com/services/T/B/X', []).hostname, 'hooks.slack.com');
    assert.equal(
      code(() => checkWebhookUrl('http://127.0.0.1:8000/h', [])),
      'WEBHOOK_URL_REFUSED',
    );
    assert.equal(checkWebhookUrl('http://127.0.0.1:8000/h', ['127.0.0.1']).port, '8000');
    assert.equal(checkWebhookUrl('http://[::1]:8000/h', ['::1']).hostname, '[::1]');
    assert.equal(checkWebhookUrl('http://LOCALHOST/h', ['localhost']).hostname, 'localhost');
    assert.equal(
      code(() => checkWebhookUrl('ftp://example.org/x', ['example.org'])),
      'WEBHOOK_URL_REFUSED',
    );
    assert.equal(
      code(() => checkWebhookUrl('https://user:pw@example.org/x', [])),
      'WEBHOOK_URL_REFUSED',
    );
    assert.equal(
      code(() => checkWebhookUrl('not a url', [])),
      'WEBHOOK_URL_REFUSED',
    );
  });

  it('shows only scheme, host and port of a URL (its path may be a credential)', () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/XXXX?x=1'), 'https://hooks.slack.com/…');
    assert.equal(redactUrl('http://127.0.0.1:81/a'), 'http://127.0.0.1:81/…');
  });
});

describe('webhook subscriptions in the configuration', () => {
  it('takes --webhook-url (repeatable) as json subscriptions with stable ids', () => {
    const flags = { 'webhook-url': ['https://a.example.org/x', 'https://b.example.org/y'] };
    const config = loadConfig({ env: {}, flags });
    const subs = webhooksFromConfig(config.webhooks);
    assert.deepEqual(
      subs.map((s) => [s.url, s.format, s.filters, s.source]),
      [
        ['https://a.example.org/x', 'json', {}, 'config'],
        ['https://b.example.org/y', 'json', {}, 'config'],
      ],
    );
    assert.deepEqual(
      webhooksFromConfig(loadConfig({ env: {}, flags }).webhooks).map((s) => s.id),
      subs.map((s) => s.id),
    );
    assert.match(subs[0]?.id ?? '', /^wh-[0-9a-f]{12}$/);
  });

  it('takes full subscriptions from the environment as JSON', () => {
    const config = loadConfig({
      env: {
        COINCIDE_WEBHOOKS: JSON.stringify([
          { id: 'gold', url: 'https://h.example.org/x', format: 'slack', filters: { tiers: ['Gold'] } },
        ]),
        COINCIDE_WEBHOOK_URLS: 'https://c.example.org/z',
      },
    });
    const [gold, plain] = webhooksFromConfig(config.webhooks);
    assert.deepEqual(gold, {
      id: 'gold',
      url: 'https://h.example.org/x',
      format: 'slack',
      filters: { tiers: ['gold'] },
      source: 'config',
    });
    assert.equal(plain?.url, 'https://c.example.org/z');
  });

  it('refuses a bad subscription at load, with CONFIG_INVALID', () => {
    const env = (subs: unknown): Record<string, string> => ({ COINCIDE_WEBHOOKS: JSON.stringify(subs) });
    for (const bad of [
      [{ url: 'http://h.example.org/x' }],
      [{ url: 'https://h.example.org/x', format: 'xml' }],
      [{ url: 'https://h.example.org/x', filters: { tier: ['gold'] } }],
      [{ url: 'https://h.example.org/x', secret: 'short' }],
      [{ url: 'https://h.example.org/x', colour: 'red' }],
      [{ url: 'https://h.example.org/x', id: 'a b' }],
      [
        { url: 'https://h.example.org/x', id: 'same' },
        { url: 'https://h.example.org/y', id: 'same' },
      ],
      { url: 'https://h.example.org/x' },
    ]) {
      assert.equal(
        code(() => loadConfig({ env: env(bad) })),
        'CONFIG_INVALID',
        JSON.stringify(bad),
      );
    }
    assert.equal(
      code(() => loadConfig({ env: { COINCIDE_WEBHOOKS: '[{' } })),
      'CONFIG_INVALID',
    );
    assert.equal(
      code(() => loadConfig({ env: { COINCIDE_PUBLIC_BASE_URL: 'coincide.example.org' } })),
      'CONFIG_INVALID',
    );
    const allowed = loadConfig({
      env: { ...env([{ url: 'http://127.0.0.1:9/x' }]), COINCIDE_WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1' },
    });
    assert.equal(webhooksFromConfig(allowed.webhooks).length, 1);
  });

  it('refuses a configuration file holding a webhook secret that others may read', () => {
    const path = join(dir, 'config.json');
    const text = JSON.stringify({
      webhooks: { subscriptions: [{ url: 'https://h.example.org/x', secret: 'x'.repeat(32) }] },
    });
    writeFileSync(path, text, { mode: 0o644 });
    assert.equal(
      code(() => loadConfig({ env: {}, configFile: path })),
      'CONFIG_INVALID',
    );
    rmSync(path);
    writeFileSync(path, text, { mode: 0o600 });
    const [sub] = webhooksFromConfig(loadConfig({ env: {}, configFile: path }).webhooks);
    assert.equal(sub?.secret, 'x'.repeat(32));
  });
});

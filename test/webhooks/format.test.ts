/**
 * Webhook bodies from hostile or unusual field values, and the retry delays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayMs } from '../../src/webhooks/backoff.ts';
import { renderWebhookBody, type WebhookMessage } from '../../src/webhooks/format.ts';
import { toJson } from '../../src/sinks/outbox.ts';
import { makeCoincidence, makeNotice } from '../http/records.ts';

const message = (type: WebhookMessage['type'], data: unknown): WebhookMessage => ({
  type,
  seq: 7,
  json: toJson(data),
  createdMs: 0,
});

describe('webhook formats', () => {
  it('escapes Slack mrkdwn control characters from notice fields', () => {
    const notice = makeNotice({ observatory: '<!channel> & co', triggerId: 'X:<1>' });
    const body = renderWebhookBody('slack', message('notice', notice), {
      publicBaseUrl: 'https://c.example.org/',
    });
    const { text } = JSON.parse(body.body.toString()) as { text: string };
    assert.ok(!text.includes('<!channel>'), text);
    assert.ok(text.includes('&lt;!channel&gt; &amp; co'), text);
    assert.ok(text.includes('<https://c.example.org/triggers/X%3A%3C1%3E|X:&lt;1&gt;>'), text);
  });

  it('keeps the text format on one line and leaves links out without a public base URL', () => {
    const notice = makeNotice({ eventName: 'GRB 250101A\nsecond line', region: { type: 'none' } });
    const line = renderWebhookBody('text', message('notice', notice), { publicBaseUrl: '' }).body.toString();
    assert.ok(!/[\n\r]/.test(line));
    assert.ok(line.includes('GRB 250101A second line'));
    assert.ok(!line.includes('http'));
    const slack = JSON.parse(
      renderWebhookBody('slack', message('notice', notice), { publicBaseUrl: '' }).body.toString(),
    ) as Record<string, unknown>;
    assert.equal(slack.attachments, undefined, 'no region, no sky-map picture');
  });

  it('says withdrawn, test role and FAR for a withdrawn mm-mm pair', () => {
    const c = makeCoincidence({
      status: 'withdrawn',
      role: 'test',
      tier: 'gold',
      pairType: 'mm-mm',
      farHz: 3.2e-10,
      pChance: 1.5e-6,
      separationDeg: null,
      counterpart: {
        triggerId: 'IceCube:1',
        ivorn: 'ivo://x',
        messenger: 'neutrino',
        observatory: 'IceCube',
        noticeType: 'IceCube_Gold',
        triggerTime: '2025-01-01T10:00:00.000Z',
      },
    });
    const line = renderWebhookBody('text', message('withdrawn', c), {
      publicBaseUrl: 'https://c.example.org',
    }).body.toString();
    assert.equal(
      line,
      'coincide: [TEST] Withdrawn GOLD coincidence | Fermi:757418405 (gamma, Fermi Fermi_GBM_Gnd_Pos) | x IceCube:1 (neutrino, IceCube IceCube_Gold) | pChance 1.50e-6, FAR 3.20e-10 Hz, dt +15840 s | https://c.example.org/triggers/Fermi%3A757418405',
    );
  });

  it('passes the stored JSON through verbatim in the json format (64-bit ids as strings)', () => {
    const c = makeCoincidence();
    const body = renderWebhookBody('json', message('coincidence', c), { publicBaseUrl: '' }).body.toString();
    assert.equal(body, `{"type":"coincidence","seq":7,"data":${toJson(c)}}`);
  });
});

describe('retry delays', () => {
  it('double per attempt up to the maximum, with full jitter above a floor', () => {
    const at = (attempt: number, random: number): number =>
      retryDelayMs(attempt, { initialMs: 1000, maxMs: 60_000, random: () => random });
    assert.deepEqual([1, 2, 3, 4].map((n) => at(n, 0.999999)).map(Math.round), [1000, 2000, 4000, 8000]);
    assert.equal(at(20, 0.999999).toFixed(0), '60000');
    assert.equal(at(5, 0), 500, 'never sooner than initialMs / 2');
    assert.equal(at(3, 0.5), 500 + 0.5 * 3500);
  });
});

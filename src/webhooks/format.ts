/**
 * The body of a webhook delivery, in the subscription's format:
 *
 *   json   the stream's message, {"type","seq","data"}, with data the stored JSON text verbatim
 *          (the same bytes a WebSocket client gets; 64-bit ids as decimal strings).
 *   slack  a Slack / Mattermost incoming-webhook payload: {"text": one mrkdwn line with the
 *          trigger, the counterpart, tier, pChance and FAR and a link to the console's trigger
 *          page; "attachments": [{image_url: the sky-map picture}] where there is one}.
 *          Attachments with image_url are the part of the payload both products render.
 *   text   one plain line (mail-to-SMS and mail gateways), text/plain.
 *
 * A `test` message (`coincide webhooks test`) says so in every format.
 */
import type { Coincidence } from '../join/coincidence.ts';
import type { Notice } from '../notices/notice.ts';
import type { OutboxMessageType } from '../sinks/outbox.ts';
import {
  formatSigned,
  formatSmall,
  summariseCoincidence,
  summariseNotice,
  type MessageSummary,
  type SideSummary,
} from './summary.ts';
import type { WebhookFormat } from './subscription.ts';

export interface WebhookMessage {
  type: OutboxMessageType | 'test';
  seq: number;
  /** The data as stored JSON text (outbox row). */
  json: string;
  /** When it was appended to the outbox, Unix ms (the maximum age counts from here). */
  createdMs: number;
  /** The same data as an object, when the publisher had it; else parsed on first use (messageData). */
  data?: unknown;
}

/** The message's data as an object (parsed once, then kept on the message). */
export function messageData(message: WebhookMessage): unknown {
  if (message.data === undefined) message.data = JSON.parse(message.json);
  return message.data;
}

export interface WebhookBody {
  body: Buffer;
  contentType: string;
}

export interface FormatOptions {
  /** The console's public base URL ('' = no links). */
  publicBaseUrl: string;
}

function summarise(message: WebhookMessage, options: FormatOptions): MessageSummary | undefined {
  const data = messageData(message);
  if (message.type === 'notice') return summariseNotice(data as Notice, options.publicBaseUrl);
  if (message.type === 'test') return undefined;
  return summariseCoincidence(data as Coincidence, options.publicBaseUrl);
}

function testLine(message: WebhookMessage): string {
  const subscription = (messageData(message) as { subscription?: unknown }).subscription;
  return `coincide webhook test for subscription ${String(subscription)}: deliveries will arrive here`;
}

/** "GOLD coincidence", "Withdrawn coincidence", "Notice (initial)", with a [TEST] mark off observation. */
function headline(s: MessageSummary): string {
  const mark = s.role === 'observation' ? '' : `[${s.role.toUpperCase()}] `;
  if (s.kind === 'notice') return `${mark}Notice (${s.alertType ?? 'update'})`;
  const tier = s.tier === null ? 'untiered' : s.tier.toUpperCase();
  return s.kind === 'withdrawn' ? `${mark}Withdrawn ${tier} coincidence` : `${mark}${tier} coincidence`;
}

function figures(s: MessageSummary, separator: string): string[] {
  const out: string[] = [];
  if (s.pChance !== undefined) out.push(`pChance ${formatSmall(s.pChance)}`);
  out.push(s.farHz === undefined ? 'FAR n/a' : `FAR ${formatSmall(s.farHz)} Hz`);
  if (s.dtSeconds !== undefined) out.push(`dt ${formatSigned(s.dtSeconds, 0)} s`);
  if (s.separationDeg !== undefined && s.separationDeg !== null) {
    out.push(`sep ${s.separationDeg.toFixed(2)} deg`);
  }
  if (s.kind === 'notice') out.push(`at ${s.triggerTime}`);
  return out.length > 0 ? [out.join(separator)] : [];
}

const sideText = (side: SideSummary): string => `(${side.messenger}, ${side.observatory} ${side.detail})`;

// ---- slack -----------------------------------------------------------------------------------

/** Slack mrkdwn escaping (api.slack.com/reference/surfaces/formatting#escaping): & < > only. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackLink(url: string | undefined, label: string): string {
  return url === undefined ? esc(label) : `<${url}|${esc(label).replace(/\|/g, '¦')}>`;
}

function slackPayload(message: WebhookMessage, options: FormatOptions): unknown {
  const s = summarise(message, options);
  if (!s) return { text: esc(testLine(message)) };
  const trigger = `${slackLink(s.triggerPageUrl, s.trigger.id)}${s.eventName ? ` ${esc(s.eventName)}` : ''} ${esc(sideText(s.trigger))}`;
  const counterpart = s.counterpart ? ` × *${esc(s.counterpart.id)}* ${esc(sideText(s.counterpart))}` : '';
  const text = [`*${esc(headline(s))}*: ${trigger}${counterpart}`, ...figures(s, ' · ').map(esc)].join(' · ');
  const payload: Record<string, unknown> = { text };
  if (s.skymapUrl !== undefined) {
    payload.attachments = [
      {
        fallback: `Sky map of ${s.trigger.id}`,
        title: `Sky map of ${s.trigger.id}`,
        ...(s.triggerPageUrl === undefined ? {} : { title_link: s.triggerPageUrl }),
        image_url: s.skymapUrl,
      },
    ];
  }
  return payload;
}

// ---- text ------------------------------------------------------------------------------------

/** One line: control characters (a newline in a notice field) become spaces. */
function textLine(message: WebhookMessage, options: FormatOptions): string {
  const s = summarise(message, options);
  if (!s) return testLine(message);
  const parts = [
    `coincide: ${headline(s)}`,
    `${s.trigger.id}${s.eventName ? ` ${s.eventName}` : ''} ${sideText(s.trigger)}`,
  ];
  if (s.counterpart) parts.push(`x ${s.counterpart.id} ${sideText(s.counterpart)}`);
  parts.push(...figures(s, ', '));
  if (s.triggerPageUrl !== undefined) parts.push(s.triggerPageUrl);
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return parts.join(' | ').replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

export function renderWebhookBody(
  format: WebhookFormat,
  message: WebhookMessage,
  options: FormatOptions,
): WebhookBody {
  switch (format) {
    case 'json':
      return {
        body: Buffer.from(`{"type":"${message.type}","seq":${message.seq},"data":${message.json}}`, 'utf8'),
        contentType: 'application/json',
      };
    case 'slack':
      return {
        body: Buffer.from(JSON.stringify(slackPayload(message, options)), 'utf8'),
        contentType: 'application/json',
      };
    case 'text':
      return {
        body: Buffer.from(textLine(message, options), 'utf8'),
        contentType: 'text/plain; charset=utf-8',
      };
  }
}

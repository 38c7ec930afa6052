/**
 * One attempt at one delivery: the subscription's body, its headers (idempotency key, and the
 * signature when the subscription has a secret), one POST.
 *
 * Headers of every delivery:
 *   Content-Type                  application/json, or text/plain for the text format
 *   Idempotency-Key               <subscription id>:<seq>, the same on every retry and after a
 *                                 restart: a receiver that has seen it may drop the request
 *   X-Coincide-Subscription, X-Coincide-Seq, X-Coincide-Type, X-Coincide-Attempt (1, 2, ...)
 *   X-Coincide-Timestamp, X-Coincide-Signature   (with a secret; see signature.ts)
 */
import type http from 'node:http';
import type { WebhookBody, WebhookMessage } from './format.ts';
import { postWebhook } from './post.ts';
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';
import type { WebhookSubscription } from './subscription.ts';

export const USER_AGENT = 'coincide-webhooks/1';

export function idempotencyKey(subscriptionId: string, seq: number | string): string {
  return `${subscriptionId}:${seq}`;
}

export interface Attempt {
  subscription: WebhookSubscription;
  url: URL;
  message: WebhookMessage;
  /** The rendered body (rendered once per delivery, re-signed on each attempt). */
  body: WebhookBody;
  attempt: number;
  nowMs: number;
  timeoutMs: number;
  agent?: http.Agent;
  signal?: AbortSignal;
  /** Overrides the idempotency key's seq part (a `webhooks test` message has no seq). */
  key?: string;
}

/** Resolves with the HTTP status (2xx); rejects with a WebhookPostError. */
export function attemptDelivery(a: Attempt): Promise<number> {
  const headers: Record<string, string> = {
    'content-type': a.body.contentType,
    'user-agent': USER_AGENT,
    'idempotency-key': a.key ?? idempotencyKey(a.subscription.id, a.message.seq),
    'x-coincide-subscription': a.subscription.id,
    'x-coincide-seq': String(a.message.seq),
    'x-coincide-type': a.message.type,
    'x-coincide-attempt': String(a.attempt),
  };
  if (a.subscription.secret !== undefined) {
    const timestampSec = Math.floor(a.nowMs / 1000);
    headers[TIMESTAMP_HEADER] = String(timestampSec);
    headers[SIGNATURE_HEADER] = signBody(a.subscription.secret, timestampSec, a.body.body);
  }
  return postWebhook({
    url: a.url,
    body: a.body.body,
    headers,
    timeoutMs: a.timeoutMs,
    ...(a.agent ? { agent: a.agent } : {}),
    ...(a.signal ? { signal: a.signal } : {}),
  });
}

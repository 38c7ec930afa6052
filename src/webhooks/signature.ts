/**
 * The signature of a webhook delivery, when its subscription has a secret:
 *
 *   X-Coincide-Timestamp: <t>                 Unix time of this attempt, seconds
 *   X-Coincide-Signature: v1=<hex>            hex(HMAC-SHA256(secret, "<t>." + body))
 *
 * The body is signed as the exact bytes sent (UTF-8). Signing the timestamp with the body lets
 * a receiver refuse a replayed request (README: compare, in constant time, then check that t
 * is recent, e.g. within 5 minutes). Same scheme as Stripe's and Slack's request signing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-coincide-signature';
export const TIMESTAMP_HEADER = 'x-coincide-timestamp';
export const SIGNATURE_VERSION = 'v1';

export function signBody(secret: string, timestampSec: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestampSec}.`);
  mac.update(body);
  return `${SIGNATURE_VERSION}=${mac.digest('hex')}`;
}

/** Whether `signature` (the header's value) signs `body` at `timestampSec` with `secret`. */
export function verifySignature(
  secret: string,
  timestampSec: number,
  body: string | Buffer,
  signature: string,
): boolean {
  const expected = Buffer.from(signBody(secret, timestampSec, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

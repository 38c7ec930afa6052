/**
 * The content digest of an output message: SHA-256 (hex) of the exact JSON text the stream sends
 * for it (the outbox row's json). Carried in the header `coincide-content-sha256` of every Kafka
 * output message, so that a consumer (and cluster mode's merged stream) can tell a repeat of an
 * id with identical content (a duplicate: another instance's copy, or a re-send after a crash)
 * from a new version of it (a revision, a withdrawal) without decoding the value.
 */
import { createHash } from 'node:crypto';
import type { IHeaders } from 'kafkajs';

export const HEADER_CONTENT_SHA256 = 'coincide-content-sha256';

export function contentDigest(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

/** The text of a header, or undefined. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

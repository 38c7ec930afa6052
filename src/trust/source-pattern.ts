/**
 * Patterns that name event sources in trust rules (src/trust/trust-policy.ts):
 *
 *   "127.0.0.1", "10.0.0.0/8", "::1/128"   authors on the VTP receiver, by peer address (CIDR,
 *                                         as the receiver whitelist: vtp/whitelist.ts)
 *   "upstream:voevent.gcn.nasa.gov:8099"  events relayed by that VTP subscription
 *   "gcn:gcn.classic.voevent.*"           events from GCN Kafka topics ("*" at the end: a prefix)
 *   "replay:*", "upstream:*", "gcn:*"      every source of that kind
 *
 * A CIDR never matches a non-receiver source, and a named pattern never matches an author.
 */
import { isIP } from 'node:net';
import { CoincideError } from '../errors.ts';
import { createWhitelist, type Whitelist } from '../vtp/whitelist.ts';
import type { EventSource } from './event-source.ts';

export interface SourcePattern {
  readonly text: string;
  matches(source: EventSource): boolean;
}

function isCidr(text: string): boolean {
  const [address = ''] = text.split('/');
  return isIP(address) !== 0;
}

export function parseSourcePattern(text: string): SourcePattern {
  const pattern = text.trim();
  if (isCidr(pattern)) {
    const whitelist: Whitelist = createWhitelist([pattern]);
    return {
      text: pattern,
      matches: (source) => source.address !== undefined && whitelist.allows(source.address),
    };
  }
  const colon = pattern.indexOf(':');
  if (colon <= 0 || colon === pattern.length - 1) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `invalid source pattern "${text}": a CIDR, or kind:name (upstream:host:port, gcn:topic, replay:file; "*" at the end matches a prefix)`,
    );
  }
  const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
  return {
    text: pattern,
    matches: (source) =>
      source.address === undefined &&
      (prefix === undefined ? source.name === pattern : source.name.startsWith(prefix)),
  };
}

export function parseSourcePatterns(texts: readonly string[]): SourcePattern[] {
  return texts.filter((t) => t.trim() !== '').map(parseSourcePattern);
}

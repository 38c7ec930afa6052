/**
 * What counts as trusted (issue 12, "authors you can trust").
 *
 * Every event that passes the receiver's whitelist (loopback only by default) is judged by its
 * ivorn's authority (voevent/ivorn-authority.ts) and its source (trust/event-source.ts):
 *
 * 1. Protected authorities. A rule "AUTHORITY@SOURCE" (e.g. "gwnet@gcn:*",
 *    "gwnet@10.1.0.0/16", "nasa.gsfc.gcn@upstream:voevent.gcn.nasa.gov:8099"; AUTHORITY may be
 *    "*.suffix") makes AUTHORITY protected: its events are accepted only from the sources of its
 *    rules, and trusted. From any other source they are refused, with a reason (a nak on VTP).
 * 2. Other authorities. Accepted from every source that got through; trusted when the source
 *    matches one of `trustedSources` (default: loopback authors, VTP subscriptions, GCN Kafka,
 *    replay), untrusted otherwise.
 *
 * Untrusted events are stored, relayed and published as notices like any other (their source is
 * recorded: events.peer, events.input, events.trusted), but their notices never enter the join
 * engine, so that no coincidence is ever made with them.
 */
import { CoincideError } from '../errors.ts';
import { authorityMatches, ivornAuthority } from '../voevent/ivorn-authority.ts';
import { eventSource, type EventSource } from './event-source.ts';
import { parseSourcePattern, parseSourcePatterns, type SourcePattern } from './source-pattern.ts';

/** Loopback authors, every VTP subscription, every GCN Kafka topic, replays. */
export const DEFAULT_TRUSTED_SOURCES: readonly string[] = [
  '127.0.0.0/8',
  '::1/128',
  'upstream:*',
  'gcn:*',
  'replay:*',
];

export type TrustVerdict = { accepted: true; trusted: boolean } | { accepted: false; reason: string };

export interface TrustPolicyOptions {
  /** Sources whose events (of unprotected authorities) may make coincidences. */
  trustedSources?: readonly string[];
  /** "AUTHORITY@SOURCE" rules: the sources allowed to carry each protected authority. */
  authorityRules?: readonly string[];
}

export interface TrustPolicy {
  judge(ivorn: string, input: string, peer: string): TrustVerdict;
}

interface AuthorityRule {
  authority: string;
  source: SourcePattern;
}

function parseAuthorityRule(text: string): AuthorityRule {
  const at = text.indexOf('@');
  const authority = at > 0 ? text.slice(0, at).trim() : '';
  if (authority === '' || at === text.length - 1) {
    throw new CoincideError('CONFIG_INVALID', `invalid authority rule "${text}": expected AUTHORITY@SOURCE`);
  }
  return { authority, source: parseSourcePattern(text.slice(at + 1)) };
}

function describeSource(source: EventSource): string {
  return source.address ?? source.name;
}

export function createTrustPolicy(options: TrustPolicyOptions = {}): TrustPolicy {
  const trusted = parseSourcePatterns(options.trustedSources ?? DEFAULT_TRUSTED_SOURCES);
  const rules = (options.authorityRules ?? []).filter((r) => r.trim() !== '').map(parseAuthorityRule);
  return {
    judge(ivorn, input, peer) {
      const source = eventSource(input, peer);
      const authority = ivornAuthority(ivorn);
      const own =
        authority === undefined ? [] : rules.filter((r) => authorityMatches(authority, r.authority));
      if (own.length > 0) {
        if (own.some((r) => r.source.matches(source))) return { accepted: true, trusted: true };
        return {
          accepted: false,
          reason: `ivorn authority ${authority ?? ''} is not accepted from ${describeSource(source)}`,
        };
      }
      return { accepted: true, trusted: trusted.some((p) => p.matches(source)) };
    },
  };
}

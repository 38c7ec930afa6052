/**
 * What a token may do (scopes) and what it may see (limits).
 *
 * Scopes, one per kind of resource:
 *   stream        the WebSocket stream /v1/stream
 *   notices       GET /v1/notices, /v1/notices/{triggerId}
 *   coincidences  GET /v1/coincidences
 *   events        GET /v1/events/{ivorn} (the raw VOEvents)
 *   metrics       GET /metrics
 *   admin         everything metrics gives, plus the detailed /healthz
 * `read` is shorthand for stream, notices and coincidences.
 *
 * Limits narrow what a token sees on every route and on the stream: when a list is set, a
 * notice is visible only when its role, its observatory and the authority of its ivorn are
 * each in the corresponding list (case-insensitive; authorities may be patterns "*.example.org",
 * src/voevent/ivorn-authority.ts). A coincidence or withdrawal is visible only when every
 * notice in it is (optical alerts are public and never limited). No list = no limit.
 */
import { CoincideError } from '../errors.ts';

export const SCOPES = ['stream', 'notices', 'coincidences', 'events', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a token gets when created without --scope, and what tokens made before scopes existed got. */
export const DEFAULT_SCOPES: readonly Scope[] = ['stream', 'notices', 'coincidences', 'events'];

const SHORTHANDS: Record<string, readonly Scope[]> = {
  read: ['stream', 'notices', 'coincidences'],
};

export interface TokenLimits {
  /** VOEvent roles (observation, test, utility), lowercased. */
  roles?: string[];
  /** Observatories as in Notice.observatory (LVK, Fermi, Swift…), lowercased. */
  observatories?: string[];
  /** Ivorn authorities or patterns (gwnet, nasa.gsfc.gcn, *.example.org), lowercased. */
  authorities?: string[];
}

/** Scope names from the command line or the database: comma- or space-separated, shorthands expanded. */
export function parseScopes(values: readonly string[]): Scope[] {
  const scopes = new Set<Scope>();
  for (const value of values.flatMap((v) => v.split(/[\s,]+/))) {
    const name = value.trim().toLowerCase();
    if (name === '') continue;
    const expanded = SHORTHANDS[name] ?? (SCOPES.includes(name as Scope) ? [name as Scope] : undefined);
    if (expanded === undefined) {
      throw new CoincideError('USAGE', `unknown scope "${value}"; use ${[...SCOPES, 'read'].join(', ')}`);
    }
    for (const scope of expanded) scopes.add(scope);
  }
  return SCOPES.filter((s) => scopes.has(s));
}

/** A limit list from repeated/comma-separated options; undefined when none was given. */
export function parseLimitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  return items.length === 0 ? undefined : [...new Set(items)];
}

/** Limits from raw lists (each comma-separated or repeated; a missing or empty list = no limit). */
export function limitsFromLists(lists: {
  roles?: readonly string[] | undefined;
  observatories?: readonly string[] | undefined;
  authorities?: readonly string[] | undefined;
}): TokenLimits {
  const limits: TokenLimits = {};
  const roles = parseLimitList(lists.roles);
  const observatories = parseLimitList(lists.observatories);
  const authorities = parseLimitList(lists.authorities);
  if (roles) limits.roles = roles;
  if (observatories) limits.observatories = observatories;
  if (authorities) limits.authorities = authorities;
  return limits;
}

/** Whether a token with `scopes` has `scope` (admin includes metrics). */
export function scopesInclude(scopes: readonly Scope[], scope: Scope): boolean {
  return scopes.includes(scope) || (scope === 'metrics' && scopes.includes('admin'));
}

export function hasLimits(limits: TokenLimits): boolean {
  return limits.roles !== undefined || limits.observatories !== undefined || limits.authorities !== undefined;
}

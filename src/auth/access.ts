/**
 * Access decisions, in one place, for every REST route (through the hook of src/http/server.ts
 * and the handlers' visibility filters) and for the WebSocket stream (src/sinks/websocket.ts):
 * whether a token has a scope, and whether it may see a notice, a coincidence or a raw event.
 * The model is documented in src/auth/scopes.ts.
 */
import { CoincideError } from '../errors.ts';
import type { Coincidence, OpticalSummary, TriggerSummary } from '../join/coincidence.ts';
import type { OutboxMessageType } from '../sinks/outbox.ts';
import { ivornHasAuthority } from '../voevent/ivorn-authority.ts';
import { hasLimits, scopesInclude, type Scope, type TokenLimits } from './scopes.ts';
import type { TokenInfo } from './tokens.ts';

/** Throws AUTH_REQUIRED without a valid token, FORBIDDEN when the token lacks `scope`. */
export function checkScope(access: TokenInfo | undefined, scope: Scope): asserts access is TokenInfo {
  if (access === undefined) throw new CoincideError('AUTH_REQUIRED', 'a valid bearer token is required');
  if (!scopesInclude(access.scopes, scope)) {
    throw new CoincideError('FORBIDDEN', `this token lacks the "${scope}" scope`);
  }
}

export function hasScope(access: TokenInfo | undefined, scope: Scope): boolean {
  return access !== undefined && scopesInclude(access.scopes, scope);
}

/** True when the token sees everything (no limits): callers may skip per-record checks. */
export function seesEverything(access: TokenInfo): boolean {
  return !hasLimits(access.limits);
}

/** The parts of a notice that limits look at. */
export interface NoticeFacts {
  ivorn: string;
  role: string;
  observatory: string;
}

const within = (list: string[] | undefined, value: string): boolean =>
  list === undefined || list.includes(value.toLowerCase());

export function canSeeNotice(limits: TokenLimits, notice: NoticeFacts): boolean {
  return (
    within(limits.roles, notice.role) &&
    within(limits.observatories, notice.observatory) &&
    (limits.authorities === undefined || ivornHasAuthority(notice.ivorn, limits.authorities))
  );
}

function isOptical(side: OpticalSummary | TriggerSummary): side is OpticalSummary {
  return 'survey' in side;
}

/** A coincidence (or withdrawal) is visible when each notice in it is; optical alerts are public. */
export function canSeeCoincidence(limits: TokenLimits, c: Coincidence): boolean {
  if (!canSeeNotice(limits, { ivorn: c.trigger.ivorn, role: c.role, observatory: c.trigger.observatory })) {
    return false;
  }
  const other = c.counterpart;
  // A triple is visible only to a token that may see every trigger of it (its partners too).
  for (const p of c.partners ?? [])
    if (!canSeeNotice(limits, { ivorn: p.ivorn, role: c.role, observatory: p.observatory })) return false;
  return (
    isOptical(other) ||
    canSeeNotice(limits, { ivorn: other.ivorn, role: c.role, observatory: other.observatory })
  );
}

/** Whether the token may see one outbox message (`data` is the record's parsed JSON). */
export function canSeeRecord(access: TokenInfo, type: OutboxMessageType, data: unknown): boolean {
  if (seesEverything(access)) return true;
  if (type === 'notice') return canSeeNotice(access.limits, data as NoticeFacts);
  return canSeeCoincidence(access.limits, data as Coincidence);
}

/**
 * Whether the token may see a raw event: its ivorn's authority must be allowed, and when the
 * token is limited by role or observatory, the event's notices must show them (an event that
 * gave no notice cannot show them, so it stays hidden from such a token).
 */
export function canSeeEvent(access: TokenInfo, ivorn: string, notices: readonly NoticeFacts[]): boolean {
  const { limits } = access;
  if (!hasLimits(limits)) return true;
  if (limits.authorities !== undefined && !ivornHasAuthority(ivorn, limits.authorities)) return false;
  if (limits.roles === undefined && limits.observatories === undefined) return true;
  return notices.length > 0 && notices.every((n) => canSeeNotice(limits, n));
}

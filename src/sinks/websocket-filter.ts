/**
 * Per-connection filters of the WebSocket stream, sent by the client in its subscribe message:
 *
 *   {"type":"subscribe","since":123,"filters":{
 *      "types":["coincidence","withdrawn"], "messengers":["gw","gamma"], "observatories":["LVK"],
 *      "roles":["observation"], "tiers":["gold","silver"], "maxPChance":0.01,
 *      "region":{"raDeg":197.45,"decDeg":-23.38,"radiusDeg":10}, "noticeTypes":["LVK_PRELIMINARY"],
 *      "pairTypes":["mm-mm-optical"]}}
 *
 * messengers, roles and tiers take known values only (an unknown one, e.g. tier "platinum", is
 * refused rather than matching nothing). The same filters may be given as query parameters of
 * the stream URL (websocket-query.ts).
 *
 * Every given criterion must hold (AND); inside one list any value may match (OR). Strings
 * compare case-insensitively. A criterion that does not apply to a message type passes it:
 * tiers, pairTypes and maxPChance apply to coincidences and withdrawals only. For a
 * coincidence, the messenger/observatory/noticeType criteria match either side of the pair, and
 * any trigger of a triple (an optical counterpart has messenger "optical" and its survey as
 * observatory); pairTypes are mm-optical, mm-mm and mm-mm-optical (triples). The sky region (a
 * cone) is tested against the optical candidate's position, or against the notice's
 * localisation: a circle or ellipse matches when it may overlap the cone (centre separation
 * <= cone radius + its radius or semi-major axis); a localisation with no centre (sky map
 * with no published centre, or none) cannot be excluded and passes.
 */
import { CoincideError } from '../errors.ts';
import type { Coincidence, OpticalSummary, PairType, Tier, TriggerSummary } from '../join/coincidence.ts';
import type { Messenger, Notice, NoticeRole } from '../notices/notice.ts';
import { angularDistanceDeg } from '../sky/angles.ts';
import type { OutboxMessageType } from './outbox.ts';

export interface ConeFilter {
  raDeg: number;
  decDeg: number;
  radiusDeg: number;
}

export interface StreamFilters {
  types?: OutboxMessageType[];
  messengers?: string[];
  observatories?: string[];
  roles?: string[];
  tiers?: string[];
  maxPChance?: number;
  region?: ConeFilter;
  noticeTypes?: string[];
  pairTypes?: string[];
}

const MESSAGE_TYPES: readonly OutboxMessageType[] = ['notice', 'coincidence', 'withdrawn'];
const LIST_KEYS = [
  'types',
  'messengers',
  'observatories',
  'roles',
  'tiers',
  'noticeTypes',
  'pairTypes',
] as const;
/** The values a closed-vocabulary filter may take (lower case); others are refused, not ignored. */
const ALLOWED: Partial<Record<(typeof LIST_KEYS)[number], readonly string[]>> = {
  messengers: ['gamma', 'xray', 'gw', 'neutrino', 'optical', 'radio', 'other'] satisfies readonly Messenger[],
  roles: ['observation', 'test', 'utility', 'prediction'] satisfies readonly NoticeRole[],
  tiers: ['gold', 'silver', 'bronze'] satisfies readonly Tier[],
  pairTypes: ['mm-optical', 'mm-mm', 'mm-mm-optical'] satisfies readonly PairType[],
};

function bad(message: string): never {
  throw new CoincideError('BAD_REQUEST', message);
}

/** Validates the `filters` object of a subscribe message (unknown keys are refused). */
export function parseStreamFilters(value: unknown): StreamFilters {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) bad('filters must be an object');
  const input = value as Record<string, unknown>;
  const filters: StreamFilters = {};
  for (const key of Object.keys(input)) {
    if (![...LIST_KEYS, 'maxPChance', 'region'].includes(key)) bad(`unknown filter "${key}"`);
  }
  for (const key of LIST_KEYS) {
    const list = input[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) {
      bad(`filter "${key}" must be a list of strings`);
    }
    if (key === 'types') {
      for (const type of list) {
        if (!MESSAGE_TYPES.includes(type as OutboxMessageType)) bad(`unknown message type "${type}"`);
      }
      filters.types = list as OutboxMessageType[];
    } else {
      const values = list.map((item) => item.toLowerCase());
      const allowed = ALLOWED[key];
      const unknown = allowed === undefined ? undefined : values.find((v) => !allowed.includes(v));
      if (allowed !== undefined && unknown !== undefined) {
        bad(`unknown ${key.slice(0, -1)} "${unknown}" (one of ${allowed.join(', ')})`);
      }
      filters[key] = values;
    }
  }
  if (input.maxPChance !== undefined) {
    const p = input.maxPChance;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) bad('filter "maxPChance" must be a number in [0, 1]');
    filters.maxPChance = p;
  }
  if (input.region !== undefined) {
    const r: Record<string, unknown> =
      input.region !== null && typeof input.region === 'object'
        ? (input.region as Record<string, unknown>)
        : {};
    const { raDeg, decDeg, radiusDeg } = r;
    if (
      typeof raDeg !== 'number' ||
      typeof decDeg !== 'number' ||
      typeof radiusDeg !== 'number' ||
      !(raDeg >= 0 && raDeg <= 360 && decDeg >= -90 && decDeg <= 90 && radiusDeg > 0 && radiusDeg <= 180)
    ) {
      bad('filter "region" must be {raDeg in [0,360], decDeg in [-90,90], radiusDeg in (0,180]}');
    }
    filters.region = { raDeg, decDeg, radiusDeg };
  }
  return filters;
}

const anyOf = (wanted: string[] | undefined, values: Array<string | undefined>): boolean =>
  wanted === undefined || values.some((v) => v !== undefined && wanted.includes(v.toLowerCase()));

function isOptical(side: OpticalSummary | TriggerSummary): side is OpticalSummary {
  return 'survey' in side;
}

function noticeInCone(notice: Notice, cone: ConeFilter): boolean {
  const region = notice.region;
  switch (region.type) {
    case 'circle':
      return (
        angularDistanceDeg(cone.raDeg, cone.decDeg, region.raDeg, region.decDeg) <=
        cone.radiusDeg + region.radiusDeg
      );
    case 'ellipse':
      return (
        angularDistanceDeg(cone.raDeg, cone.decDeg, region.raDeg, region.decDeg) <=
        cone.radiusDeg + region.semiMajorDeg
      );
    case 'skymap':
    case 'none':
      return true;
  }
}

function matchesNotice(notice: Notice, f: StreamFilters): boolean {
  return (
    anyOf(f.messengers, [notice.messenger]) &&
    anyOf(f.observatories, [notice.observatory]) &&
    anyOf(f.roles, [notice.role]) &&
    anyOf(f.noticeTypes, [notice.noticeType]) &&
    (f.region === undefined || noticeInCone(notice, f.region))
  );
}

function matchesCoincidence(c: Coincidence, f: StreamFilters): boolean {
  const other = c.counterpart;
  const otherMessenger = isOptical(other) ? 'optical' : other.messenger;
  const otherObservatory = isOptical(other) ? other.survey : other.observatory;
  const otherType = isOptical(other) ? undefined : other.noticeType;
  const partners = c.partners ?? [];
  if (!anyOf(f.messengers, [c.trigger.messenger, otherMessenger, ...partners.map((p) => p.messenger)]))
    return false;
  if (
    !anyOf(f.observatories, [c.trigger.observatory, otherObservatory, ...partners.map((p) => p.observatory)])
  )
    return false;
  if (!anyOf(f.roles, [c.role])) return false;
  if (!anyOf(f.noticeTypes, [c.trigger.noticeType, otherType, ...partners.map((p) => p.noticeType)]))
    return false;
  if (!anyOf(f.pairTypes, [c.pairType])) return false;
  if (f.tiers !== undefined && (c.tier === null || !f.tiers.includes(c.tier))) return false;
  if (f.maxPChance !== undefined && !(c.pChance <= f.maxPChance)) return false;
  if (f.region !== undefined && isOptical(other)) {
    if (angularDistanceDeg(f.region.raDeg, f.region.decDeg, other.raDeg, other.decDeg) > f.region.radiusDeg)
      return false;
  }
  return true;
}

/** Whether one outbox message passes a client's filters. */
export function matchesFilters(type: OutboxMessageType, data: unknown, filters: StreamFilters): boolean {
  if (filters.types !== undefined && !filters.types.includes(type)) return false;
  if (type === 'notice') return matchesNotice(data as Notice, filters);
  return matchesCoincidence(data as Coincidence, filters);
}

/** True when no criterion is set (every message passes; the hub then skips JSON parsing). */
export function isEmptyFilter(filters: StreamFilters): boolean {
  return Object.keys(filters).length === 0;
}

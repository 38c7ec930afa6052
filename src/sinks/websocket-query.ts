/**
 * The stream's start and filters given as query parameters of the WebSocket URL, so that a
 * client that never sends a byte (websocat, a browser's `new WebSocket(url)`) still chooses
 * what it gets:
 *
 *   /v1/stream?since=120&messenger=gw,gamma&tier=gold,silver&region=197.45,-23.38,10
 *
 * Each list filter of websocket-filter.ts is one parameter, singular or plural
 * (`messenger`/`messengers`, `type`/`types`, `observatory`, `role`, `tier`, `noticeType`),
 * comma-separated or repeated; `maxPChance` is a number; `region` is `RA,DEC,RADIUS` in
 * degrees; `since` is an outbox seq. `token` is the credential and is not a filter. Unknown
 * parameters and values are refused (the connection is closed with 1008 and the reason), as an
 * unknown key of a subscribe message is.
 */
import { CoincideError } from '../errors.ts';
import { isCursorText } from '../cluster/stream-cursor.ts';
import { parseStreamFilters, type StreamFilters } from './websocket-filter.ts';

export interface StreamQuery {
  /** Replay every stored message after this seq (or stream cursor, cluster mode) first; absent = start at the present. */
  since?: number | string;
  filters: StreamFilters;
}

/** Query parameter name → filter key. */
const LIST_PARAMS: Readonly<Record<string, string>> = {
  type: 'types',
  types: 'types',
  messenger: 'messengers',
  messengers: 'messengers',
  observatory: 'observatories',
  observatories: 'observatories',
  role: 'roles',
  roles: 'roles',
  tier: 'tiers',
  tiers: 'tiers',
  noticeType: 'noticeTypes',
  noticeTypes: 'noticeTypes',
  pairType: 'pairTypes',
  pairTypes: 'pairTypes',
};

function bad(message: string): never {
  throw new CoincideError('BAD_REQUEST', message);
}

function finiteNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) bad(`${name} must be a number, not "${text}"`);
  return value;
}

/** Parses the query of a stream URL; throws BAD_REQUEST naming the parameter at fault. */
export function parseStreamQuery(params: URLSearchParams): StreamQuery {
  const raw: Record<string, unknown> = {};
  let since: number | string | undefined;
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (name === 'token') continue;
    if (name === 'since') {
      const text = values.at(-1) ?? '';
      // A stream cursor (cluster mode, src/cluster/stream-cursor.ts) is passed on as text.
      if (isCursorText(text)) {
        since = text;
        continue;
      }
      if (!/^\d+$/.test(text)) bad(`since must be an integer seq >= 0, not "${text}"`);
      since = Number(text);
      continue;
    }
    if (name === 'maxPChance') {
      raw.maxPChance = finiteNumber(name, values.at(-1) ?? '');
      continue;
    }
    if (name === 'region') {
      const parts = (values.at(-1) ?? '').split(',');
      if (parts.length !== 3) bad('region must be RA,DEC,RADIUS in degrees');
      const [raDeg, decDeg, radiusDeg] = parts.map((p) => finiteNumber('region', p));
      raw.region = { raDeg, decDeg, radiusDeg };
      continue;
    }
    const key = LIST_PARAMS[name];
    if (key === undefined) bad(`unknown parameter "${name}"`);
    const list = values.flatMap((v) => v.split(',')).map((v) => v.trim());
    if (list.some((v) => v === '')) bad(`${name} has an empty value`);
    raw[key] = [...((raw[key] as string[] | undefined) ?? []), ...list];
  }
  const filters = parseStreamFilters(raw);
  return since === undefined ? { filters } : { since, filters };
}

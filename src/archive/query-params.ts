/**
 * Archive queries from name=value parameters: the one parser behind GET /v1/notices and
 * `coincide search` (whose flags have the same names), so the two accept the same queries.
 *
 *   triggerFrom, triggerTo      trigger time bounds: ISO 8601 UTC or MJD (a number)
 *   receivedFrom, receivedTo    receipt time bounds: ISO 8601 UTC
 *   messenger, observatory, instrument, noticeType, role, alertType
 *                               one value or several (comma-separated or repeated), any case
 *   retracted                   true | false (the trigger has / has not been retracted)
 *   farMin, farMax              FAR bounds, Hz
 *   pAstroMin, pAstroMax        pAstro bounds
 *   q                           substring of the event name or trigger id (any case)
 *   ra, dec                     position, degrees: regions containing the point
 *   ra, dec, radius             cone, degrees: regions overlapping the cone
 *   moc                         an IVOA MOC 2.0 (ASCII "3/1-4 5/…" or JSON): regions overlapping it
 *   level                       credible level of position queries, percent (default 90)
 *   order                       asc | desc (by trigger time; default asc)
 *   limit, cursor               page size and the nextCursor of the previous page
 *   format                      json | csv | voevent
 * Errors are CoincideError BAD_REQUEST with a one-line message.
 */
import { CoincideError } from '../errors.ts';
import { parseUtcIsoMs } from '../notices/notice-time.ts';
import { parseMocAscii, parseMocJson } from '../sky/moc-io.ts';
import type { Moc } from '../sky/moc.ts';
import { unixMsToMjd } from '../time/mjd.ts';
import { MAX_SEARCH_LIMIT, type ArchiveQuery } from './search.ts';

export type ArchiveFormat = 'json' | 'csv' | 'voevent';

export const ARCHIVE_QUERY_PARAMS = [
  'triggerFrom',
  'triggerTo',
  'receivedFrom',
  'receivedTo',
  'messenger',
  'observatory',
  'instrument',
  'noticeType',
  'role',
  'alertType',
  'retracted',
  'farMin',
  'farMax',
  'pAstroMin',
  'pAstroMax',
  'q',
  'ra',
  'dec',
  'radius',
  'moc',
  'level',
  'order',
  'limit',
  'cursor',
  'format',
] as const;

export type ArchiveQueryParam = (typeof ARCHIVE_QUERY_PARAMS)[number];

/** What each parameter means (OpenAPI and CLI help). */
export const ARCHIVE_PARAM_DESCRIPTIONS: Readonly<Record<ArchiveQueryParam, string>> = {
  triggerFrom: 'Trigger time ≥ this: ISO 8601 UTC or MJD.',
  triggerTo: 'Trigger time ≤ this: ISO 8601 UTC or MJD.',
  receivedFrom: 'First received ≥ this: ISO 8601 UTC.',
  receivedTo: 'First received ≤ this: ISO 8601 UTC.',
  messenger: 'gamma, xray, gw, neutrino, optical, radio, other (several: comma-separated).',
  observatory: 'e.g. Fermi, Swift, LVK, IceCube (any case; several: comma-separated).',
  instrument: 'e.g. GBM, BAT, WXT (any case; several: comma-separated).',
  noticeType: 'The publisher notice type, e.g. Fermi_GBM_Gnd_Pos (several: comma-separated).',
  role: 'observation, test, utility, prediction (several: comma-separated).',
  alertType: 'preliminary, initial, update, retraction (several: comma-separated).',
  retracted: 'true: notices of triggers that were retracted; false: of triggers that were not.',
  farMin: 'FAR ≥ this, Hz (notices without a FAR are left out).',
  farMax: 'FAR ≤ this, Hz (notices without a FAR are left out).',
  pAstroMin: 'pAstro ≥ this (notices without pAstro are left out).',
  pAstroMax: 'pAstro ≤ this (notices without pAstro are left out).',
  q: 'Free text: a substring of the event name or trigger id (any case).',
  ra: 'Right ascension, degrees (with dec: notices whose credible region contains the point).',
  dec: 'Declination, degrees.',
  radius: 'Cone radius, degrees (with ra, dec: notices whose credible region overlaps the cone).',
  moc: 'An IVOA MOC 2.0 (ASCII or JSON): notices whose credible region overlaps it; empty with POST: the MOC is the body.',
  level: 'Credible level of position queries, percent: 50 or 90 (default 90).',
  order: 'asc or desc, by trigger time (default asc).',
  limit: 'Page size.',
  cursor: 'The nextCursor of the previous page.',
  format: 'json (default), csv, or voevent (the raw events, multipart/mixed).',
};

/** Parameter values by name (repeated parameters give several values). */
export type ParamSource = (name: ArchiveQueryParam) => readonly string[];

function bad(message: string): CoincideError {
  return new CoincideError('BAD_REQUEST', message);
}

function number(name: string, text: string, min = -Infinity, max = Infinity): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw bad(`${name} must be a number in [${min}, ${max}]`);
  return value;
}

function timeMs(name: string, text: string): number {
  const ms = parseUtcIsoMs(text);
  if (ms === undefined) throw bad(`${name} must be an ISO 8601 UTC time (e.g. 2025-01-01T00:00:00Z)`);
  return ms;
}

function timeMjd(name: string, text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return number(name, text);
  return unixMsToMjd(timeMs(name, text));
}

/** Parses an IVOA MOC given as ASCII or JSON text. */
export function parseMocText(text: string): Moc {
  const trimmed = text.trim();
  if (trimmed === '') throw bad('moc is empty');
  try {
    return trimmed.startsWith('{') ? parseMocJson(trimmed) : parseMocAscii(trimmed);
  } catch (error) {
    throw bad(
      `moc is not an IVOA MOC (ASCII or JSON): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export interface ParsedArchiveQuery {
  query: ArchiveQuery;
  format: ArchiveFormat;
}

/**
 * Builds the query. `mocBody`: the request body, used when `moc` is given empty (the MOC is in
 * the body rather than in the query string).
 */
export function parseArchiveQuery(get: ParamSource, mocBody?: string): ParsedArchiveQuery {
  const one = (name: ArchiveQueryParam): string | undefined => {
    const values = get(name);
    if (values.length > 1) throw bad(`${name} is given more than once`);
    return values[0];
  };
  const list = (name: ArchiveQueryParam): string[] | undefined => {
    const values = get(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return values.length > 0 ? values : undefined;
  };
  const query: ArchiveQuery = {};
  const set = <K extends keyof ArchiveQuery>(key: K, value: ArchiveQuery[K] | undefined): void => {
    if (value !== undefined) query[key] = value;
  };
  const text = (name: ArchiveQueryParam, parse: (t: string) => number): number | undefined => {
    const t = one(name);
    return t === undefined ? undefined : parse(t);
  };
  set(
    'triggerFromMjd',
    text('triggerFrom', (t) => timeMjd('triggerFrom', t)),
  );
  set(
    'triggerToMjd',
    text('triggerTo', (t) => timeMjd('triggerTo', t)),
  );
  set(
    'receivedFromMs',
    text('receivedFrom', (t) => timeMs('receivedFrom', t)),
  );
  set(
    'receivedToMs',
    text('receivedTo', (t) => timeMs('receivedTo', t)),
  );
  set('messengers', list('messenger'));
  set('observatories', list('observatory'));
  set('instruments', list('instrument'));
  set('noticeTypes', list('noticeType'));
  set('roles', list('role'));
  set('alertTypes', list('alertType'));
  const retracted = one('retracted');
  if (retracted !== undefined) {
    if (retracted !== 'true' && retracted !== 'false') throw bad('retracted must be true or false');
    query.retracted = retracted === 'true';
  }
  set(
    'farMinHz',
    text('farMin', (t) => number('farMin', t, 0)),
  );
  set(
    'farMaxHz',
    text('farMax', (t) => number('farMax', t, 0)),
  );
  set(
    'pAstroMin',
    text('pAstroMin', (t) => number('pAstroMin', t, 0, 1)),
  );
  set(
    'pAstroMax',
    text('pAstroMax', (t) => number('pAstroMax', t, 0, 1)),
  );
  const q = one('q');
  if (q !== undefined && q.trim() !== '') query.text = q.trim();

  const ra = text('ra', (t) => number('ra', t, 0, 360));
  const dec = text('dec', (t) => number('dec', t, -90, 90));
  const radius = text('radius', (t) => number('radius', t, 0, 180));
  const moc = one('moc');
  if ((ra === undefined) !== (dec === undefined)) throw bad('ra and dec go together');
  if (radius !== undefined && ra === undefined) throw bad('radius needs ra and dec');
  if (radius !== undefined && !(radius > 0)) throw bad('radius must be > 0');
  if (moc !== undefined && ra !== undefined) throw bad('give either ra/dec(/radius) or moc, not both');
  if (ra !== undefined && dec !== undefined) {
    query.position =
      radius === undefined
        ? { kind: 'point', raDeg: ra, decDeg: dec }
        : { kind: 'cone', raDeg: ra, decDeg: dec, radiusDeg: radius };
  } else if (moc !== undefined) {
    const mocText = moc.trim() === '' ? (mocBody ?? '') : moc;
    query.position = { kind: 'moc', moc: parseMocText(mocText) };
  }
  const level = text('level', (t) => number('level', t, 1, 99));
  if (level !== undefined) {
    if (!query.position) throw bad('level applies to position queries (ra/dec or moc)');
    query.levelPct = level;
  }
  const order = one('order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw bad('order must be asc or desc');
    query.order = order;
  }
  const limit = text('limit', (t) => number('limit', t, 1, MAX_SEARCH_LIMIT));
  if (limit !== undefined) {
    if (!Number.isInteger(limit)) throw bad('limit must be an integer');
    query.limit = limit;
  }
  set('cursor', one('cursor'));
  const format = one('format') ?? 'json';
  if (format !== 'json' && format !== 'csv' && format !== 'voevent')
    throw bad('format must be json, csv or voevent');
  return { query, format };
}

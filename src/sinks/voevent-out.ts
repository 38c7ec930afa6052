/**
 * Coincidences and withdrawals as VOEvent 2.0 packets (IVOA VOEvent 2.0 Recommendation),
 * valid against the VOEvent 2.0 schema, for VTP networks (SVOM, GRANDMA, Comet brokers):
 *
 *  - ivorn: `<localIvo>#coincidence-<id>-<seq>`, under the configured local IVO; the outbox seq
 *    makes every packet's ivorn unique while the coincidence id stays stable;
 *  - role: the coincidence's role (observation, or test for test triggers);
 *  - Who: AuthorIVORN = local IVO, Date = time of writing;
 *  - What: top-level Params carry the score (p_chance, far_hz, tier) and the pair
 *    (separation_deg, dt_seconds…); Groups Trigger, Counterpart and Provenance carry the rest;
 *    a triple (pair_type mm-mm-optical) adds a Group Partner per other trigger of its messenger
 *    pair and the Param pair_ids (the pair records it was built from);
 *  - WhereWhen: the optical candidate's position and detection time (UTC-ICRS-TOPO; the
 *    position error is the survey's astrometric precision, OPTICAL_POSITION_ERROR_DEG); for a
 *    messenger × messenger pair, the counterpart trigger's time only;
 *  - Why: importance = Inference probability = 1 − pChance (the complement of the chance
 *    probability, not a calibrated association probability);
 *  - Citations: the trigger's ivorn (and a triple's partners', cite="followup"); a withdrawal also cites the packet it
 *    withdraws (cite="retraction"), and a re-evaluation the packet it replaces ("supersedes").
 */
import type { Coincidence, OpticalSummary, TriggerSummary } from '../join/coincidence.ts';
import { mjdToIso } from '../time/mjd.ts';

export const VOEVENT_NAMESPACE = 'http://www.ivoa.net/xml/VOEvent/v2.0';
/** Astrometric precision of ZTF and Rubin difference-image positions, ~1 arcsec, degrees. */
export const OPTICAL_POSITION_ERROR_DEG = 1 / 3600;
export const AUTHOR_SHORT_NAME = 'coincide';

export interface CoincidenceVoEventOptions {
  localIvo: string;
  /** The outbox seq of this message (unique per packet). */
  seq: number;
  /** Time of writing (Who/Date), Unix ms. */
  nowMs: number;
  /** The ivorn of the last packet sent for the same coincidence id, if any. */
  previousIvorn?: string;
}

export interface CoincidenceVoEvent {
  ivorn: string;
  xml: string;
}

/** XML escaping for text and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function isOptical(side: OpticalSummary | TriggerSummary): side is OpticalSummary {
  return 'survey' in side;
}

/** The local-ID-safe form of a coincidence id (letters, digits, '.', '_', '-'). */
export function localIdOf(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

type ParamType = 'string' | 'float' | 'int';

function param(name: string, value: string | number, options: { unit?: string; ucd?: string } = {}): string {
  const dataType: ParamType =
    typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : 'string';
  const unit = options.unit === undefined ? '' : ` unit="${escapeXml(options.unit)}"`;
  const ucd = options.ucd === undefined ? '' : ` ucd="${escapeXml(options.ucd)}"`;
  return `<Param name="${escapeXml(name)}" value="${escapeXml(String(value))}" dataType="${dataType}"${unit}${ucd}/>`;
}

function group(name: string, params: string[]): string {
  return `<Group name="${escapeXml(name)}">${params.join('')}</Group>`;
}

function triggerParams(prefix: string, t: TriggerSummary): string[] {
  return [
    param(`${prefix}_id`, t.triggerId),
    param(`${prefix}_ivorn`, t.ivorn),
    param('messenger', t.messenger),
    param('observatory', t.observatory),
    param('notice_type', t.noticeType),
    param(`${prefix}_time`, t.triggerTime),
    ...(t.revision === undefined ? [] : [param('revision', t.revision)]),
  ];
}

function whereWhen(c: Coincidence): string {
  const other = c.counterpart;
  const timeIso = (isOptical(other) ? mjdToIso(other.timeMjd) : other.triggerTime).replace(/Z$/, '');
  const time = `<Time unit="s"><TimeInstant><ISOTime>${escapeXml(timeIso)}</ISOTime></TimeInstant></Time>`;
  const position = isOptical(other)
    ? `<Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>${other.raDeg}</C1><C2>${other.decDeg}</C2></Value2><Error2Radius>${OPTICAL_POSITION_ERROR_DEG}</Error2Radius></Position2D>`
    : '';
  const observatory = isOptical(other) ? 'GEOSURFACE' : 'GEOLUN';
  return (
    `<WhereWhen><ObsDataLocation><ObservatoryLocation id="${observatory}"/>` +
    `<ObservationLocation><AstroCoordSystem id="UTC-ICRS-TOPO"/>` +
    `<AstroCoords coord_system_id="UTC-ICRS-TOPO">${time}${position}</AstroCoords>` +
    `</ObservationLocation></ObsDataLocation></WhereWhen>`
  );
}

/** Builds the VOEvent 2.0 packet of one coincidence or withdrawal. */
export function buildCoincidenceVoEvent(
  c: Coincidence,
  options: CoincidenceVoEventOptions,
): CoincidenceVoEvent {
  const ivorn = `${options.localIvo}#coincidence-${localIdOf(c.id)}-${options.seq}`;
  const withdrawn = c.status === 'withdrawn';
  const other = c.counterpart;
  const p = c.provenance;
  const topParams = [
    param('coincidence_id', c.id),
    param('status', c.status),
    param('pair_type', c.pairType),
    param('p_chance', c.pChance, { ucd: 'stat.probability' }),
    ...(c.farHz === undefined ? [] : [param('far_hz', c.farHz, { unit: 'Hz', ucd: 'stat.fdr' })]),
    param('tier', c.tier ?? 'none'),
    ...(c.separationDeg === null
      ? []
      : [param('separation_deg', c.separationDeg, { unit: 'deg', ucd: 'pos.angDistance' })]),
    param('dt_seconds', c.dtSeconds, { unit: 's', ucd: 'time.interval' }),
    ...(c.credibleLevel === undefined ? [] : [param('credible_level', c.credibleLevel)]),
    // Triples: the ids of the pair records they were built from (messenger pair first).
    ...(c.pairIds === undefined ? [] : [param('pair_ids', c.pairIds.join(','))]),
  ];
  const partners = (c.partners ?? []).map((t) => group('Partner', triggerParams('partner', t)));
  const counterpart = isOptical(other)
    ? group('Counterpart', [
        param('survey', other.survey),
        param('object_id', other.objectId),
        // 64-bit identifiers stay exact: written as the decimal string they are carried as.
        param('alert_id', other.alertId),
        param('ra', other.raDeg, { unit: 'deg', ucd: 'pos.eq.ra' }),
        param('dec', other.decDeg, { unit: 'deg', ucd: 'pos.eq.dec' }),
        param('time_mjd', other.timeMjd, { unit: 'd' }),
        param('first_detection_mjd', other.firstDetectionMjd, { unit: 'd' }),
      ])
    : group('Counterpart', triggerParams('counterpart', other));
  const provenance = group('Provenance', [
    param('formula_version', p.formulaVersion),
    param('region_hash', p.regionHash),
    param('window_start_sec', p.window.startSec, { unit: 's' }),
    param('window_end_sec', p.window.endSec, { unit: 's' }),
    param('alert_ids', p.alertIds.join(',')),
    ...Object.entries(p.rates).map(([name, value]) => param(`rate_${name}`, value)),
  ]);
  const probability = Math.min(1, Math.max(0, 1 - c.pChance));
  const citations = [
    `<EventIVORN cite="followup">${escapeXml(c.trigger.ivorn)}</EventIVORN>`,
    ...(c.partners ?? []).map((t) => `<EventIVORN cite="followup">${escapeXml(t.ivorn)}</EventIVORN>`),
    ...(options.previousIvorn === undefined
      ? []
      : [
          `<EventIVORN cite="${withdrawn ? 'retraction' : 'supersedes'}">${escapeXml(options.previousIvorn)}</EventIVORN>`,
        ]),
  ];
  const description = withdrawn
    ? `Withdrawal of coincidence ${c.id}: the pair no longer matches (revision or retraction of ${c.trigger.triggerId}).`
    : `Coincidence ${c.id} between ${[c.trigger, ...(c.partners ?? [])].map((t) => t.triggerId).join(', ')} and ${isOptical(other) ? `${other.survey} ${other.objectId}` : other.triggerId}.`;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<voe:VOEvent xmlns:voe="${VOEVENT_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xsi:schemaLocation="${VOEVENT_NAMESPACE} http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd" ` +
    `version="2.0" role="${c.role}" ivorn="${escapeXml(ivorn)}">` +
    `<Who><AuthorIVORN>${escapeXml(options.localIvo)}</AuthorIVORN>` +
    `<Date>${new Date(options.nowMs).toISOString().replace(/Z$/, '')}</Date>` +
    `<Author><shortName>${AUTHOR_SHORT_NAME}</shortName></Author></Who>` +
    `<What>${topParams.join('')}${group('Trigger', triggerParams('trigger', c.trigger))}${partners.join('')}${counterpart}${provenance}</What>` +
    whereWhen(c) +
    `<How><Description>coincide multi-messenger coincidence engine, formula ${escapeXml(p.formulaVersion)}</Description></How>` +
    `<Why importance="${probability}"><Inference probability="${probability}" relation="associated">` +
    `<Concept>multi-messenger coincidence</Concept></Inference></Why>` +
    `<Citations>${citations.join('')}<Description>${escapeXml(description)}</Description></Citations>` +
    `<Description>${escapeXml(description)}</Description>` +
    `</voe:VOEvent>\n`;
  return { ivorn, xml };
}

/**
 * GCN unified-schema JSON notices (nasa-gcn/gcn-schema; notices.md §13) -> Notice.
 *
 *   trigger_time (else observation_start)   -> triggerTime (UTC even without Z, as SVOM writes it)
 *   alert_datetime                           -> issuedTime
 *   id (string or list), event_name          -> triggerId "<Observatory>:<id>", eventName
 *   alert_type                               -> alertType (subsequent: a new id, so initial)
 *   alert_tense test | injection             -> role test, mock;  planned -> prediction
 *   record_number                            -> revision
 *   Localization                             -> region (localization.ts)
 *   far (Hz), p_astro, classification        -> farHz, pAstro, classification (most probable)
 *   nu_energy (TeV, IceCube)                 -> energyTeV
 *   slew_status (SVOM), potential_counterpart (KM3NeT) -> flags
 * JSON notices have no ivorn: one is made as
 *   urn:coincide:gcn-json:<noticeType>:<triggerId>:<first 16 hex of the input's SHA-256>.
 */
import { CoincideError } from '../../errors.ts';
import { alertTypeFromWord } from '../alert-type.ts';
import { einsteinProbeTriggerId } from '../einstein-probe.ts';
import { finishNotice, mostProbableClass } from '../notice-build.ts';
import type { Notice, NoticeRole } from '../notice.ts';
import { parseUtcIsoMs } from '../notice-time.ts';
import {
  firstString,
  flattenParams,
  numberField,
  probabilityField,
  stringField,
  type JsonObject,
} from './json-values.ts';
import { regionFromLocalization } from './localization.ts';
import { GCN_JSON_MISSIONS, INSTRUMENT_MESSENGERS, type MissionInfo } from './missions.ts';

function roleOf(json: JsonObject, path: string | undefined): NoticeRole {
  const tense = stringField(json, 'alert_tense')?.toLowerCase();
  if (tense === 'test' || tense === 'injection' || path?.endsWith('/test') === true) return 'test';
  if (tense === 'planned') return 'prediction';
  return 'observation';
}

function triggerIdOf(
  json: JsonObject,
  missionKey: string,
  mission: MissionInfo,
  instrument: string,
): string | undefined {
  if (missionKey === 'einstein_probe') return einsteinProbeTriggerId(json);
  // Fermi instruments other than GBM have their own trigger numbering (see fermi-lat.ts).
  const namespace =
    mission.observatory === 'Fermi' && instrument !== 'GBM' ? `Fermi-${instrument}` : mission.observatory;
  const id = firstString(json, 'id');
  if (id !== undefined) return `${namespace}:${id}`;
  const ref = stringField(json, 'ref_ID');
  if (ref !== undefined) return `${namespace}:LVK-${ref}`;
  const name = firstString(json, 'event_name');
  const time = stringField(json, 'trigger_time') ?? stringField(json, 'observation_start');
  if (name !== undefined) return `${namespace}:${name}${time === undefined ? '' : `@${time}`}`;
  return undefined;
}

/**
 * Normalises one unified-schema notice. `path` is the $schema path after /gcn/notices/
 * ("fermi/gbm/trigger"), undefined for schema-less payloads (then `mission` decides).
 */
export function normaliseUnifiedNotice(
  json: JsonObject,
  path: string | undefined,
  sourceSha256: string,
): Notice {
  const missionField = stringField(json, 'mission')?.toLowerCase();
  const missionKey = path?.split('/')[0] ?? missionField ?? '';
  const mission: MissionInfo = GCN_JSON_MISSIONS[missionKey] ??
    (missionField !== undefined ? GCN_JSON_MISSIONS[missionField] : undefined) ?? {
      observatory: stringField(json, 'mission') ?? missionKey,
      messenger: 'other',
      instrument: stringField(json, 'mission') ?? missionKey,
    };
  if (mission.observatory.length === 0) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      'a JSON document with neither a GCN notice $schema nor a mission',
    );
  }
  const instrument = stringField(json, 'instrument') ?? mission.instrument;
  const timeText = stringField(json, 'trigger_time') ?? stringField(json, 'observation_start');
  if (timeText === undefined) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      `a ${mission.observatory} JSON document with no trigger_time: not a trigger notice`,
    );
  }
  const timeMs = parseUtcIsoMs(timeText);
  if (timeMs === undefined)
    throw new CoincideError('NOTICE_BAD_VALUE', `trigger_time "${timeText}" is not an ISO 8601 time`);
  const issuedText = stringField(json, 'alert_datetime');
  const issuedMs = issuedText === undefined ? undefined : parseUtcIsoMs(issuedText);
  const triggerId = triggerIdOf(json, missionKey, mission, instrument);
  if (triggerId === undefined)
    throw new CoincideError('NOTICE_BAD_VALUE', `the ${mission.observatory} notice has no id`);
  const subtype = stringField(json, 'subtype');
  const topic = path === undefined ? `gcn.notices.${missionKey}` : `gcn.notices.${path.replace(/\//g, '.')}`;
  const noticeType = subtype === undefined ? topic : `${topic}/${subtype}`;
  const role = roleOf(json, path);
  const far = numberField(json, 'far');
  const pAstro = numberField(json, 'p_astro');
  const classes = probabilityField(json, 'classification');
  const classification = classes === undefined ? undefined : mostProbableClass(classes);
  const energyTeV = numberField(json, 'nu_energy');
  const eventName = firstString(json, 'event_name');
  const flags: string[] = [];
  const slew = stringField(json, 'slew_status');
  if (slew !== undefined) flags.push(`slew-${slew.toLowerCase().replace(/_/g, '-')}`);
  if (json.potential_counterpart === true) flags.push('potential-counterpart');
  if (json.human_in_the_loop === true) flags.push('human-in-the-loop');
  return finishNotice({
    ivorn: `urn:coincide:gcn-json:${noticeType}:${triggerId}:${sourceSha256.slice(0, 16)}`,
    role,
    messenger: INSTRUMENT_MESSENGERS[instrument.toUpperCase()] ?? mission.messenger,
    observatory: mission.observatory,
    instrument,
    noticeType,
    triggerId,
    ...(eventName === undefined ? {} : { eventName }),
    alertType: alertTypeFromWord(stringField(json, 'alert_type')) ?? 'initial',
    revision: numberField(json, 'record_number'),
    triggerTimeMs: timeMs,
    issuedTimeMs: issuedMs,
    region: regionFromLocalization(json),
    ...(far === undefined ? {} : { farHz: far }),
    ...(pAstro === undefined ? {} : { pAstro }),
    ...(classification === undefined ? {} : { classification, classificationProbabilities: classes }),
    ...(energyTeV === undefined ? {} : { energyTeV }),
    mock: role === 'test',
    ...(flags.length > 0 ? { flags } : {}),
    params: flattenParams(json),
    citations: [],
    source: { format: 'gcn-json', sha256: sourceSha256 },
  });
}

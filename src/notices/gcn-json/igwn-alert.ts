/**
 * LVK alerts on Kafka `igwn.gwalert` (JSON; notices.md §11.2) -> Notice.
 *
 *   superevent_id            "S230518h" (real), "MS…" (mock: kept, role test, mock true)
 *   alert_type               EARLYWARNING | PRELIMINARY | INITIAL | UPDATE | RETRACTION
 *   time_created             ISO, Z -> issuedTime
 *   event.time               ISO, Z, ms      (event is null in a retraction)
 *   event.far                Hz;  event.significant  bool
 *   event.classification     {BNS, NSBH, BBH, Terrestrial} -> classification (most probable)
 *   event.properties         {HasNS, HasRemnant, HasMassGap} -> hasNs, hasRemnant, hasMassGap
 *   event.skymap             base64 multi-order FITS (~1 MB) -> region
 *                            {type: skymap, url: "embedded:sha256:<hex of the FITS bytes>"};
 *                            the bytes themselves: extractEmbeddedSkymap (embedded-skymap.ts)
 *   external_coinc           RAVEN coincidence, or null (flattened into params)
 *
 * The same record arrives Avro-encoded on SCiMMA/Hopskotch (igwn-avro.ts decodes it; the sky
 * map is then raw bytes rather than base64). Both map to source.format "gcn-json".
 *
 * A retraction has no event time: its trigger time is then `time_created`, and params
 * record `trigger_time_source: "time_created"`.
 */
import { CoincideError } from '../../errors.ts';
import { finishNotice, mostProbableClass } from '../notice-build.ts';
import type { Notice, NoticeRegion } from '../notice.ts';
import { parseUtcIsoMs } from '../notice-time.ts';
import { alertTypeFromWord } from '../alert-type.ts';
import {
  booleanField,
  embeddedField,
  embeddedReference,
  flattenParams,
  isObject,
  numberField,
  probabilityField,
  stringField,
  type JsonObject,
} from './json-values.ts';

export function isIgwnAlert(json: JsonObject): boolean {
  return typeof json.superevent_id === 'string' && typeof json.alert_type === 'string' && 'event' in json;
}

export function normaliseIgwnAlert(json: JsonObject, sourceSha256: string): Notice {
  const supereventId = stringField(json, 'superevent_id') ?? '';
  const alertWord = stringField(json, 'alert_type') ?? '';
  const alertType = alertTypeFromWord(alertWord);
  if (supereventId.length === 0 || alertType === undefined) {
    throw new CoincideError(
      'NOTICE_BAD_VALUE',
      `igwn.gwalert with superevent "${supereventId}" and alert_type "${alertWord}"`,
    );
  }
  const event = isObject(json.event) ? json.event : undefined;
  const params = flattenParams(json);
  const eventTime = event === undefined ? undefined : stringField(event, 'time');
  const created = stringField(json, 'time_created');
  const timeText = eventTime ?? created;
  if (eventTime === undefined) params.trigger_time_source = 'time_created';
  const timeMs = timeText === undefined ? undefined : parseUtcIsoMs(timeText);
  if (timeMs === undefined) {
    throw new CoincideError(
      'NOTICE_BAD_VALUE',
      `igwn.gwalert ${supereventId} has no valid event.time or time_created`,
    );
  }
  const skymap = event === undefined ? undefined : embeddedField(event, 'skymap');
  const region: NoticeRegion =
    skymap === undefined ? { type: 'none' } : { type: 'skymap', url: embeddedReference(skymap) };
  const classes = event === undefined ? undefined : probabilityField(event, 'classification');
  const properties = event === undefined ? undefined : probabilityField(event, 'properties');
  const terrestrial = classes?.Terrestrial;
  const best = classes === undefined ? undefined : mostProbableClass(classes);
  const far = event === undefined ? undefined : numberField(event, 'far');
  const significant = event === undefined ? undefined : booleanField(event, 'significant');
  const search = event === undefined ? undefined : stringField(event, 'search');
  const mock = supereventId.startsWith('MS') || search === 'MDC';
  const instruments =
    event !== undefined && Array.isArray(event.instruments) ? event.instruments.join(',') : '';
  const noticeType = `igwn.gwalert/${alertWord.toUpperCase()}`;
  const triggerId = `LVK:${supereventId}`;
  return finishNotice({
    ivorn: `urn:coincide:gcn-json:${noticeType}:${triggerId}:${sourceSha256.slice(0, 16)}`,
    role: mock ? 'test' : 'observation',
    messenger: 'gw',
    observatory: 'LVK',
    instrument: instruments.length > 0 ? instruments : 'LVK',
    noticeType,
    triggerId,
    eventName: supereventId,
    alertType,
    triggerTimeMs: timeMs,
    issuedTimeMs: created === undefined ? undefined : parseUtcIsoMs(created),
    region,
    ...(far === undefined ? {} : { farHz: far }),
    ...(terrestrial === undefined ? {} : { pAstro: 1 - terrestrial }),
    ...(best === undefined ? {} : { classification: best, classificationProbabilities: classes }),
    hasNs: properties?.HasNS,
    hasRemnant: properties?.HasRemnant,
    hasMassGap: properties?.HasMassGap,
    ...(significant === undefined ? {} : { significant }),
    mock,
    params,
    citations: [],
    source: { format: 'gcn-json', sha256: sourceSha256 },
  });
}

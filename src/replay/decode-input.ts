/**
 * One input document to replay records. The parsers are the other areas' own:
 *   - Avro (by extension or container magic): the optical decoder (ZTF and LSST alerts);
 *   - .jsonl / .ndjson: one record per line, either an OpticalAlert as written by
 *     `coincide alerts`, or a notice document;
 *   - anything else: one notice document (VOEvent XML, GCN unified JSON, LVK Kafka JSON) through
 *     parseNoticeDocument. An LVK alert's embedded sky map is read into the notice's region.
 *
 * Event time (the replay's merge key): an optical alert's detection time; a notice's publication
 * time (VOEvent Who/Date, LVK time_created) when it has one and it is not before the trigger,
 * else its trigger time, so that revisions replay in the order they were published.
 */
import { createHash } from 'node:crypto';
import { describeError } from '../errors.ts';
import type { ActiveRegion } from '../join/active-region.ts';
import { createSkyMapRegion } from '../join/skymap-region.ts';
import { parseUtcIsoMs } from '../notices/notice-time.ts';
import type { Notice } from '../notices/notice.ts';
import { extractEmbeddedSkymap, parseNoticeDocument } from '../notices/parse-notice.ts';
import type { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { isAvroContainer } from '../optical/avro-container.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import { readSkyMap } from '../sky/skymap-read.ts';
import { unixMsToMjd } from '../time/mjd.ts';
import type { InputDocument } from './inputs.ts';

export type ReplayRecord =
  | {
      kind: 'notice';
      eventTimeMjd: number;
      notice: Notice;
      region?: ActiveRegion;
      /** Why an embedded sky map could not be used (the notice then joins on time only). */
      regionError?: string;
      source: string;
    }
  | { kind: 'alert'; eventTimeMjd: number; alert: OpticalAlert; source: string };

export interface DecodeContext {
  decoder: OpticalAlertDecoder;
  credibleLevel: number;
}

const WHO_DATE = /<Who\b[^>]*>[\s\S]*?<Date>\s*([^<\s]+)\s*<\/Date>/;

/** Publication time of a notice document, MJD, when the document states one. */
export function publicationTimeMjd(text: string): number | undefined {
  let iso: string | undefined;
  const who = WHO_DATE.exec(text.slice(0, 65_536));
  if (who) iso = who[1];
  else {
    const created = /"time_created"\s*:\s*"([^"]+)"/.exec(text.slice(0, 4096));
    if (created) iso = created[1];
  }
  const ms = iso === undefined ? undefined : parseUtcIsoMs(iso);
  return ms === undefined ? undefined : unixMsToMjd(ms);
}

function noticeRecord(bytes: Uint8Array, source: string, context: DecodeContext): ReplayRecord {
  return noticeReplayRecord(parseNoticeDocument(bytes, { fileName: source }), bytes, source, context);
}

/**
 * The replay record of a notice already parsed from `bytes`: its event time, and the region of
 * a sky map embedded in the bytes (`coincide archive import --coincidences` replays the notices
 * it stored through this, as `coincide replay` would read the same documents).
 */
export function noticeReplayRecord(
  notice: Notice,
  bytes: Uint8Array,
  source: string,
  context: Pick<DecodeContext, 'credibleLevel'>,
): ReplayRecord {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 65_536)).toString(
    'utf8',
  );
  const published = publicationTimeMjd(text);
  const eventTimeMjd =
    published !== undefined && published >= notice.triggerTimeMjd ? published : notice.triggerTimeMjd;
  const record: ReplayRecord = { kind: 'notice', eventTimeMjd, notice, source };
  if (notice.region.type === 'skymap' && notice.region.url.startsWith('embedded:')) {
    try {
      const mapBytes = extractEmbeddedSkymap(bytes);
      // The region's hash is the sha256 of the map file, as `coincide serve` gives it
      // (app/skymap-loader.ts): the coincidences' provenance.regionHash agree.
      if (mapBytes)
        record.region = createSkyMapRegion(
          readSkyMap(mapBytes),
          context.credibleLevel,
          createHash('sha256').update(mapBytes).digest('hex'),
        );
    } catch (error) {
      record.regionError = describeError(error);
    }
  }
  return record;
}

function isOpticalAlertJson(value: unknown): value is OpticalAlert {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.survey === 'ZTF' || v.survey === 'LSST') &&
    typeof v.objectId === 'string' &&
    typeof v.alertId === 'string' &&
    typeof v.raDeg === 'number' &&
    typeof v.decDeg === 'number' &&
    typeof v.timeMjd === 'number' &&
    typeof v.firstDetectionMjd === 'number'
  );
}

/** The records of one document; throws a CoincideError when the document cannot be read. */
export async function decodeDocument(doc: InputDocument, context: DecodeContext): Promise<ReplayRecord[]> {
  const lower = doc.name.toLowerCase();
  if (lower.endsWith('.avro') || isAvroContainer(doc.bytes)) {
    const alerts = await context.decoder.decodeMessage(doc.bytes);
    return alerts.map((alert) => ({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: doc.name }));
  }
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    const records: ReplayRecord[] = [];
    const lines = doc.bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const source = `${doc.name}:${i + 1}`;
      const value: unknown = JSON.parse(line);
      if (isOpticalAlertJson(value))
        records.push({ kind: 'alert', eventTimeMjd: value.timeMjd, alert: value, source });
      else records.push(noticeRecord(Buffer.from(line, 'utf8'), source, context));
    });
    return records;
  }
  return [noticeRecord(doc.bytes, doc.name, context)];
}

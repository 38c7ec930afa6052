/**
 * `coincide replay`: archives through the same engine as the live service.
 *
 * Every input is decoded, the records are merged in event-time order (ties: notices before
 * alerts, then by ivorn or survey:alertId, then input order), and fed one by one to a fresh
 * join engine; every decision is written as one JSON line. Nothing depends on the wall clock
 * except the optional pacing (`speed`: event-time seconds per wall second), so two runs on the
 * same inputs write byte-identical output.
 */
import { describeError } from '../errors.ts';
import { createJoinEngine, type JoinEngine, type JoinEngineOptions } from '../join/engine.ts';
import type { Coincidence } from '../join/coincidence.ts';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { decodeDocument, type ReplayRecord } from './decode-input.ts';
import { readInputs } from './inputs.ts';

const MS_PER_DAY = 86_400_000;

export interface ReplayProgress {
  done: number;
  total: number;
  coincidences: number;
}

export interface ReplayOptions {
  paths: readonly string[];
  engine?: JoinEngineOptions;
  /** Event-time speed-up over real time; undefined or ≤ 0 replays as fast as possible. */
  speed?: number;
  /** Longest single pause when pacing, ms (default 60 000), so that quiet gaps do not stall a replay. */
  maxPauseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Receives each decision as one JSON line (with its newline). */
  write: (line: string) => void | Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
  /** A document that could not be decoded (the replay goes on). */
  onFailure?: (name: string, message: string) => void;
  /** A document used only in part (e.g. an unreadable embedded sky map). */
  onWarning?: (name: string, message: string) => void;
}

export interface ReplaySummary {
  documents: number;
  notices: number;
  alerts: number;
  failures: number;
  coincidences: number;
}

function recordKey(r: ReplayRecord): string {
  return r.kind === 'notice' ? r.notice.ivorn : `${r.alert.survey}:${r.alert.alertId}`;
}

/** Sorts records in event-time order, deterministically (stable on the input order). */
export function sortRecords(records: ReplayRecord[]): ReplayRecord[] {
  return records
    .map((record, seq) => ({ record, seq, key: recordKey(record) }))
    .sort(
      (a, b) =>
        a.record.eventTimeMjd - b.record.eventTimeMjd ||
        (a.record.kind === b.record.kind ? 0 : a.record.kind === 'notice' ? -1 : 1) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
        a.seq - b.seq,
    )
    .map((x) => x.record);
}

/** Feeds one record to the engine. */
export function feedRecord(engine: JoinEngine, record: ReplayRecord): Coincidence[] {
  if (record.kind === 'alert') return engine.onOpticalAlert(record.alert);
  return engine.onNotice(record.notice, {
    eventTimeMjd: record.eventTimeMjd,
    ...(record.region ? { region: record.region } : {}),
  });
}

/** Decodes every input; failures are reported and counted, never fatal. */
export async function loadRecords(
  paths: readonly string[],
  credibleLevel: number,
  onFailure?: (name: string, message: string) => void,
): Promise<{ records: ReplayRecord[]; documents: number; failures: number }> {
  const decoder = new OpticalAlertDecoder();
  const records: ReplayRecord[] = [];
  let documents = 0;
  let failures = 0;
  for await (const doc of readInputs(paths)) {
    documents++;
    try {
      records.push(...(await decodeDocument(doc, { decoder, credibleLevel })));
    } catch (error) {
      failures++;
      onFailure?.(doc.name, describeError(error));
    }
  }
  return { records, documents, failures };
}

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const credibleLevel = options.engine?.credibleLevel ?? 0.9;
  const loaded = await loadRecords(options.paths, credibleLevel, options.onFailure);
  for (const r of loaded.records) {
    if (r.kind === 'notice' && r.regionError)
      options.onWarning?.(r.source, `sky map not used, joined on time only: ${r.regionError}`);
  }
  const records = sortRecords(loaded.records);
  const engine = createJoinEngine(options.engine);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxPauseMs = options.maxPauseMs ?? 60_000;
  const summary: ReplaySummary = {
    documents: loaded.documents,
    notices: 0,
    alerts: 0,
    failures: loaded.failures,
    coincidences: 0,
  };
  let previousMjd: number | undefined;
  for (const [i, record] of records.entries()) {
    if (options.speed !== undefined && options.speed > 0 && previousMjd !== undefined) {
      const pauseMs = Math.min(
        maxPauseMs,
        ((record.eventTimeMjd - previousMjd) * MS_PER_DAY) / options.speed,
      );
      if (pauseMs >= 1) await sleep(pauseMs);
    }
    previousMjd = record.eventTimeMjd;
    if (record.kind === 'notice') summary.notices++;
    else summary.alerts++;
    for (const c of feedRecord(engine, record)) {
      summary.coincidences++;
      await options.write(JSON.stringify(c) + '\n');
    }
    options.onProgress?.({ done: i + 1, total: records.length, coincidences: summary.coincidences });
  }
  return summary;
}

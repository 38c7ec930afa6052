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
import { readFileSync, statSync } from 'node:fs';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { archiveCompression, readArchive } from './archive.ts';
import { createDecodePool, type DecodePool } from './decode-pool.ts';
import { decodeDocument, type ReplayRecord } from './decode-input.ts';
import { expandInputPaths, type InputDocument } from './inputs.ts';

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
  /** Threads that decode optical alert files (default: one per core, at most 4; 0: none). */
  threads?: number;
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

/** Plain files of at least this many (or this many bytes) are decoded by the thread pool. */
const POOL_MIN_FILES = 256;
const POOL_MIN_BYTES = 16 * 2 ** 20;

/** True when a run of plain files is worth starting decode threads for (their start-up costs ~0.1–1 s). */
function worthThreads(paths: readonly string[]): boolean {
  if (paths.length >= POOL_MIN_FILES) return true;
  let bytes = 0;
  for (const path of paths) {
    try {
      bytes += statSync(path).size;
    } catch {
      // Unreadable: reported when it is read.
    }
    if (bytes >= POOL_MIN_BYTES) return true;
  }
  return false;
}

export interface LoadOptions {
  credibleLevel: number;
  onFailure?: (name: string, message: string) => void;
  /**
   * Decode threads for optical alert files: default decode-pool.ts's count, used for inputs of
   * at least 256 files or 16 MiB; 0 decodes in this thread.
   */
  threads?: number;
}

/**
 * Decodes every input; failures are reported and counted, never fatal. Optical alert files are
 * read and decoded by a pool of threads (decode-pool.ts) when there are enough of them; archives
 * and notices are read here. Records come out in input order either way.
 */
export async function loadRecords(
  paths: readonly string[],
  options: LoadOptions,
): Promise<{ records: ReplayRecord[]; documents: number; failures: number }> {
  const { credibleLevel, onFailure } = options;
  const decoder = new OpticalAlertDecoder();
  const records: ReplayRecord[] = [];
  let documents = 0;
  let failures = 0;
  const fail = (name: string, message: string): void => {
    failures++;
    onFailure?.(name, message);
  };
  const decodeHere = async (doc: InputDocument): Promise<void> => {
    documents++;
    try {
      for (const record of await decodeDocument(doc, { decoder, credibleLevel })) records.push(record);
    } catch (error) {
      fail(doc.name, describeError(error));
    }
  };
  let pool: DecodePool | undefined;
  const decodePlain = async (files: readonly string[]): Promise<void> => {
    // Explicit threads always; by default only when there is enough to decode.
    const threaded =
      options.threads === undefined ? pool !== undefined || worthThreads(files) : options.threads > 0;
    if (threaded) {
      pool ??= createDecodePool(options.threads === undefined ? {} : { threads: options.threads });
      await pool.decodeFiles(files, async (path, result) => {
        if (result.kind === 'alerts') {
          documents++;
          for (const alert of result.alerts)
            records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: path });
        } else if (result.kind === 'failed') {
          documents++;
          fail(path, result.message);
        } else {
          await decodeHere({ name: path, bytes: readFileSync(path) });
        }
      });
      return;
    }
    for (const path of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        documents++;
        fail(path, describeError(error));
        continue;
      }
      await decodeHere({ name: path, bytes });
    }
  };
  try {
    let plain: string[] = [];
    for (const path of expandInputPaths(paths)) {
      const compression = archiveCompression(path);
      if (!compression) {
        plain.push(path);
        continue;
      }
      await decodePlain(plain);
      plain = [];
      for await (const doc of readArchive(path, compression)) await decodeHere(doc);
    }
    await decodePlain(plain);
  } finally {
    await pool?.close();
  }
  return { records, documents, failures };
}

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const credibleLevel = options.engine?.credibleLevel ?? 0.9;
  const loaded = await loadRecords(options.paths, {
    credibleLevel,
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
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

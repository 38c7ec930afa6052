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
import { readFileSync } from 'node:fs';
import { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { archiveCompression, readArchive } from './archive.ts';
import { createDecodePool, type DecodePool, type DecodePoolOptions } from './decode-pool.ts';
import { decodeDocument, type ReplayRecord } from './decode-input.ts';
import { expandInputPaths, type InputDocument } from './inputs.ts';
import {
  compareEntries,
  entryFileIndex,
  type RunEntry,
  runEntries,
  RunMerge,
  type RunMergeOptions,
  sortedRun,
} from './run-merge.ts';
import type { StartedJob } from './decode-job.ts';
import {
  filesPerRun,
  isStreamed,
  planFor,
  planStream,
  POOL_MIN_FILES,
  type StreamPlan,
  worthThreads,
} from './stream-plan.ts';

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
  /**
   * Threads that decode optical alert files beside this one, which decodes too (default: one per
   * core besides this one's, at least 1, at most 3; 0: none, this one alone).
   */
  threads?: number;
  /** A document used only in part (e.g. an unreadable embedded sky map). */
  onWarning?: (name: string, message: string) => void;
  /**
   * The optical alert files were not in event-time order (this file starts before what was
   * already joined): the replay joins everything again once decoded, in order (run-merge.ts).
   */
  onOutOfOrder?: (name: string) => void;
  /** The merge's window of recent runs (run-merge.ts; default its own): smaller in tests, to release early. */
  mergeWindow?: Pick<RunMergeOptions, 'windowRuns' | 'windowRecords'>;
  /**
   * Optical alert files per decode run, each merged as one sorted run (default: ~4 MiB of files,
   * at most 32): smaller in tests, to see a file out of order.
   */
  filesPerRun?: number;
  /**
   * How the decode threads are started (the command: threads started early, early-threads.ts;
   * tests: a thread that fails), and
   * whether this thread decodes too (default true; false in tests of the threads' side).
   */
  decodePool?: Pick<DecodePoolOptions, 'startThread' | 'callerDecodes'>;
  /**
   * The inputs listed and the threads' job posted before this replay's modules loaded
   * (early-threads.ts startEarlyReplayJob): used when listed from these same paths.
   */
  started?: { plan: StreamPlan; job: StartedJob };
}

/** A decode thread's failure, as a warning: the replay goes on, the main thread decodes its files. */
function threadFailureWarning(
  onWarning: ((name: string, message: string) => void) | undefined,
): DecodePoolOptions['onThreadFailure'] {
  return (id, message) =>
    onWarning?.(`decode thread ${id}`, `${message}; its files are decoded by the main thread`);
}

export interface ReplaySummary {
  documents: number;
  notices: number;
  alerts: number;
  failures: number;
  coincidences: number;
}

/** Sorts records in event-time order, deterministically (stable on the input order). */
export function sortRecords(records: ReplayRecord[]): ReplayRecord[] {
  return sortedRun(records, 0).map((entry) => entry.record);
}

/** Feeds one record to the engine. */
export function feedRecord(engine: JoinEngine, record: ReplayRecord): Coincidence[] {
  if (record.kind === 'alert') return engine.onOpticalAlert(record.alert);
  return engine.onNotice(record.notice, {
    eventTimeMjd: record.eventTimeMjd,
    ...(record.region ? { region: record.region } : {}),
  });
}

export interface LoadOptions {
  credibleLevel: number;
  onFailure?: (name: string, message: string) => void;
  /**
   * Decode threads for optical alert files: default decode-pool.ts's count, used for inputs of
   * at least 256 files or 16 MiB; 0 decodes in this thread.
   */
  threads?: number;
  /** A decode thread failed (see ReplayOptions.onWarning). */
  onWarning?: (name: string, message: string) => void;
  decodePool?: ReplayOptions['decodePool'];
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
      pool ??= createDecodePool({
        ...options.decodePool,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        onThreadFailure: threadFailureWarning(options.onWarning),
      });
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

/**
 * The replay with decoding and joining overlapped (run-merge.ts): the notices and archives are
 * decoded first, here; the optical alert files (.avro) by the decode threads, in input order,
 * each file a sorted run merged into the join as soon as the order allows. Output is held until
 * every file is decoded, then written. Undefined when there are no decode threads to overlap
 * with, or when a file was out of order (nothing is written then): the caller sorts everything,
 * reading the files again (runs are not kept for a start-over: run-merge.ts keepRuns).
 */
async function streamReplay(options: ReplayOptions): Promise<ReplaySummary | undefined> {
  if (options.threads !== undefined && options.threads <= 0) return undefined;
  const poolOptions: DecodePoolOptions = {
    ...options.decodePool,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    onThreadFailure: threadFailureWarning(options.onWarning),
  };
  // The decode threads start as soon as the listing has found enough alert files (or at once,
  // when asked for), so that their start-up (~0.1–0.3 s each: a Node isolate and its modules)
  // overlaps the rest of the listing and this thread's start.
  // Listed, and the threads' job posted, before this module loaded: taken over as it is.
  const started =
    options.started && planFor(options.started.plan, options.paths) ? options.started : undefined;
  if (started) poolOptions.startedJob = started.job;
  let pool: DecodePool | undefined =
    options.threads === undefined && !started ? undefined : createDecodePool(poolOptions);
  let avroListed = 0;
  const onListed = (files: readonly string[]): void => {
    if (pool) return;
    for (const path of files) if (isStreamed(path)) avroListed++;
    if (avroListed >= POOL_MIN_FILES) pool = createDecodePool(poolOptions);
  };
  try {
    const plan = started?.plan ?? planStream(options.paths, onListed);
    if (plan.streamed.length === 0 || !(pool !== undefined || worthThreads(plan.streamed))) return undefined;
    pool ??= createDecodePool(poolOptions);
    const perRun = options.filesPerRun ?? started?.job.job.filesPerRun ?? filesPerRun(plan.streamed);
    return await streamFiles(options, pool, plan, perRun);
  } finally {
    await pool?.close();
  }
}

/** streamReplay once the inputs are listed and the threads started (closed by the caller). */
async function streamFiles(
  options: ReplayOptions,
  pool: DecodePool,
  { paths, streamedIndex, streamed }: StreamPlan,
  perRun: number,
): Promise<ReplaySummary | undefined> {
  const context = { decoder: new OpticalAlertDecoder(), credibleLevel: options.engine?.credibleLevel ?? 0.9 };
  const summary: ReplaySummary = { documents: 0, notices: 0, alerts: 0, failures: 0, coincidences: 0 };
  const reports: Array<{ index: number; name: string; message: string; warning: boolean }> = [];
  const merge = new RunMerge({ ...options.mergeWindow, keepRuns: false });
  const engine = createJoinEngine(options.engine);
  /** Output held while the order is speculative; undefined once it is written as it comes. */
  let held: string[] | undefined = [];
  let done = 0;
  let total = 0;

  const feed = async (records: Iterable<ReplayRecord>): Promise<void> => {
    for (const record of records) {
      if (record.kind === 'notice') summary.notices++;
      else summary.alerts++;
      for (const c of feedRecord(engine, record)) {
        summary.coincidences++;
        const line = JSON.stringify(c) + '\n';
        if (held) held.push(line);
        else await options.write(line);
      }
      done++;
      options.onProgress?.({ done, total, coincidences: summary.coincidences });
    }
  };
  /** Warnings of the records of input `index`; counted in the progress total. */
  const noteRecords = (index: number, records: readonly ReplayRecord[]): void => {
    for (const r of records) {
      if (r.kind === 'notice' && r.regionError)
        reports.push({
          index,
          name: r.source,
          message: `sky map not used, joined on time only: ${r.regionError}`,
          warning: true,
        });
    }
    total += records.length;
  };
  /** Adds a sorted run (see run-merge.ts); `ordered` false: outside the speculation (notices). */
  const addRun = async (run: RunEntry[], ordered: boolean): Promise<void> => {
    const wasBroken = merge.speculationFailed;
    if (merge.add(run, ordered)) await feed(merge.release(false));
    // The file of the run's first record is the one that starts before what was joined.
    else if (!wasBroken) options.onOutOfOrder?.(paths[run[0] ? entryFileIndex(run[0]) : 0] ?? '');
  };
  /**
   * The alert files of one run of the decode pool go to the merge as one sorted run (a run per
   * file made the merge's heap hold ~10,000 runs of one record each: most of its cost).
   */
  let batch: RunEntry[] = [];
  const fail = (index: number, name: string, message: string): void => {
    summary.failures++;
    reports.push({ index, name, message, warning: false });
  };
  const decodeHere = async (index: number, doc: InputDocument, into: ReplayRecord[]): Promise<void> => {
    summary.documents++;
    try {
      into.push(...(await decodeDocument(doc, context)));
    } catch (error) {
      fail(index, doc.name, describeError(error));
    }
  };

  // The decode threads read and decode the first files while this thread decodes the notices
  // and archives (their sky maps take a good part of a second): the files' results wait for the
  // notices, which go in first. This thread decodes files too, whenever the next results it
  // needs are not there yet (decode-pool.ts).
  let noticesAdded: () => void = () => undefined;
  const noticesReady = new Promise<void>((resolve) => (noticesAdded = resolve));
  const decoding = pool.decodeFiles(
    streamed,
    async (path, result, i) => {
      await noticesReady;
      // Out of order: everything is read again, sorted (runReplay); reading on would be wasted.
      if (merge.speculationFailed) return false;
      const index = streamedIndex[i] ?? 0;
      const records: ReplayRecord[] = [];
      if (result.kind === 'alerts') {
        summary.documents++;
        for (const alert of result.alerts)
          records.push({ kind: 'alert', eventTimeMjd: alert.timeMjd, alert, source: path });
      } else if (result.kind === 'failed') {
        summary.documents++;
        fail(index, path, result.message);
      } else {
        await decodeHere(index, { name: path, bytes: readFileSync(path) }, records);
      }
      noteRecords(index, records);
      for (const entry of runEntries(records, index)) batch.push(entry);
      if (i % perRun === perRun - 1 || i === streamed.length - 1) {
        const run = batch.sort(compareEntries);
        batch = [];
        await addRun(run, true);
      }
      return !merge.speculationFailed;
    },
    perRun,
  );
  // Handled here too: it may fail while the notices are still being decoded (awaited below).
  decoding.catch(() => undefined);
  try {
    // Notices and archives first (few, small, and their times span the night): runs outside the
    // speculation, so that a notice file named after the alert files does not break it.
    try {
      let next = 0;
      for (const [index, path] of paths.entries()) {
        if (index === streamedIndex[next]) {
          next++;
          continue;
        }
        const records: ReplayRecord[] = [];
        const compression = archiveCompression(path);
        if (compression) {
          for await (const doc of readArchive(path, compression)) await decodeHere(index, doc, records);
        } else {
          let bytes: Buffer | undefined;
          try {
            bytes = readFileSync(path);
          } catch (error) {
            summary.documents++;
            fail(index, path, describeError(error));
          }
          if (bytes) await decodeHere(index, { name: path, bytes }, records);
        }
        noteRecords(index, records);
        await addRun(sortedRun(records, index), false);
      }
    } finally {
      noticesAdded();
    }
    await decoding;
  } finally {
    // Settled before the threads close (the caller), whatever failed first (its error is the one thrown).
    await decoding.catch(() => undefined);
  }

  // A file out of order: nothing was written (the held output is dropped); the caller replays
  // the whole input again with the full sort, which reads the files again and reports.
  if (merge.speculationFailed) return undefined;

  // Failures and warnings in input order, as the sorting replay reports them.
  reports.sort((a, b) => Number(a.warning) - Number(b.warning) || a.index - b.index);
  for (const r of reports) (r.warning ? options.onWarning : options.onFailure)?.(r.name, r.message);

  const output = held;
  held = undefined;
  for (const line of output) await options.write(line);
  await feed(merge.release(true));
  return summary;
}

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  if (!(options.speed !== undefined && options.speed > 0)) {
    const streamed = await streamReplay(options);
    if (streamed) return streamed;
  }
  const credibleLevel = options.engine?.credibleLevel ?? 0.9;
  const loaded = await loadRecords(options.paths, {
    credibleLevel,
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.decodePool ? { decodePool: options.decodePool } : {}),
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

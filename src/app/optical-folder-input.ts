/**
 * Optical alerts from files and folders, for `coincide serve`: every Avro file under the
 * configured paths is read, then the folders are polled every `pollMs` for new files (or files
 * whose size or modification time changed). Write files elsewhere and rename them into a watched
 * folder, so a half-written file is never read.
 *
 * A file's alerts go to `onChunk` in chunks of at most `chunkAlerts`, in file order; `onChunk`
 * joins and commits a chunk together with the file's progress (store/optical-files.ts), so that
 * a restart resumes each file after its last committed alert (`position`) instead of reading the
 * whole folder again. Between chunks the input yields to the event loop (setImmediate): a backlog
 * of files (a night's folder at start-up, a service that fell behind) is worked through a chunk
 * at a time while the VTP receiver, its acks and the HTTP API keep being served, and memory holds
 * one file's alerts at most. `start()` does not wait for the backlog.
 *
 * Decoding is the optical module's (optical/file-source.ts); this decides which files are new.
 */
import { statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { expandAlertPaths, readAlertFile } from '../optical/file-source.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { OpticalFilePosition } from '../store/optical-files.ts';

/** Alerts per chunk by default: a few tens of ms of join work, one commit. */
export const DEFAULT_CHUNK_ALERTS = 500;

/** Alerts of one file, from index `alertsDone - alerts.length` to `alertsDone - 1`. */
export interface OpticalFileChunk {
  path: string;
  /** "size:mtimeMs" of the file as read. */
  signature: string;
  alerts: OpticalAlert[];
  /** The file's alerts joined once this chunk is committed. */
  alertsDone: number;
  /** True on the file's last chunk (also for a file with no alerts). */
  done: boolean;
}

export interface OpticalFolderInputOptions {
  paths: readonly string[];
  pollMs: number;
  decoder: OpticalAlertDecoder;
  logger: Logger;
  /** Joins and commits one chunk (synchronously) with the file's progress. */
  onChunk: (chunk: OpticalFileChunk) => void;
  /** Awaited before each chunk: work that goes first (app/priority-gate.ts). */
  beforeChunk?: () => Promise<void>;
  /** Where a file resumes (default: every file from its first alert). */
  position?: (path: string, signature: string) => OpticalFilePosition;
  chunkAlerts?: number;
  onFailure?: (path: string) => void;
}

export interface OpticalFolderInput {
  /** Starts reading (the backlog in the background) and polling; resolves at once. */
  start(): Promise<void>;
  /** One scan now, read to the end; resolves with the number of files read. */
  scan(): Promise<number>;
  stop(): Promise<void>;
}

export function createOpticalFolderInput(options: OpticalFolderInputOptions): OpticalFolderInput {
  const chunkAlerts = Math.max(1, options.chunkAlerts ?? DEFAULT_CHUNK_ALERTS);
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<number> | undefined;
  let stopped = false;

  /** Feeds a file's alerts from `from` on; false when stopped before its end. */
  const feed = async (
    path: string,
    signature: string,
    alerts: OpticalAlert[],
    from: number,
  ): Promise<boolean> => {
    let next = Math.min(from, alerts.length);
    do {
      await options.beforeChunk?.();
      // Let sockets, timers and the ingest path run before the chunk.
      await nextTurn();
      if (stopped) return false;
      const end = Math.min(alerts.length, next + chunkAlerts);
      options.onChunk({
        path,
        signature,
        alerts: alerts.slice(next, end),
        alertsDone: end,
        done: end === alerts.length,
      });
      next = end;
    } while (next < alerts.length);
    return true;
  };

  const scanOnce = async (): Promise<number> => {
    const { files, failures } = expandAlertPaths(options.paths);
    for (const failure of failures) {
      if (!seen.has(failure.path)) options.logger.warn('optical path not found', { path: failure.path });
      seen.set(failure.path, 'missing');
    }
    let read = 0;
    for (const path of files) {
      if (stopped) break;
      let signature: string;
      try {
        const stats = statSync(path);
        signature = `${stats.size}:${stats.mtimeMs}`;
      } catch {
        continue;
      }
      if (seen.get(path) === signature) continue;
      const from = options.position?.(path, signature) ?? 0;
      if (from === 'done') {
        seen.set(path, signature);
        continue;
      }
      let alerts: OpticalAlert[];
      try {
        alerts = await readAlertFile(path, options.decoder);
      } catch (error) {
        seen.set(path, signature);
        options.logger.warn('optical file not decoded', { path, error: describeError(error) });
        options.onFailure?.(path);
        continue;
      }
      // Marked seen once wholly fed: a stop in between leaves it to resume at the next start.
      if (!(await feed(path, signature, alerts, from))) break;
      seen.set(path, signature);
      read += 1;
    }
    return read;
  };

  const scan = (): Promise<number> => {
    scanning ??= scanOnce().finally(() => {
      scanning = undefined;
    });
    return scanning;
  };

  /** A scan in the background: a failure (a folder removed, a disk error) is logged; the next poll tries again. */
  const scanLogged = (): void => {
    scan().catch((error: unknown) => {
      options.logger.error('optical folder scan failed', { error: describeError(error) });
    });
  };

  return {
    start() {
      scanLogged();
      if (options.pollMs > 0) {
        timer = setInterval(scanLogged, options.pollMs);
        timer.unref();
      }
      return Promise.resolve();
    },
    scan,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await scanning?.catch(() => 0);
    },
  };
}

/**
 * Optical alerts from files and folders, for `coincide serve`: every Avro file under the
 * configured paths is read at start-up, then the folders are polled every `pollMs` for new
 * files (or files whose size or modification time changed). Write files elsewhere and
 * rename them into a watched folder, so a half-written file is never read.
 *
 * Decoding is the optical module's (optical/file-source.ts); this only decides which files
 * are new.
 */
import { statSync } from 'node:fs';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OpticalAlertDecoder } from '../optical/alert-decoder.ts';
import { expandAlertPaths, readAlertFile } from '../optical/file-source.ts';
import type { OpticalAlert } from '../optical/optical-alert.ts';

export interface OpticalFolderInputOptions {
  paths: readonly string[];
  pollMs: number;
  decoder: OpticalAlertDecoder;
  logger: Logger;
  onAlerts: (alerts: OpticalAlert[], path: string) => void;
  onFailure?: (path: string) => void;
}

export interface OpticalFolderInput {
  /** Reads what is there now; resolves when done (then polling continues). */
  start(): Promise<void>;
  /** One scan now (the poller runs it periodically). */
  scan(): Promise<number>;
  stop(): Promise<void>;
}

export function createOpticalFolderInput(options: OpticalFolderInputOptions): OpticalFolderInput {
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<number> | undefined;
  let stopped = false;

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
      seen.set(path, signature);
      try {
        const alerts = await readAlertFile(path, options.decoder);
        options.onAlerts(alerts, path);
        read += 1;
      } catch (error) {
        options.logger.warn('optical file not decoded', { path, error: describeError(error) });
        options.onFailure?.(path);
      }
    }
    return read;
  };

  const scan = (): Promise<number> => {
    scanning ??= scanOnce().finally(() => {
      scanning = undefined;
    });
    return scanning;
  };

  return {
    async start() {
      await scan();
      if (options.pollMs > 0) {
        timer = setInterval(() => {
          // A failed scan (a folder removed, a disk error) is logged; the next poll tries again.
          scan().catch((error: unknown) => {
            options.logger.error('optical folder scan failed', { error: describeError(error) });
          });
        }, options.pollMs);
        timer.unref();
      }
    },
    scan,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await scanning;
    },
  };
}

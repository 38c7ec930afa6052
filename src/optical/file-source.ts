/**
 * Optical alerts from files: Avro container files (one or many alerts each) and folders of
 * them (searched recursively for *.avro), in sorted order. A file holding one
 * Confluent-framed message (a dumped LSST Kafka message) is read too, given a schema registry.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CoincideError } from '../errors.ts';
import type { OpticalAlertDecoder } from './alert-decoder.ts';
import type { OpticalAlert } from './optical-alert.ts';

export const ALERT_FILE_EXTENSIONS = ['.avro'] as const;

/** One bad input: the path and the coded error. */
export interface AlertFileFailure {
  path: string;
  error: CoincideError;
}

/** Expands files and folders to a sorted list of alert files; missing paths are failures. */
export function expandAlertPaths(paths: readonly string[]): {
  files: string[];
  failures: AlertFileFailure[];
} {
  const files: string[] = [];
  const failures: AlertFileFailure[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      // A file may vanish between the listing and its stat (a writer renaming its temporary
      // file into place): it is not there, so it is skipped, never fatal.
      const stats = statSync(path, { throwIfNoEntry: false });
      if (stats === undefined) continue;
      if (stats.isDirectory()) walk(path);
      else if (ALERT_FILE_EXTENSIONS.some((ext) => name.endsWith(ext))) files.push(path);
    }
  };
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (error) {
      failures.push({
        path,
        error: new CoincideError('NOT_FOUND', 'no such file or folder', { cause: error }),
      });
      continue;
    }
    if (isDir) walk(path);
    else files.push(path);
  }
  return { files, failures };
}

function asCoincideError(error: unknown): CoincideError {
  if (error instanceof CoincideError) return error;
  return new CoincideError('AVRO_MALFORMED', String(error), { cause: error });
}

/** Every alert of one file. Rejects with a CoincideError (AVRO_MALFORMED, AVRO_UNKNOWN_SCHEMA...). */
export async function readAlertFile(path: string, decoder: OpticalAlertDecoder): Promise<OpticalAlert[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CoincideError('NOT_FOUND', `cannot read: ${String(error)}`, { cause: error });
  }
  if (bytes.length === 0) throw new CoincideError('INPUT_EMPTY', 'the file is empty');
  try {
    return await decoder.decodeMessage(bytes);
  } catch (error) {
    throw asCoincideError(error);
  }
}

export interface FileSourceOptions {
  decoder: OpticalAlertDecoder;
  /** Called for each file that cannot be read or decoded; the source goes on with the next. */
  onFailure?: (failure: AlertFileFailure) => void;
}

/** The alerts of files and folders, in order; bad files are reported and skipped. */
export async function* readAlertFiles(
  paths: readonly string[],
  options: FileSourceOptions,
): AsyncGenerator<{ path: string; alert: OpticalAlert }> {
  const { files, failures } = expandAlertPaths(paths);
  for (const failure of failures) options.onFailure?.(failure);
  for (const path of files) {
    let alerts: OpticalAlert[];
    try {
      alerts = await readAlertFile(path, options.decoder);
    } catch (error) {
      options.onFailure?.({ path, error: asCoincideError(error) });
      continue;
    }
    for (const alert of alerts) yield { path, alert };
  }
}

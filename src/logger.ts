/**
 * A minimal structured logger: one JSON object per line on a writable stream (stderr by default).
 * Modules receive a Logger through their options; nothing logs through a global.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => Date;
  bindings?: Record<string, unknown>;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const minRank = LEVEL_RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const bindings = options.bindings ?? {};
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_RANK[level] < minRank) return;
    const record = { time: now().toISOString(), level, msg: message, ...bindings, ...fields };
    write(
      JSON.stringify(record, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      ) + '\n',
    );
  };
  return {
    debug: (m, f) => {
      log('debug', m, f);
    },
    info: (m, f) => {
      log('info', m, f);
    },
    warn: (m, f) => {
      log('warn', m, f);
    },
    error: (m, f) => {
      log('error', m, f);
    },
    child: (fields) => createJsonLogger({ ...options, bindings: { ...bindings, ...fields } }),
  };
}

/** A logger that records lines in memory, for tests. */
export function createMemoryLogger(): Logger & { records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({
    level: 'debug',
    write: (line) => records.push(JSON.parse(line) as Record<string, unknown>),
  });
  return Object.assign(logger, { records });
}

/** Discards everything, without building the lines first (it is on hot paths, e.g. benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * Checking and converting one configuration value of a given kind, from JSON (a typed value)
 * or from the environment / argv (a string). Every failure names the option and its source.
 */
import { CoincideError } from '../errors.ts';
import type { OptionKind, OptionSpec } from './options.ts';

export interface HostPort {
  host: string;
  port: number;
}

export type ValueSource = 'default' | 'file' | 'environment' | 'flag';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

function fail(spec: OptionSpec, source: ValueSource, problem: string): never {
  const where =
    source === 'environment' ? spec.env : source === 'flag' ? `--${spec.flag ?? spec.path}` : spec.path;
  throw new CoincideError('CONFIG_INVALID', `${where} (${source}): ${problem}`);
}

/** "host:port", "[v6::addr]:port" → {host, port}. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:[\]\s]+):(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? '', port };
}

function toList(value: unknown, fromText: boolean): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'string' && fromText) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  return undefined;
}

function toNumber(value: unknown, fromText: boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && fromText && value.trim() !== '') return Number(value);
  return undefined;
}

/**
 * Converts `value` to the option's kind. `fromText` is true for the environment and flags,
 * where everything arrives as a string (lists comma-separated).
 */
export function parseOptionValue(spec: OptionSpec, value: unknown, source: ValueSource): unknown {
  const fromText = source === 'environment' || source === 'flag';
  const kind: OptionKind = spec.kind;
  switch (kind) {
    case 'string': {
      if (typeof value !== 'string') fail(spec, source, 'must be a string');
      return value;
    }
    case 'ivo': {
      if (typeof value !== 'string' || !/^ivo:\/\/[A-Za-z0-9][\w.~+-]*(\/[^\s#<>&]*)?$/.test(value)) {
        fail(
          spec,
          source,
          `must be an IVOA identifier like ivo://example.org/broker (got ${JSON.stringify(value)})`,
        );
      }
      return value;
    }
    case 'port': {
      const port = toNumber(value, fromText);
      if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
        fail(spec, source, `must be a port number 0-65535 (got ${JSON.stringify(value)})`);
      }
      return port;
    }
    case 'positive-int': {
      const n = toNumber(value, fromText);
      if (n === undefined || !Number.isInteger(n) || n <= 0) {
        fail(spec, source, `must be a positive integer (got ${JSON.stringify(value)})`);
      }
      return n;
    }
    case 'non-negative-number': {
      const n = toNumber(value, fromText);
      if (n === undefined || !Number.isFinite(n) || n < 0) {
        fail(spec, source, `must be a number >= 0 (got ${JSON.stringify(value)})`);
      }
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (fromText && typeof value === 'string' && /^(true|false|1|0)$/i.test(value)) {
        return /^(true|1)$/i.test(value);
      }
      return fail(spec, source, `must be true or false (got ${JSON.stringify(value)})`);
    }
    case 'log-level': {
      if (typeof value !== 'string' || !LOG_LEVELS.includes(value)) {
        fail(spec, source, `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`);
      }
      return value;
    }
    case 'string-list': {
      const list = toList(value, fromText);
      if (!list?.every((item): item is string => typeof item === 'string')) {
        fail(spec, source, 'must be a list of strings');
      }
      return list;
    }
    case 'json-list': {
      let list: unknown = value;
      if (typeof value === 'string' && fromText) {
        try {
          list = JSON.parse(value);
        } catch {
          fail(spec, source, 'must be a JSON list');
        }
      }
      if (!Array.isArray(list)) fail(spec, source, 'must be a JSON list');
      return list;
    }
    case 'host-port-list': {
      const list = toList(value, fromText);
      if (!list) fail(spec, source, 'must be a list of host:port');
      return list.map((item) => {
        const parsed = typeof item === 'string' ? parseHostPort(item) : undefined;
        if (!parsed) fail(spec, source, `${JSON.stringify(item)} is not host:port with a port 1-65535`);
        return parsed;
      });
    }
  }
}

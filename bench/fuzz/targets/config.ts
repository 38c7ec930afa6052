/**
 * Configuration (src/config.ts, src/config/*): loadConfig from a JSON file (written to a 0600
 * temp file per case), the environment and command-line flags, with values of every kind at
 * their boundaries, wrong types, unknown keys, and mutations of a complete valid file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config.ts';
import { OPTION_SPECS } from '../../../src/config/options.ts';
import { BOUNDARY_NUMBERS, mutatedSeeds, showBytes } from '../mutate.ts';
import { madeSeed } from '../seeds.ts';
import type { FuzzTarget } from '../target.ts';

interface ConfigCase {
  file: Uint8Array | null;
  env: Record<string, string>;
  flags: Record<string, string>;
}

const TEXT_VALUES = [
  ...BOUNDARY_NUMBERS,
  '',
  ' ',
  'true',
  'false',
  'yes',
  '127.0.0.1:8098',
  '[::1]:8098',
  '127.0.0.1:0',
  '127.0.0.1:65536',
  'host:1,host:2',
  ':',
  ',',
  'ivo://coincide/test',
  'ivo://',
  'debug',
  'verbose',
  '/tmp/x.db',
  '[{"url":"https://example.org/hook"}]',
  '[1,2',
  '{}',
  '\u0000',
];

const jsonValue = fc.oneof(
  fc.constantFrom(...TEXT_VALUES),
  fc.constantFrom(0, -1, 1, 65535, 65536, 0.5, 1e308, true, false, null),
  fc.jsonValue({ maxDepth: 2 }),
);

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = object;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1] ?? path] = value;
}

/** A complete, valid configuration file: every option at its default. */
function defaultsFile(): Uint8Array {
  const file: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) setPath(file, spec.path, spec.default);
  return Buffer.from(JSON.stringify(file, null, 2), 'utf8');
}

export const configTarget: FuzzTarget<ConfigCase> = {
  name: 'config',
  covers: 'src/config.ts, src/config/options.ts, src/config/parse-value.ts (file, environment, flags)',
  setup() {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-fuzz-config-'));
    const path = join(dir, 'config.json');
    const seeds = [madeSeed('defaults', defaultsFile()), madeSeed('empty object', Buffer.from('{}'))];
    const specIndex = fc.integer({ min: 0, max: OPTION_SPECS.length - 1 });
    const generatedFile = fc
      .array(
        fc.tuple(
          fc.oneof(
            { weight: 9, arbitrary: specIndex.map((i) => OPTION_SPECS[i]?.path ?? 'x') },
            {
              weight: 1,
              arbitrary: fc.constantFrom('unknown', 'http', 'vtp.x.y', '__proto__.x', 'constructor'),
            },
          ),
          jsonValue,
        ),
        { maxLength: 6 },
      )
      .map((entries) => {
        const file: Record<string, unknown> = {};
        for (const [key, value] of entries) setPath(file, key, value);
        return Buffer.from(JSON.stringify(file), 'utf8');
      });
    const textValue = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...TEXT_VALUES) },
      { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
    );
    const env = fc
      .array(fc.tuple(specIndex, textValue), { maxLength: 4 })
      .map((pairs) => Object.fromEntries(pairs.map(([i, v]) => [OPTION_SPECS[i]?.env ?? 'X', v])));
    const flags = fc
      .array(fc.tuple(specIndex, textValue), { maxLength: 4 })
      .map((pairs) =>
        Object.fromEntries(
          pairs.flatMap(([i, v]) => (OPTION_SPECS[i]?.flag === undefined ? [] : [[OPTION_SPECS[i].flag, v]])),
        ),
      );
    return Promise.resolve({
      arbitrary: fc.record({
        file: fc.oneof(
          { weight: 2, arbitrary: fc.constant(null) },
          { weight: 3, arbitrary: generatedFile },
          { weight: 3, arbitrary: mutatedSeeds(seeds) },
        ),
        env,
        flags,
      }),
      run({ file, env: envValues, flags: flagValues }) {
        if (file !== null) writeFileSync(path, file, { mode: 0o600 });
        loadConfig({ env: envValues, flags: flagValues, ...(file === null ? {} : { configFile: path }) });
      },
      show: (c) =>
        JSON.stringify({ file: c.file === null ? null : showBytes(c.file), env: c.env, flags: c.flags }),
      seedCounts: { made: seeds.length },
      close() {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
};

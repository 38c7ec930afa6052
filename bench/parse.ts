/**
 * VOEvent parsing throughput on the real samples, in documents per second.
 *
 *   npx tsx bench/parse.ts [--rounds 15] [--validate-rounds 5]
 *
 * Inputs: every VOEvent XML sample in ../shared/upstream-samples/voevent that parseVoEvent
 * accepts, read once as bytes and shuffled with a fixed seed. Each measurement is a warm-up
 * pass, then `rounds` timed passes over all documents; min/median/max of documents per second
 * over the passes are reported, and the median of documents per CPU-second of this process (all
 * threads, so the validator's worker counts), which depends much less on how busy the machine is.
 *
 * Baseline: a plain fast-xml-parser parse of the same bytes (default options, which skip
 * attributes), measured in the same run; every other line gives its median ratio to it. Lines:
 *   fast-xml-parser + attributes  the same with attributes read (a VOEvent's values are
 *                    attributes, so this is the least any VOEvent parser built on it can cost)
 *   guard            secure-xml.ts alone (decode, size, DTD, depth, namespaces, well-formedness)
 *   parseVoEvent     guard + tree + typed ParsedVoEvent
 *   parse+normalise  parseNoticeDocument from notices/ (when present): bytes -> Notice
 *   peek header      peekVoEventHeader (root start tag only)
 *   parse+validate   parseVoEvent + the schema validator (libxml2-wasm, schemas compiled once),
 *                    all documents of a pass submitted at once
 *   validate 1-by-1  the schema validator awaited for one document at a time
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { parseVoEvent, peekVoEventHeader } from '../src/voevent/parse.ts';
import { createSchemaValidator } from '../src/voevent/schema-validator.ts';
import { guardXml } from '../src/voevent/secure-xml.ts';
import { listFiles } from '../test/helpers/shared.ts';
import { seededRandom } from '../src/seeded-random.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES = join(ROOT, '..', 'shared', 'upstream-samples', 'voevent');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
const ROUNDS = arg('rounds', 15);
const VALIDATE_ROUNDS = arg('validate-rounds', 5);

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

interface Stats {
  min: number;
  median: number;
  max: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? NaN,
    median: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

interface Measurement {
  /** Documents per second of wall-clock time. */
  wall: Stats;
  /** Documents per second of CPU time of this process (all threads): less sensitive to load. */
  cpuMedian: number;
}

/** `pass` over `count` documents: one warm-up pass, then `rounds` timed passes. */
async function measure(count: number, rounds: number, pass: () => unknown): Promise<Measurement> {
  await pass();
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await pass();
    rates.push(count / ((performance.now() - start) / 1000));
    const cpu = process.cpuUsage(cpuStart);
    cpuRates.push(count / ((cpu.user + cpu.system) / 1e6));
  }
  return { wall: stats(rates), cpuMedian: stats(cpuRates).median };
}

const all = listFiles(SAMPLES, ['.xml']).map((path) => readFileSync(path));
const documents = shuffle(
  all.filter((bytes) => {
    try {
      parseVoEvent(bytes);
      return true;
    } catch {
      return false;
    }
  }),
  seededRandom(20260102),
);
const totalBytes = documents.reduce((sum, d) => sum + d.byteLength, 0);
if (documents.length === 0) throw new Error(`no VOEvent samples under ${SAMPLES}`);

interface NoticesModule {
  parseNoticeDocument: (input: Uint8Array) => unknown;
}
let normalise: NoticesModule['parseNoticeDocument'] | undefined;
try {
  normalise = ((await import('../src/notices/parse-notice.ts')) as NoticesModule).parseNoticeDocument;
} catch {
  normalise = undefined;
}

const plain = new XMLParser();
const rows: Array<[string, Measurement]> = [];
rows.push([
  'fast-xml-parser (baseline)',
  await measure(documents.length, ROUNDS, () => documents.map((d): unknown => plain.parse(d))),
]);
const withAttributes = new XMLParser({ ignoreAttributes: false });
rows.push([
  'fast-xml-parser + attributes',
  await measure(documents.length, ROUNDS, () => documents.map((d): unknown => withAttributes.parse(d))),
]);
rows.push(['guard', await measure(documents.length, ROUNDS, () => documents.map((d) => guardXml(d)))]);
rows.push([
  'parseVoEvent',
  await measure(documents.length, ROUNDS, () => documents.map((d) => parseVoEvent(d))),
]);
if (normalise !== undefined) {
  const run = normalise;
  // Some valid VOEvents are not notices (e.g. KILL_SOCKET): those throw, which is part of the cost.
  const tryNormalise = (d: Uint8Array): unknown => {
    try {
      return run(d);
    } catch (error) {
      return error;
    }
  };
  rows.push(['parse+normalise', await measure(documents.length, ROUNDS, () => documents.map(tryNormalise))]);
}
rows.push([
  'peek header',
  await measure(documents.length, ROUNDS, () => documents.map((d) => peekVoEventHeader(d))),
]);

const validator = createSchemaValidator();
try {
  rows.push([
    'parse+validate',
    await measure(documents.length, VALIDATE_ROUNDS, () =>
      Promise.all(documents.map(async (d) => [parseVoEvent(d), await validator.validate(d)])),
    ),
  ]);
  const few = documents.slice(0, 20);
  rows.push([
    'validate 1-by-1',
    await measure(few.length, VALIDATE_ROUNDS, async () => {
      for (const d of few) await validator.validate(d);
    }),
  ]);
} finally {
  await validator.close();
}

const baseline = rows[0]?.[1].wall.median ?? NaN;
const cpuBaseline = rows[0]?.[1].cpuMedian ?? NaN;
const fmt = (n: number): string => n.toFixed(0).padStart(8);
console.log(
  `${documents.length} VOEvent samples, ${(totalBytes / 1024).toFixed(0)} KiB, ${ROUNDS} rounds (${VALIDATE_ROUNDS} with validation), load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${cpus().length} CPUs`,
);
console.log(
  `${'documents/s'.padEnd(30)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}   ratio${'per CPU-s'.padStart(11)}   ratio`,
);
for (const [label, m] of rows) {
  console.log(
    `${label.padEnd(30)}${fmt(m.wall.min)}${fmt(m.wall.median)}${fmt(m.wall.max)}${(m.wall.median / baseline).toFixed(3).padStart(8)}${fmt(m.cpuMedian).padStart(11)}${(m.cpuMedian / cpuBaseline).toFixed(3).padStart(8)}`,
  );
}

/**
 * Notice parsing throughput (never part of the tests).
 *
 *   npx tsx bench/notices.ts
 *
 * Inputs: the real upstream samples that are notices (../shared/upstream-samples), read once,
 * in an order shuffled with a fixed seed:
 *   - voevent: every VOEvent XML sample that parses (GCN, SVOM, LVK, IceCube, …);
 *   - gcn-json: every unified-schema JSON sample without an embedded sky map;
 *   - igwn-map: the LVK igwn.gwalert messages with a ~1 MB base64 sky map.
 * Each case: a warm-up (500 ms), then RUNS timed runs of at least MIN_RUN_MS each ->
 * min / median / max notices per wall-clock second and per CPU second, for parseNoticeDocument (secure parse + normalise)
 * and, measured in the same run on the same bytes, the baseline: a plain fast-xml-parser
 * parse (XML) or JSON.parse (JSON) with no checks and no normalisation. The ratio is
 * coincide / baseline (medians).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseNoticeDocument } from '../src/notices/parse-notice.ts';
import { seededRandom as rng } from '../src/seeded-random.ts';

const RUNS = 7;
const MIN_RUN_MS = 300;
const SEED = 20260425;
const SAMPLES = join(import.meta.dirname, '..', '..', 'shared', 'upstream-samples');

interface Stats {
  min: number;
  median: number;
  max: number;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function listFiles(dir: string, ext: readonly string[]): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFiles(path, ext);
      return ext.some((e) => name.endsWith(e)) ? [path] : [];
    });
}

function stats(rates: number[]): Stats {
  const sorted = [...rates].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

interface Measured {
  /** Notices per wall-clock second. */
  wall: Stats;
  /** Notices per CPU second of this process (user + system): steadier on a shared machine. */
  cpu: Stats;
}

/** Runs `once` over all inputs repeatedly: warm-up, then RUNS timed runs; notices per second. */
function measure(inputs: Uint8Array[], once: (input: Uint8Array) => unknown): Measured {
  const pass = (): void => {
    for (const input of inputs) once(input);
  };
  const warmUntil = performance.now() + 500;
  while (performance.now() < warmUntil) pass();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let count = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let elapsed = 0;
    while (elapsed < MIN_RUN_MS) {
      pass();
      count += inputs.length;
      elapsed = performance.now() - start;
    }
    const used = process.cpuUsage(cpuStart);
    wall.push((count * 1000) / elapsed);
    cpu.push((count * 1e6) / Math.max(1, used.user + used.system));
  }
  return { wall: stats(wall), cpu: stats(cpu) };
}

function parses(bytes: Uint8Array): boolean {
  try {
    parseNoticeDocument(bytes);
    return true;
  } catch {
    return false;
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function report(name: string, count: number, ours: Measured, base: Measured, baseName: string): void {
  const line = (label: string, o: Stats, b: Stats): string =>
    `  ${label.padEnd(6)} coincide ${fmt(o.min)} / ${fmt(o.median)} / ${fmt(o.max)}` +
    `   ${baseName} ${fmt(b.min)} / ${fmt(b.median)} / ${fmt(b.max)}   ratio ${(o.median / b.median).toFixed(3)}\n`;
  process.stdout.write(
    `${name} (n=${count}), notices/s min / median / max\n` +
      line('wall', ours.wall, base.wall) +
      line('cpu', ours.cpu, base.cpu),
  );
}

function main(): void {
  const read = (paths: string[]): Uint8Array[] =>
    shuffled(paths, SEED)
      .map((p) => readFileSync(p))
      .filter(parses);
  const voevents = read(listFiles(join(SAMPLES, 'voevent'), ['.xml']));
  const jsonAll = read(listFiles(join(SAMPLES, 'gcn-json'), ['.json', '.txt']));
  const big = (b: Uint8Array): boolean => b.byteLength > 100_000;
  const json = jsonAll.filter((b) => !big(b));
  const igwnMaps = jsonAll.filter(big);

  const xmlParser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true });
  const decoder = new TextDecoder();
  process.stdout.write(
    `node ${process.version}, ${RUNS} runs of >= ${MIN_RUN_MS} ms after a 500 ms warm-up\n`,
  );
  const cases: Array<[string, Uint8Array[], string, (b: Uint8Array) => unknown]> = [
    ['voevent', voevents, 'fast-xml-parser', (b): unknown => xmlParser.parse(decoder.decode(b)) as unknown],
    ['gcn-json', json, 'JSON.parse', (b): unknown => JSON.parse(decoder.decode(b)) as unknown],
    ['igwn-map', igwnMaps, 'JSON.parse', (b): unknown => JSON.parse(decoder.decode(b)) as unknown],
  ];
  for (const [name, inputs, baseName, baseline] of cases) {
    const ours = measure(inputs, (b) => parseNoticeDocument(b));
    const base = measure(inputs, baseline);
    report(name, inputs.length, ours, base, baseName);
  }
}

main();

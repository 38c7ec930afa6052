/**
 * CPU per notice document, by stage, on the real samples, with a same-run baseline.
 *
 *   npx tsx bench/parse.ts [--baseline DIR] [--rounds 15] [--quick] [--validate]
 *
 * Inputs: every VOEvent XML sample in ../shared/upstream-samples/voevent and every GCN JSON
 * sample in ../shared/upstream-samples/gcn-json, read once as bytes and shuffled with a fixed
 * seed (a sample that is refused still costs its refusal, as in production).
 *
 * Stages (each measured over all documents of its kind, one pass per round):
 *   decode            secure-xml.ts decodeXmlInput (bytes to text, size and binary checks)
 *   guard             secure-xml.ts guardXml, the full guard (scanner + fast-xml-parser's validator)
 *   parseVoEvent      bytes -> ParsedVoEvent (guard, tree and readers)
 *   normaliseVoEvent  ParsedVoEvent -> Notice (notice families)
 *   notice from XML   parseNoticeDocument: bytes -> Notice (sha256 given, as the callers do)
 *   notice from JSON  parseNoticeDocument on the GCN JSON samples
 * Figures are microseconds of CPU of this process per document (user + system, median over
 * the rounds), which depends much less on the machine's load than wall time.
 *
 * Baseline: `--baseline DIR` loads the same modules from another checkout (e.g. a worktree of
 * main before a change) and measures them in the same run, rounds alternated between the two,
 * and prints the ratio baseline / this; it also checks that both give the same Notice (or the
 * same error code and message) for every document. `--quick` is 5 rounds.
 * `--validate` adds parseVoEvent + the libxml2 schema validator (this checkout only).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/seeded-random.ts';
import { listFiles } from '../test/helpers/shared.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES = join(ROOT, '..', 'shared', 'upstream-samples');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(option('rounds') ?? (QUICK ? 5 : 15));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');
const BASELINE = option('baseline');

interface Stages {
  decode: (bytes: Uint8Array) => unknown;
  guard: (bytes: Uint8Array) => unknown;
  parseVoEvent: (bytes: Uint8Array) => unknown;
  normaliseVoEvent: (parsed: unknown, sha256: string) => unknown;
  parseNotice: (bytes: Uint8Array, meta: { sha256: string }) => unknown;
  sha256: (bytes: Uint8Array) => string;
}

/** The stages of the checkout at `dir`, loaded from its own sources. */
async function loadStages(dir: string): Promise<Stages> {
  const from = (path: string): Promise<Record<string, unknown>> =>
    import(join(resolve(dir), path)) as Promise<Record<string, unknown>>;
  const secure = await from('src/voevent/secure-xml.ts');
  const parse = await from('src/voevent/parse.ts');
  const normalise = await from('src/notices/normalise-voevent.ts');
  const notice = await from('src/notices/parse-notice.ts');
  return {
    decode: secure.decodeXmlInput as Stages['decode'],
    guard: secure.guardXml as Stages['guard'],
    parseVoEvent: parse.parseVoEvent as Stages['parseVoEvent'],
    normaliseVoEvent: normalise.normaliseVoEvent as Stages['normaliseVoEvent'],
    parseNotice: notice.parseNoticeDocument as Stages['parseNotice'],
    sha256: notice.sha256Hex as Stages['sha256'],
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const random = seededRandom(20260102);
const xmlDocs = shuffle(
  listFiles(join(SAMPLES, 'voevent'), ['.xml']).map((p) => readFileSync(p)),
  random,
);
const jsonDocs = shuffle(
  listFiles(join(SAMPLES, 'gcn-json'), ['.json']).map((p) => readFileSync(p)),
  random,
);
if (xmlDocs.length === 0) throw new Error(`no VOEvent samples under ${SAMPLES}`);

/** The result of a call, or its error as code and message (what a caller sees). */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    const coded = error as { code?: unknown; message?: unknown };
    return { error: String(coded.code), message: String(coded.message) };
  }
}

interface Tree {
  label: string;
  stages: Stages;
  parsed: unknown[];
  xmlSha: string[];
  jsonSha: string[];
}

async function tree(label: string, dir: string): Promise<Tree> {
  const stages = await loadStages(dir);
  return {
    label,
    stages,
    parsed: xmlDocs.map((d) => outcome(() => stages.parseVoEvent(d))),
    xmlSha: xmlDocs.map((d) => stages.sha256(d)),
    jsonSha: jsonDocs.map((d) => stages.sha256(d)),
  };
}

const trees: Tree[] = [await tree('this', ROOT)];
if (BASELINE !== undefined) trees.push(await tree('baseline', BASELINE));

interface Stage {
  label: string;
  count: number;
  pass: (t: Tree) => void;
}

const swallow = (run: () => unknown): void => {
  try {
    run();
  } catch {
    // a refusal is part of the cost
  }
};
const STAGES: Stage[] = [
  {
    label: 'decode',
    count: xmlDocs.length,
    pass: (t) => {
      xmlDocs.forEach((d) => {
        swallow(() => t.stages.decode(d));
      });
    },
  },
  {
    label: 'guard (full)',
    count: xmlDocs.length,
    pass: (t) => {
      xmlDocs.forEach((d) => {
        swallow(() => t.stages.guard(d));
      });
    },
  },
  {
    label: 'parseVoEvent',
    count: xmlDocs.length,
    pass: (t) => {
      xmlDocs.forEach((d) => {
        swallow(() => t.stages.parseVoEvent(d));
      });
    },
  },
  {
    label: 'normaliseVoEvent',
    count: xmlDocs.length,
    pass: (t) => {
      t.parsed.forEach((p, k) => {
        if (p !== null && typeof p === 'object' && !('error' in p)) {
          swallow(() => t.stages.normaliseVoEvent(p, t.xmlSha[k] ?? ''));
        }
      });
    },
  },
  {
    label: 'notice from XML',
    count: xmlDocs.length,
    pass: (t) => {
      xmlDocs.forEach((d, k) => {
        swallow(() => t.stages.parseNotice(d, { sha256: t.xmlSha[k] ?? '' }));
      });
    },
  },
  {
    label: 'notice from JSON',
    count: jsonDocs.length,
    pass: (t) => {
      jsonDocs.forEach((d, k) => {
        swallow(() => t.stages.parseNotice(d, { sha256: t.jsonSha[k] ?? '' }));
      });
    },
  },
];

function cpuMicros(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

// Same output: every document gives the same Notice, or the same error code and message.
let identical = 0;
const differing: string[] = [];
if (trees.length === 2) {
  const [a, b] = trees as [Tree, Tree];
  const docs = [
    ...xmlDocs.map((d, k) => [d, a.xmlSha[k]] as const),
    ...jsonDocs.map((d, k) => [d, a.jsonSha[k]] as const),
  ];
  docs.forEach(([d, sha], k) => {
    const left = outcome(() => a.stages.parseNotice(d, { sha256: sha ?? '' }));
    const right = outcome(() => b.stages.parseNotice(d, { sha256: sha ?? '' }));
    // Deep equality, and the same JSON (key order included: the order of every output).
    if (isDeepStrictEqual(left, right) && JSON.stringify(left) === JSON.stringify(right)) identical += 1;
    else differing.push(`document ${k}`);
  });
}

const load = loadavg().map((l) => l.toFixed(1));
const micros = new Map<string, number[]>();
for (const stage of STAGES) for (const t of trees) stage.pass(t); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const stage of STAGES) {
    // Alternate which tree goes first, so neither always follows the other's garbage.
    const order = r % 2 === 0 ? trees : [...trees].reverse();
    for (const t of order) {
      const key = `${stage.label}/${t.label}`;
      const list = micros.get(key) ?? [];
      list.push(
        cpuMicros(() => {
          stage.pass(t);
        }) / stage.count,
      );
      micros.set(key, list);
    }
  }
}

console.log(
  `${xmlDocs.length} VOEvent and ${jsonDocs.length} GCN JSON samples, ${ROUNDS} rounds, load average ${load.join(' ')} at the start and ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end, ${cpus().length} CPUs`,
);
if (BASELINE !== undefined) {
  console.log(`baseline: ${BASELINE}`);
  console.log(
    `same output (Notice, or error code and message): ${identical} of ${xmlDocs.length + jsonDocs.length} documents${
      differing.length > 0 ? `; DIFFERENT: ${differing.join(', ')}` : ''
    }`,
  );
}
const header = ['µs CPU per document'.padEnd(22), 'this'.padStart(10)];
if (BASELINE !== undefined) header.push('baseline'.padStart(10), 'ratio'.padStart(8));
console.log(header.join(''));
for (const stage of STAGES) {
  const mine = median(micros.get(`${stage.label}/this`) ?? []);
  const cells = [stage.label.padEnd(22), mine.toFixed(1).padStart(10)];
  if (BASELINE !== undefined) {
    const base = median(micros.get(`${stage.label}/baseline`) ?? []);
    cells.push(base.toFixed(1).padStart(10), `${(base / mine).toFixed(2)}x`.padStart(8));
  }
  console.log(cells.join(''));
}

if (process.argv.includes('--validate')) {
  const { createSchemaValidator } = await import('../src/voevent/schema-validator.ts');
  const validator = createSchemaValidator();
  const first = trees[0] as Tree;
  try {
    const timed = async (): Promise<number> => {
      const start = process.cpuUsage();
      await Promise.all(
        xmlDocs.map(async (d) => {
          swallow(() => first.stages.parseVoEvent(d));
          await validator.validate(d).catch(() => undefined);
        }),
      );
      const used = process.cpuUsage(start);
      return (used.user + used.system) / xmlDocs.length;
    };
    await timed();
    const values: number[] = [];
    for (let r = 0; r < Math.min(ROUNDS, 5); r++) values.push(await timed());
    console.log(`${'parse+validate'.padEnd(22)}${median(values).toFixed(1).padStart(10)}   (all threads)`);
  } finally {
    await validator.close();
  }
}

/**
 * Position search, this checkout against another one, back to back on the same archive (never
 * part of the tests):
 *
 *   npx tsx bench/archive-search-ab.ts --db PATH --baseline DIR [--queries 100]
 *
 * PATH: a position archive built by `bench/archive.ts --keep-db PATH` (10^5 notices by
 * default). DIR: another checkout of coincide (e.g. `git worktree add /tmp/old <commit>`), whose
 * src/archive/search.ts is the baseline. For each query kind of bench/archive.ts (point at 90 %
 * and 50 %, cone 1–10°, MOC of two discs, point + messenger), `queries` random queries (limit
 * 100, first page), each answered by both searches, which goes first alternating, so both see
 * the same load and cache; the two must return the same page. Prints p50 / p99 of wall and
 * of CPU (process.cpuUsage: the thread's own time, which load inflates far less than the wall
 * time) milliseconds, the ratios, and the load average.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createArchiveSearch, type ArchiveQuery, type ArchiveSearch } from '../src/archive/search.ts';
import { mocFromCircle } from '../src/sky/moc-build.ts';
import { openDatabase } from '../src/store/database.ts';
import { seededRandom } from '../test/helpers/generated-archive.ts';
import { numberArg } from './number-arg.ts';

const QUERIES = numberArg('queries', 100);
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dbPath = arg('db');
const baselineDir = arg('baseline');
if (dbPath === undefined || !existsSync(dbPath) || baselineDir === undefined)
  throw new Error('usage: --db PATH (from bench/archive.ts --keep-db) --baseline DIR (another checkout)');

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const baselineModule = (await import(resolve(join(baselineDir, 'src', 'archive', 'search.ts')))) as {
  createArchiveSearch: typeof createArchiveSearch;
};

const db = openDatabase({ path: dbPath });
const levelsPct = [50, 90];
const current = createArchiveSearch(db, { levelsPct });
const baseline = baselineModule.createArchiveSearch(db, { levelsPct });
const random = seededRandom(42);
const position = (): { raDeg: number; decDeg: number } => ({
  raDeg: random() * 360,
  decDeg: (Math.asin(2 * random() - 1) * 180) / Math.PI,
});
const kinds: Array<[string, () => ArchiveQuery]> = [
  ['point (90 %)', () => ({ position: { kind: 'point', ...position() } })],
  ['point (50 %)', () => ({ position: { kind: 'point', ...position() }, levelPct: 50 })],
  ['cone 1-10°', () => ({ position: { kind: 'cone', ...position(), radiusDeg: 1 + random() * 9 } })],
  [
    'MOC (two discs)',
    () => {
      const a = position();
      const b = position();
      const moc = mocFromCircle(a.raDeg, a.decDeg, 5, { maxOrder: 8 }).union(
        mocFromCircle(b.raDeg, b.decDeg, 2, { maxOrder: 9 }),
      );
      return { position: { kind: 'moc', moc } };
    },
  ],
  ['point + messenger=gw', () => ({ position: { kind: 'point', ...position() }, messengers: ['gw'] })],
];

interface Sample {
  wallMs: number;
  cpuMs: number;
  page: string;
}
const timed = (search: ArchiveSearch, query: ArchiveQuery): Sample => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const page = search.search({ ...query, limit: 100 });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, page: page.hits.map((h) => h.noticeId).join(',') };
};
const at = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

console.log(`load average before: ${load()}; ${QUERIES} queries per kind; baseline ${baselineDir}`);
for (let k = 0; k < 30; k++) {
  const query = { position: { kind: 'point' as const, ...position() } };
  timed(current, query);
  timed(baseline, query);
}
for (const [name, make] of kinds) {
  const mine: Sample[] = [];
  const theirs: Sample[] = [];
  for (let k = 0; k < QUERIES; k++) {
    const query = make();
    const [a, b] =
      k % 2 === 0
        ? [timed(current, query), timed(baseline, query)]
        : (() => {
            const y = timed(baseline, query);
            return [timed(current, query), y];
          })();
    if (a.page !== b.page) throw new Error(`${name}: the two searches differ on query ${k}`);
    mine.push(a);
    theirs.push(b);
  }
  const line = (label: string, s: Sample[]): string => {
    const wall = s.map((x) => x.wallMs);
    const cpu = s.map((x) => x.cpuMs);
    return `${label.padEnd(10)} wall p50 ${at(wall, 0.5).toFixed(1)} p99 ${at(wall, 0.99).toFixed(1)} ms; CPU p50 ${at(cpu, 0.5).toFixed(1)} p99 ${at(cpu, 0.99).toFixed(1)} ms`;
  };
  const ratio = (f: (x: Sample) => number): string =>
    (at(theirs.map(f), 0.99) / at(mine.map(f), 0.99)).toFixed(2);
  console.log(name);
  console.log(`  ${line('this', mine)}`);
  console.log(`  ${line('baseline', theirs)}`);
  console.log(
    `  p99 ratio baseline/this: wall ${ratio((x) => x.wallMs)}×, CPU ${ratio((x) => x.cpuMs)}×  (load ${load()})`,
  );
}
db.close();
console.log(`load average after: ${load()}`);

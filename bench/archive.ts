/**
 * Archive benchmarks (never part of the tests).
 *
 *   npx tsx bench/archive.ts [--distinct 10000] [--copies 10] [--queries 1000] [--import 20000]
 *                            [--keep-db PATH]   (build the position archive there once, reuse it)
 *
 * 1. Position search at `distinct × copies` stored notices (default 10^5). `distinct` generated
 *    notices (test/helpers/generated-archive.ts: GBM/Swift/EP/IceCube circles from 1″ to 15°,
 *    ellipses, LVK-like sky maps of 3–20° σ) are indexed by the archive's own code (the index
 *    rate is printed), then their archive rows (columns, MOCs, R*-tree ranges) are copied
 *    `copies − 1` times under new ids and shifted trigger times, so that the archive holds
 *    distinct × copies notices at the sky density of that many: deriving 10^5 MOCs would take
 *    ~10 min on a loaded 2-core machine. Then point, cone and MOC queries at random positions
 *    (limit 100, first page) -> p50 / p99 / max milliseconds. Baselines in the same run: each
 *    query also answered by the R*-tree path alone (rtreeRowBudget ∞, no bounding-cap walk),
 *    alternating with the search as configured; and point queries answered by scanning every
 *    stored MOC (decode + exact test, no index).
 *    Quick profile (< 3 min on a quiet machine): --distinct 2000 --copies 10 --queries 200 --import 3000
 * 2. Import: `import` VOEvents in a .tar, half Fermi GBM positions (fixtures/demo, 1–15°), half
 *    Swift XRT positions of 1–10″ (../shared/upstream-samples XRT_Pos_655721-326.xml, when there),
 *    each its own trigger, ivorn and position. Baselines: reading + parsing alone, one thread; the
 *    MOC building alone (ms per notice). Then three imports into fresh databases, each from the
 *    first document read to the last notice indexed (catch-up included): one thread indexing as
 *    it stores (`coincide archive import --threads 0`), the worker pool (one thread per core besides
 *    the main one, which prepares documents too: the CLI's default) indexing as it stores, and one thread storing then catching up (the import before the pool)
 *    -> documents/s, ratios, and the process's CPU seconds (all threads).
 *    `--import-only` skips part 1; `--moc-queries N` sets the MOC queries (default: as many as --queries).
 *    Quick import profile: --import-only --import 3000
 *    `--keep-tar PATH` also writes the import's tar there (e.g. to profile an import of it).
 * Prints the load average before and after (the machine is shared: figures move with it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { createArchiveIndex, ROWS_PER_NOTICE, type ArchiveIndex } from '../src/archive/archive-index.ts';
import { createArchiveImporter } from '../src/archive/import.ts';
import { defaultImportThreads } from '../src/archive/import-pool.ts';
import { DEFAULT_ARCHIVE_LEVELS_PCT, shapeMocs } from '../src/archive/notice-mocs.ts';
import { decodeRanges, rangesContain } from '../src/archive/moc-ranges.ts';
import { createArchiveSearch, type ArchiveQuery } from '../src/archive/search.ts';
import { parseNoticeDocument } from '../src/notices/parse-notice.ts';
import { readInputs } from '../src/replay/inputs.ts';
import { ang2pixNestBig } from '../src/sky/healpix.ts';
import { mocFromCircle } from '../src/sky/moc-build.ts';
import { openDatabase, type SqliteDatabase } from '../src/store/database.ts';
import { generatedSkyMaps, seededRandom, writeGeneratedArchive } from '../test/helpers/generated-archive.ts';
import { SAMPLES_DIR } from '../test/helpers/shared.ts';
import { numberArg } from './number-arg.ts';

const DISTINCT = numberArg('distinct', 10_000);
const COPIES = numberArg('copies', 10);
const QUERIES = numberArg('queries', 1000);
const IMPORT = numberArg('import', 20_000);
// As many MOC queries as the others: a p99 needs ~100 samples or more (queries/5 gave 20-200).
const MOC_QUERIES = numberArg('moc-queries', QUERIES);

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function percentiles(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${(s[s.length - 1] ?? NaN).toFixed(2)} ms (${s.length} queries)`;
}

/** The value of `--name VALUE`, if given. */
function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--keep-db PATH`: build the position archive there once, and reuse it on later runs. */
const keepDbArg = (): string | undefined => stringArg('keep-db');

async function positionBench(dir: string): Promise<void> {
  const kept = keepDbArg();
  const reuse = kept !== undefined && existsSync(kept);
  const db = openDatabase({ path: kept ?? join(dir, 'position.db') });
  const index = createArchiveIndex({ db, loadSkyMap: generatedSkyMaps });
  if (reuse) {
    // An archive built by an earlier run (migrated, and the index caught up, if need be).
    await index.catchUp();
    console.log(`archive: reused ${kept}`);
  } else await buildPositionArchive(db, index);
  positionQueries(db, index);
  db.close();
}

async function buildPositionArchive(db: SqliteDatabase, index: ArchiveIndex): Promise<void> {
  writeGeneratedArchive(db, DISTINCT, 20260407);
  let t0 = performance.now();
  await index.catchUp();
  const indexSec = (performance.now() - t0) / 1000;
  console.log(
    `index: ${DISTINCT} notices in ${indexSec.toFixed(1)} s (${Math.round(DISTINCT / indexSec)} notices/s)`,
  );

  // Copies of the indexed rows under new ids (events/notices rows too, for the JOIN).
  t0 = performance.now();
  const maxNotice = Number(db.prepare('SELECT max(id) FROM notices').pluck().get());
  const maxEvent = Number(db.prepare('SELECT max(id) FROM events').pluck().get());
  db.transaction(() => {
    for (let c = 1; c < COPIES; c++) {
      const dn = c * maxNotice;
      const de = c * maxEvent;
      db.prepare(
        `INSERT INTO events (id, sha256, ivorn, role, bytes, received_at_ms, peer, input)
         SELECT id + ?, sha256 || '-' || ?, ivorn || '-' || ?, role, bytes, received_at_ms, peer, input FROM events WHERE id <= ?`,
      ).run(de, c, c, maxEvent);
      db.prepare(
        `INSERT INTO notices (id, event_id, ivorn, trigger_id, revision, notice_type, received_at_ms, json, outbox_seq, joined)
         SELECT id + ?, event_id + ?, ivorn, trigger_id || '-' || ?, revision, notice_type, received_at_ms, json, 0, 1 FROM notices WHERE id <= ?`,
      ).run(dn, de, c, maxNotice);
      db.prepare(
        `INSERT INTO archive_notices SELECT notice_id + ?, event_id + ?, trigger_id || '-' || ?, event_name, ivorn, role,
           messenger, observatory, instrument, notice_type, alert_type, revision, trigger_time_mjd + ? * 0.37,
           received_at_ms, far_hz, p_astro, region_type, moc_status FROM archive_notices WHERE notice_id <= ?`,
      ).run(dn, de, c, c, maxNotice);
      db.prepare(
        'INSERT INTO archive_mocs SELECT notice_id + ?, level_pct, ranges, index_rows FROM archive_mocs WHERE notice_id <= ?',
      ).run(dn, maxNotice);
      db.prepare(
        `INSERT INTO archive_moc_index SELECT id + ? * ${ROWS_PER_NOTICE}, min_level, max_level, min_cell, max_cell, inside
         FROM archive_moc_index WHERE id < ?`,
      ).run(dn, (maxNotice + 1) * ROWS_PER_NOTICE);
      db.prepare(
        `INSERT INTO archive_caps SELECT level_pct, trigger_time_mjd + ? * 0.37, notice_id + ?, x, y, z, radius_rad,
           cos_radius, sin_radius FROM archive_caps WHERE notice_id <= ?`,
      ).run(c, dn, maxNotice);
    }
  })();
  db.prepare("UPDATE archive_state SET value = ? WHERE key = 'indexed-notice-id'").run(COPIES * maxNotice);
  const total = Number(db.prepare('SELECT count(*) FROM archive_notices').pluck().get());
  const rtreeRows = Number(db.prepare('SELECT count(*) FROM archive_moc_index').pluck().get());
  console.log(
    `archive: ${total} notices (${DISTINCT} distinct × ${COPIES}), ${rtreeRows} R*-tree ranges, copied in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

function positionQueries(db: SqliteDatabase, index: ArchiveIndex): void {
  const search = createArchiveSearch(db, { levelsPct: index.levelsPct });
  // Same-run baseline: the R*-tree path alone, however many rows a query reads (the search
  // before the bounding-cap walk, with the inside flags and the faster exact tests).
  const rtreeOnly = createArchiveSearch(db, { levelsPct: index.levelsPct, rtreeRowBudget: Infinity });
  const random = seededRandom(42);
  const position = (): { raDeg: number; decDeg: number } => ({
    raDeg: random() * 360,
    decDeg: (Math.asin(2 * random() - 1) * 180) / Math.PI,
  });
  const time = (query: ArchiveQuery, using = search): { ms: number; hits: number } => {
    const start = performance.now();
    const page = using.search({ ...query, limit: 100 });
    return { ms: performance.now() - start, hits: page.hits.length };
  };
  for (let k = 0; k < 50; k++) time({ position: { kind: 'point', ...position() } }); // warm-up
  const kinds: Array<[string, () => ArchiveQuery]> = [
    ['point (90 %)', () => ({ position: { kind: 'point', ...position() } })],
    ['point (50 %)', () => ({ position: { kind: 'point', ...position() }, levelPct: 50 })],
    ['cone 1-10°', () => ({ position: { kind: 'cone', ...position(), radiusDeg: 1 + random() * 9 } })],
    [
      'MOC (two discs)',
      () => {
        const a = position();
        const b = position();
        return {
          position: {
            kind: 'moc',
            moc: mocFromCircle(a.raDeg, a.decDeg, 5, { maxOrder: 8 }).union(
              mocFromCircle(b.raDeg, b.decDeg, 2, { maxOrder: 9 }),
            ),
          },
        };
      },
    ],
    ['point + messenger=gw', () => ({ position: { kind: 'point', ...position() }, messengers: ['gw'] })],
  ];
  for (const [name, make] of kinds) {
    const n = name.startsWith('MOC') ? MOC_QUERIES : QUERIES;
    const samples: number[] = [];
    const baseline: number[] = [];
    let hits = 0;
    for (let k = 0; k < n; k++) {
      // The same query both ways, each first every other time (the second one finds the pages
      // the first one read in the cache), so that both see the same load and cache.
      const query = make();
      const first = k % 2 === 0 ? search : rtreeOnly;
      const a = time(query, first);
      const b = time(query, first === search ? rtreeOnly : search);
      const [r, base] = first === search ? [a, b] : [b, a];
      samples.push(r.ms);
      hits += r.hits;
      baseline.push(base.ms);
    }
    const p99 = (xs: number[]): number =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))] ?? NaN;
    console.log(`${name.padEnd(22)} ${percentiles(samples)}, ${(hits / n).toFixed(1)} hits/query`);
    console.log(
      `${'  R*-tree only'.padEnd(22)} ${percentiles(baseline)}; p99 ratio (R*-tree only / search) ${(p99(baseline) / p99(samples)).toFixed(1)}×  (load ${load()})`,
    );
  }

  // Baseline: a scan of every stored 90 % MOC for the same kind of point query.
  const all = db.prepare('SELECT notice_id, ranges FROM archive_mocs WHERE level_pct = 90').all() as Array<{
    notice_id: number;
    ranges: Buffer;
  }>;
  const scans: number[] = [];
  for (let k = 0; k < 10; k++) {
    const p = position();
    const start = performance.now();
    const index29 = ang2pixNestBig(29, p.raDeg, p.decDeg);
    let matches = 0;
    for (const row of db
      .prepare('SELECT ranges FROM archive_mocs WHERE level_pct = 90')
      .pluck()
      .iterate() as IterableIterator<Buffer>) {
      if (rangesContain(decodeRanges(row), index29)) matches++;
    }
    scans.push(performance.now() - start);
    if (matches < 0) throw new Error('unreachable');
  }
  console.log(`baseline: scan of ${all.length} stored MOCs per point query: ${percentiles(scans)}`);
}

/** The import's VOEvents: Fermi GBM positions (degrees) and, when the shared samples are there, Swift XRT ones (arcseconds). */
function importDocuments(): Array<{ name: string; xml: string }> {
  const gbm = readFileSync(
    join(import.meta.dirname, '..', 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'),
    'utf8',
  );
  const xrtPath = join(SAMPLES_DIR, 'voevent', 'grb', 'XRT_Pos_655721-326.xml');
  const xrt = existsSync(xrtPath) ? readFileSync(xrtPath, 'utf8') : undefined;
  if (xrt === undefined) console.log(`import: ${xrtPath} absent, GBM notices only`);
  const random = seededRandom(7);
  const docs: Array<{ name: string; xml: string }> = [];
  for (let i = 0; i < IMPORT; i++) {
    const ra = (random() * 360).toFixed(4);
    const dec = (random() * 160 - 80).toFixed(4);
    if (xrt !== undefined && i % 2 === 1) {
      // Swift XRT: 1–10″ circles (the arcsecond regions whose MOCs were slow to build).
      const xml = xrt
        .replaceAll('655721', String(700000 + i))
        .replace('<C1>319.6588</C1>', `<C1>${ra}</C1>`)
        .replace('<C2>-34.9131</C2>', `<C2>${dec}</C2>`)
        .replace(
          '<Error2Radius>0.0010</Error2Radius>',
          `<Error2Radius>${(0.0003 + random() * 0.0025).toFixed(5)}</Error2Radius>`,
        );
      docs.push({ name: `events/${i}.xml`, xml });
      continue;
    }
    const trig = 600000000 + i;
    const xml = gbm
      .replaceAll('524666471', String(trig))
      .replace('<C1>176.8000</C1>', `<C1>${ra}</C1>`)
      .replace('<C2>-39.8000</C2>', `<C2>${dec}</C2>`)
      .replace(
        '<Error2Radius>11.6000</Error2Radius>',
        `<Error2Radius>${(1 + random() * 14).toFixed(4)}</Error2Radius>`,
      );
    docs.push({ name: `events/${i}.xml`, xml });
  }
  return docs;
}

/**
 * One import of the tar into a fresh database, as `coincide archive import` does it: stored
 * and indexed (the catch-up after it included); seconds from the first document read to the
 * last notice indexed.
 */
async function timedImport(
  dir: string,
  tarPath: string,
  name: string,
  options: { threads: number; indexWhileStoring: boolean },
): Promise<{ seconds: number; stored: number; documents: number; cpuSeconds: number }> {
  const db = openDatabase({ path: join(dir, `import-${name}.db`) });
  const index = createArchiveIndex({ db });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const importer = createArchiveImporter({
    db,
    nowMs: () => Date.now(),
    source: tarPath,
    threads: options.threads,
    ...(options.indexWhileStoring ? { index } : {}),
  });
  for await (const doc of readInputs([tarPath])) await importer.add(doc);
  const summary = await importer.finish();
  await index.catchUp();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const indexed = Number(
    db.prepare("SELECT count(*) FROM archive_notices WHERE moc_status = 'indexed'").pluck().get(),
  );
  if (indexed !== summary.stored) throw new Error(`${name}: ${indexed} indexed of ${summary.stored} stored`);
  db.close();
  return {
    seconds,
    stored: summary.stored,
    documents: summary.documents,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function importBench(dir: string): Promise<void> {
  const tarPath = join(dir, 'import.tar');
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve) => tar.on('end', resolve));
  for (const doc of importDocuments()) tar.entry({ name: doc.name }, doc.xml);
  tar.finalize();
  await ended;
  writeFileSync(tarPath, Buffer.concat(chunks));
  const keepTar = stringArg('keep-tar');
  if (keepTar !== undefined) writeFileSync(keepTar, Buffer.concat(chunks));

  let t0 = performance.now();
  let parsed = 0;
  for await (const doc of readInputs([tarPath])) {
    parseNoticeDocument(doc.bytes, { fileName: doc.name });
    parsed++;
  }
  const parseRate = parsed / ((performance.now() - t0) / 1000);
  console.log(
    `baseline: read + parse only, one thread: ${Math.round(parseRate)} documents/s  (load ${load()})`,
  );
  t0 = performance.now();
  let built = 0;
  for await (const doc of readInputs([tarPath])) {
    const notice = parseNoticeDocument(doc.bytes, { fileName: doc.name });
    const mocs = shapeMocs(notice, DEFAULT_ARCHIVE_LEVELS_PCT);
    if (mocs?.status === 'indexed') built++;
  }
  const mocSec = (performance.now() - t0) / 1000 - parsed / parseRate;
  console.log(
    `baseline: MOCs of the 50 % and 90 % regions, one thread: ${((1000 * mocSec) / built).toFixed(3)} ms per notice (${built} notices)  (load ${load()})`,
  );

  const runs: Array<[string, { threads: number; indexWhileStoring: boolean }]> = [
    ['one thread, index while storing (--threads 0)', { threads: 0, indexWhileStoring: true }],
    [
      'pool + index while storing (the CLI default)',
      { threads: defaultImportThreads(), indexWhileStoring: true },
    ],
    ['one thread, store then catch-up (before)', { threads: 0, indexWhileStoring: false }],
  ];
  let first: number | undefined;
  for (const [name, options] of runs) {
    const r = await timedImport(dir, tarPath, name.replace(/[^a-z]+/g, '-'), options);
    const rate = r.documents / r.seconds;
    first ??= rate;
    console.log(
      `import (${name}${options.threads > 0 ? `, ${options.threads} threads` : ''}): ${r.stored} VOEvents stored and indexed in ${r.seconds.toFixed(2)} s = ` +
        `${Math.round(rate)} documents/s (ratio to the first: ${(rate / first).toFixed(2)}; this thread's CPU ${r.cpuSeconds.toFixed(1)} s)  (load ${load()})`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), 'coincide-bench-archive-'));
try {
  console.log(`load average before: ${load()}`);
  if (!process.argv.includes('--import-only')) await positionBench(dir);
  console.log(`load average: ${load()}`);
  if (IMPORT > 0) await importBench(dir);
  console.log(`load average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

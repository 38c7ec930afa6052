/**
 * Where `coincide archive import` spends its CPU (scratch profile, not a benchmark of record):
 * imports a tar (bench/archive.ts --keep-tar PATH writes one) into a fresh database with the
 * archive index, `--threads N`, and prints wall time, CPU per document of each thread of the
 * process (/proc/self/task/TID/stat: user + system clock ticks), and the GC pauses by kind.
 *
 *   npx tsx bench/archive-profile.ts --tar /tmp/import.tar [--threads 0] [--repeat 1]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createArchiveIndex } from '../src/archive/archive-index.ts';
import { createArchiveImporter } from '../src/archive/import.ts';
import { readInputs } from '../src/replay/inputs.ts';
import { openDatabase } from '../src/store/database.ts';
import { prepareImportDocument } from '../src/archive/import-prepare.ts';
import { DEFAULT_ARCHIVE_LEVELS_PCT, shapeMocs, type NoticeMocs } from '../src/archive/notice-mocs.ts';
import { prepareMocs } from '../src/archive/prepared-mocs.ts';
import { parseNoticeDocument } from '../src/notices/parse-notice.ts';
import type { Notice } from '../src/notices/notice.ts';
import type { InputDocument } from '../src/replay/inputs.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const TAR = arg('tar', '/tmp/import.tar');
const THREADS = Number(arg('threads', '0'));
const REPEAT = Number(arg('repeat', '1'));
const STAGES = process.argv.includes('--stages');
/** `--pragma NAME=VALUE` (repeatable): set on the import's connection. */
const PRAGMAS = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--pragma' ? [a] : []));

function threadTicks(): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      out.set(tid, { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the thread ended
    }
  }
  return out;
}

const gc = new Map<string, { count: number; ms: number }>();
const kinds: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-cb' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = kinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
    const g = gc.get(kind) ?? { count: 0, ms: 0 };
    g.count++;
    g.ms += e.duration;
    gc.set(kind, g);
  }
}).observe({ entryTypes: ['gc'] });

/** This (main) thread's CPU, ms (/proc/self/stat: ticks of 10 ms). */
function mainCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

if (STAGES) {
  // The documents in memory, then each stage alone over all of them, 3 rounds (the last printed).
  const docs: InputDocument[] = [];
  for await (const doc of readInputs([TAR])) docs.push(doc);
  const n = docs.length;
  const stage = (name: string, fn: () => void): void => {
    let line = '';
    for (let round = 0; round < 3; round++) {
      const c0 = mainCpuMs();
      const t0 = performance.now();
      fn();
      const wall = performance.now() - t0;
      line = `${name.padEnd(40)} wall ${((wall / n) * 1000).toFixed(0)} µs/doc, main-thread CPU ${(((mainCpuMs() - c0) / n) * 1000).toFixed(0)} µs/doc`;
    }
    console.log(line);
  };
  let notices: Notice[] = [];
  stage('parse (parseNoticeDocument)', () => {
    notices = docs.map((d) => parseNoticeDocument(d.bytes, { fileName: d.name }));
  });
  stage('shapeMocs', () => {
    for (const notice of notices) shapeMocs(notice, DEFAULT_ARCHIVE_LEVELS_PCT);
  });
  const mocs = notices.map((notice) => shapeMocs(notice, DEFAULT_ARCHIVE_LEVELS_PCT) as NoticeMocs);
  stage('prepareMocs (encode, index rows)', () => {
    for (const m of mocs) prepareMocs(m);
  });
  stage('JSON.stringify(notice)', () => {
    for (const notice of notices) JSON.stringify(notice);
  });
  stage('prepareImportDocument (all of the above)', () => {
    for (const d of docs) prepareImportDocument(d, DEFAULT_ARCHIVE_LEVELS_PCT);
  });
  stage('structuredClone(prepared)', () => {
    for (const d of docs.slice(0, 500)) structuredClone(prepareImportDocument(d, DEFAULT_ARCHIVE_LEVELS_PCT));
  });
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-archive-prof-'));
    const db = openDatabase({ path: join(dir, 'a.db') });
    const index = createArchiveIndex({ db });
    const c0 = mainCpuMs();
    const t0 = performance.now();
    const importer = createArchiveImporter({ db, nowMs: () => Date.now(), source: TAR, threads: 0, index });
    for (const doc of docs) await importer.add(doc);
    await importer.finish();
    const wall = performance.now() - t0;
    console.log(
      `${'import from memory, one thread'.padEnd(40)} wall ${((wall / n) * 1000).toFixed(0)} µs/doc, main-thread CPU ${(((mainCpuMs() - c0) / n) * 1000).toFixed(0)} µs/doc`,
    );
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let r = 0; r < REPEAT; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-archive-prof-'));
  const db = openDatabase({ path: join(dir, 'a.db') });
  for (const pragma of PRAGMAS) db.pragma(pragma);
  const index = createArchiveIndex({ db });
  gc.clear();
  const before = threadTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const importer = createArchiveImporter({
    db,
    nowMs: () => Date.now(),
    source: TAR,
    threads: THREADS,
    index,
  });
  for await (const doc of readInputs([TAR])) await importer.add(doc);
  const summary = await importer.finish();
  await index.catchUp();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = threadTicks();
  const size = (f: string): string => {
    try {
      return (statSync(join(dir, f)).size / 2 ** 20).toFixed(1);
    } catch {
      return '-';
    }
  };
  const sizes = `database ${size('a.db')} MiB, WAL ${size('a.db-wal')} MiB`;
  const c0 = performance.now();
  db.close();
  const closeMs = performance.now() - c0;
  rmSync(dir, { recursive: true, force: true });
  const n = summary.documents;
  console.log(
    `run ${r + 1}: ${n} documents, ${summary.stored} stored, threads ${THREADS}: ${seconds.toFixed(2)} s = ${Math.round(n / seconds)}/s; ` +
      `process CPU ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms per document (load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
  );
  console.log(`  ${sizes}; close ${closeMs.toFixed(0)} ms`);
  const rows: string[] = [];
  for (const [tid, a] of after) {
    const b = before.get(tid);
    const ticks = a.ticks - (b?.ticks ?? 0);
    if (ticks > 0) rows.push(`${a.name}:${tid} ${((ticks * 10) / n).toFixed(3)}`);
  }
  console.log(`  ms of CPU per document by thread (10 ms ticks): ${rows.join(', ')}`);
  console.log(
    `  GC: ${[...gc].map(([k, g]) => `${k} ${g.count}× ${g.ms.toFixed(0)} ms (${((g.ms / n) * 1000).toFixed(0)} µs/doc)`).join(', ')}`,
  );
}

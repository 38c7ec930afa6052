/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium), with 1,000 notices
 * and 10,000 coincidences stored, against the same page with nothing stored (the same-run
 * baseline: fetch, bundle parse, empty render).
 *
 * "After a restart", as a user meets it: the records are stored, the server is stopped and a new
 * one started on the same database (a new app in this process: its caches are empty, but this
 * process's JIT is not cold as a new process's would be), and the page is loaded at once in a
 * Chromium launched after the restart (a fresh profile: no code cache, no connections), while
 * the server still compacts its newest records in the background. Each run (--runs) does, in
 * this order:
 *   1. restart the server, launch a fresh Chromium, load: "after restart";
 *   2. load again in the same Chromium: "warm";
 *   3. restart the server again, the same Chromium still running, load: "after restart, browser
 *      running" (what the server's restart alone costs).
 * With --process, each restart is a new `coincide serve` process (bin/coincide.js) on the
 * database, as an operator's restart is: cold JIT, and the time until it listens is printed.
 * With --baseline DIR (a checkout of earlier code, with node_modules), every run is done with
 * its server and console too, alternately, on a copy of the same database: a same-run comparison.
 *
 * Two times from navigation start, for each load:
 *   - first screen: the newest page (1,000 records, and the notices of the triggers its
 *     coincidences name) shown: the list's first rows built, their triggers' regions and their
 *     counterparts' markers drawn on the sky; the page is in use from then on;
 *   - complete: every older record loaded in the background (one call, asked for as soon as the
 *     first page has come) and drawn (all 11,000 records in the list's model, every region, every
 *     marker): what "rendered" meant before paging.
 * And what one live update costs: the time from publish to the row on screen, and how many list
 * rows the update created (1 = nothing else re-rendered).
 *
 *   npx tsx bench/console.ts [--notices 1000] [--coincidences 10000] [--runs 3] [--process]
 *     [--baseline DIR]
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from '../test/helpers/browser.ts';
import { makeCoincidence, makeNotice } from '../test/http/records.ts';
import { createTestToken, startTestApp, type TestApp } from '../test/http/start-app.ts';
import type { ConsoleStatus } from '../web/console-status.ts';
import { numberArg } from './number-arg.ts';
import { startServeProcess } from './serve-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const noticeCount = numberArg('notices', 1000);
const coincidenceCount = numberArg('coincidences', 10_000);
const runs = Math.max(1, numberArg('runs', 3));

function fill(t: TestApp): void {
  for (let i = 0; i < noticeCount; i++) {
    const ra = (i * 37.1) % 360;
    const dec = ((i * 13.7) % 160) - 80;
    t.app.publishNotice(
      makeNotice({
        triggerId: `Fermi:${700000000 + i}`,
        ivorn: `ivo://nasa.gsfc.gcn/Fermi#bench_${i}`,
        region: {
          type: 'circle',
          raDeg: ra,
          decDeg: dec,
          radiusDeg: 2 + (i % 8),
          containment: 0.68,
          systematicIncluded: false,
        },
      }),
    );
  }
  const base = makeCoincidence();
  for (let i = 0; i < coincidenceCount; i++) {
    const n = i % noticeCount;
    t.app.publishCoincidence(
      makeCoincidence({
        id: `c-bench-${i}`,
        tier: (['gold', 'silver', 'bronze'] as const)[i % 3] ?? 'bronze',
        pChance: 1e-4 * (1 + (i % 100)),
        trigger: { ...base.trigger, triggerId: `Fermi:${700000000 + n}` },
        counterpart: {
          ...base.counterpart,
          objectId: `ZTF25bench${i}`,
          raDeg: (n * 37.1 + (i % 7) * 0.3) % 360,
          decDeg: ((n * 13.7) % 160) - 80,
        },
      }),
    );
  }
}

/** What web/main.ts leaves on `window` when it has rendered. */
interface ConsoleWindow {
  coincideConsole?: ConsoleStatus;
}

interface Measured {
  /** Navigation start → first screen shown. */
  firstScreenMs: number;
  /** Navigation start → every page loaded and drawn. */
  completeMs: number;
  firstParts: Record<string, number>;
  firstRecords: number;
  olderParts: Record<string, number>;
  olderPages: number;
  olderChunks: number;
  records: number;
  rows: number;
  markers: number;
}

type Browser = Awaited<ReturnType<typeof launchChromium>>;
/** What the loads need of a server: where it is, a token, and how to stop it. */
type Server = Pick<TestApp, 'httpUrl' | 'token' | 'stop'>;
type StartApp = (options: { dir: string }) => Promise<Server>;

/** Milliseconds from spawn to listening, of each `coincide serve` process started (--process). */
const listeningMs: Record<string, number[]> = {};

/** `coincide serve` of the checkout at `root`, as a process of its own, on the database in `dir`. */
function serveProcess(root: string, name: string): StartApp {
  return async ({ dir }) => {
    const dbPath = join(dir, 'coincide.db');
    const token = createTestToken(dbPath);
    const spawnedMs = Date.now();
    const serve = await startServeProcess({ root, dbPath });
    (listeningMs[name] ??= []).push(Date.now() - spawnedMs);
    return { httpUrl: `http://127.0.0.1:${serve.ports.http ?? 0}`, token, stop: serve.stop };
  };
}

/** One load of the console in a new tab, until every older record is drawn. */
async function loadOnce(chromium: Browser, t: Server): Promise<Measured> {
  const page = await chromium.context.newPage();
  try {
    await page.addInitScript((token) => {
      localStorage.setItem('coincide.token', token);
    }, t.token);
    await page.goto(`${t.httpUrl}/`);
    await page.waitForFunction(
      () => (window as unknown as ConsoleWindow).coincideConsole !== undefined,
      undefined,
      { timeout: 120_000 },
    );
    const first = await page.evaluate(() => {
      const c = (window as unknown as ConsoleWindow).coincideConsole;
      return { records: c?.firstRecords ?? NaN, parts: c?.parts ?? {}, renderedMs: c?.renderedMs ?? NaN };
    });
    await page.waitForFunction(
      () => (window as unknown as ConsoleWindow).coincideConsole?.complete !== undefined,
      undefined,
      { timeout: 120_000 },
    );
    const m = await page.evaluate(() => {
      const c = (window as unknown as ConsoleWindow).coincideConsole;
      return {
        complete: c?.complete,
        rows: document.querySelectorAll('#rows tr.row').length,
        markers: c?.markers().length ?? 0,
      };
    });
    // renderedMs is performance.now() of the page: milliseconds since navigation start.
    return {
      firstScreenMs: first.renderedMs,
      completeMs: m.complete?.renderedMs ?? NaN,
      firstParts: first.parts,
      firstRecords: first.records,
      olderParts: m.complete?.parts ?? {},
      olderPages: m.complete?.pages ?? 0,
      olderChunks: m.complete?.chunks ?? 0,
      records: m.complete?.records ?? NaN,
      rows: m.rows,
      markers: m.markers,
    };
  } finally {
    await page.close();
  }
}

interface Cycle {
  /** A new server, a Chromium launched after it: the first load. */
  afterRestart: Measured;
  /** The same server and Chromium, again. */
  warm: Measured;
  /** Another new server, the same Chromium still running. */
  afterRestartBrowserRunning: Measured;
}

/** One run (see the header): restart, fresh Chromium, load; load again; restart, load. */
async function cycle(start: StartApp, dir: string): Promise<Cycle> {
  let app = await start({ dir });
  const chromium = await launchChromium();
  try {
    const afterRestart = await loadOnce(chromium, app);
    const warm = await loadOnce(chromium, app);
    await app.stop();
    app = await start({ dir });
    const afterRestartBrowserRunning = await loadOnce(chromium, app);
    return { afterRestart, warm, afterRestartBrowserRunning };
  } finally {
    await chromium.close();
    await app.stop();
  }
}

/** Loads of a console with nothing stored (the baseline) and one live update on the stored one. */
async function emptyAndLive(
  empty: Server,
  full: TestApp,
): Promise<{ emptyMs: number[]; liveMs: number; liveRowsAdded: number }> {
  const chromium = await launchChromium();
  try {
    const emptyMs: number[] = [];
    for (let r = 0; r < 3; r++) emptyMs.push((await loadOnce(chromium, empty)).completeMs);
    const page = await chromium.context.newPage();
    await page.addInitScript((token) => {
      localStorage.setItem('coincide.token', token);
    }, full.token);
    await page.goto(`${full.httpUrl}/`);
    await page.waitForFunction(
      () => (window as unknown as ConsoleWindow).coincideConsole?.complete !== undefined,
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
    await page.evaluate(() => {
      const body = document.getElementById('rows');
      (window as unknown as { added: number }).added = 0;
      new MutationObserver((records) => {
        for (const record of records)
          (window as unknown as { added: number }).added += record.addedNodes.length;
      }).observe(body as Node, { childList: true });
    });
    const publishedMs = Date.now();
    full.app.publishNotice(makeNotice({ triggerId: 'Fermi:live', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#live' }));
    await page.waitForSelector('tr.notice a[data-trigger="Fermi:live"]');
    const liveMs = Date.now() - publishedMs;
    const liveRowsAdded = await page.evaluate(() => (window as unknown as { added: number }).added);
    return { emptyMs, liveMs, liveRowsAdded };
  } finally {
    await chromium.close();
  }
}

/** The middle value (of an even count, the mean of the two middle ones). */
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const ms = (value: number | undefined): string => (value ?? NaN).toFixed(0);
const breakdown = (parts: Record<string, number>): string =>
  Object.entries(parts)
    .map(([k, v]) => `${k} ${ms(v)}`)
    .join(' + ');
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const asProcess = process.argv.includes('--process');
const baselineDir = (() => {
  const i = process.argv.indexOf('--baseline');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
/** The baseline checkout's own test app (its src/ and web/). */
const startBaseline: ((options: { dir: string }) => Promise<TestApp>) | undefined =
  baselineDir === undefined
    ? undefined
    : (
        (await import(pathToFileURL(join(resolve(baselineDir), 'test/http/start-app.ts')).href)) as {
          startTestApp: (options: { dir: string }) => Promise<TestApp>;
        }
      ).startTestApp;

const kinds = ['afterRestart', 'warm', 'afterRestartBrowserRunning'] as const;
const kindLabel: Record<(typeof kinds)[number], string> = {
  afterRestart: 'after restart (fresh Chromium)',
  warm: 'warm',
  afterRestartBrowserRunning: 'after restart (Chromium running)',
};

const variants: Array<{ name: string; start: StartApp; dir: string; cycles: Cycle[] }> = [];
const empty = await startTestApp();
// Filled by the oldest code given, so that any newer migration runs on its own copy.
const filled = await (startBaseline ?? startTestApp)({ dir: mkdtempSync(join(tmpdir(), 'coincide-bench-')) });
let filledRunning = true;
try {
  const fillStarted = Date.now();
  fill(filled);
  await filled.stop();
  filledRunning = false;
  variants.push({
    name: 'this tree',
    start: asProcess ? serveProcess(ROOT, 'this tree') : startTestApp,
    dir: filled.dir,
    cycles: [],
  });
  if (startBaseline !== undefined && baselineDir !== undefined) {
    const copy = mkdtempSync(join(tmpdir(), 'coincide-bench-'));
    cpSync(filled.dir, copy, { recursive: true });
    const name = `baseline ${baselineDir}`;
    variants.push({
      name,
      start: asProcess ? serveProcess(resolve(baselineDir), name) : startBaseline,
      dir: copy,
      cycles: [],
    });
  }
  process.stdout.write(
    `stored ${noticeCount} notices + ${coincidenceCount} coincidences in ${Date.now() - fillStarted} ms; ` +
      `${runs} runs of: restart, fresh Chromium, load; load; restart, load${variants.length > 1 ? ' (this tree and the baseline alternately)' : ''}; ` +
      `restarts ${asProcess ? 'as new `coincide serve` processes' : 'as new apps in this process'}; ` +
      `load average ${load()}\n`,
  );
  for (let r = 0; r < runs; r++) {
    // Alternate which goes first, so neither always meets the other's leftovers.
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) v.cycles.push(await cycle(v.start, v.dir));
  }
  const full = await startTestApp({ dir: filled.dir });
  let live: Awaited<ReturnType<typeof emptyAndLive>>;
  try {
    live = await emptyAndLive(empty, full);
  } finally {
    await full.stop();
  }
  const baseMs = median(live.emptyMs);
  let out = `baseline (nothing stored): navigation → rendered ${ms(baseMs)} ms (median of ${live.emptyMs.length})\n`;
  out += `${noticeCount} notices + ${coincidenceCount} coincidences, navigation → first screen / complete, ms:\n`;
  const medians = new Map<string, number>();
  for (const v of variants) {
    out += `  ${v.name}:\n`;
    for (const kind of kinds) {
      const list = v.cycles.map((c) => c[kind]);
      const firstMedian = median(list.map((m) => m.firstScreenMs));
      const completeMedian = median(list.map((m) => m.completeMs));
      medians.set(`${v.name} ${kind}`, completeMedian);
      out +=
        `    ${kindLabel[kind]}: first screen ${list.map((m) => ms(m.firstScreenMs)).join(', ')} (median ${ms(firstMedian)}); ` +
        `complete ${list.map((m) => ms(m.completeMs)).join(', ')} (median ${ms(completeMedian)}, ` +
        `under 1 s in ${list.filter((m) => m.completeMs < 1000).length} of ${list.length})\n`;
    }
    const listening = listeningMs[v.name];
    if (listening !== undefined)
      out += `    coincide serve: spawn → listening ${listening.map((x) => ms(x)).join(', ')} ms\n`;
    const last = v.cycles.at(-1);
    if (last !== undefined) {
      const a = last.afterRestart;
      out +=
        `    last after restart: first ${a.firstRecords} items: ${breakdown(a.firstParts)}; older: ${a.olderPages} call(s), ` +
        `${a.olderChunks} parts: ${breakdown(a.olderParts)}; when complete ${a.records} records, ${a.rows} list rows, ${a.markers} markers\n`;
    }
  }
  if (variants.length > 1) {
    const [ours, base] = variants;
    for (const kind of kinds) {
      const o = medians.get(`${ours?.name ?? ''} ${kind}`) ?? NaN;
      const b = medians.get(`${base?.name ?? ''} ${kind}`) ?? NaN;
      out += `  ratio this tree / baseline, complete, ${kindLabel[kind]}: ${(o / b).toFixed(2)}\n`;
    }
  }
  const ours = variants[0]?.cycles ?? [];
  const restartMedian = median(ours.map((c) => c.afterRestart.completeMs));
  const warmMedian = median(ours.map((c) => c.warm.completeMs));
  out +=
    `target < 1000 ms (this tree, medians): complete after restart (fresh Chromium) ${ms(restartMedian)} ` +
    `${restartMedian < 1000 ? 'met' : 'NOT met'}, warm ${ms(warmMedian)} ${warmMedian < 1000 ? 'met' : 'NOT met'}\n` +
    `one live notice: on screen ${live.liveMs} ms after publish; list rows added ${live.liveRowsAdded} (1 = no re-render)\n` +
    `load average ${load()}\n`;
  process.stdout.write(out);
} finally {
  await empty.stop();
  if (filledRunning) await filled.stop();
  for (const v of variants) rmSync(v.dir, { recursive: true, force: true });
  rmSync(filled.dir, { recursive: true, force: true });
}

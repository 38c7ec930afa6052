/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium), with 1,000 notices
 * and 10,000 coincidences stored, against the same page with nothing stored (the same-run
 * baseline: fetch, bundle parse, empty render). The records are stored, then the server is
 * stopped and started again on the same database, as after a restart: the first load comes at
 * once (while the server compacts the newest records in the background), the later ones warm.
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
 *   npx tsx bench/console.ts [--notices 1000] [--coincidences 10000] [--runs 3]
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { launchChromium } from '../test/helpers/browser.ts';
import { makeCoincidence, makeNotice } from '../test/http/records.ts';
import { startTestApp, type TestApp } from '../test/http/start-app.ts';
import type { ConsoleStatus } from '../web/console-status.ts';
import { numberArg } from './number-arg.ts';

const noticeCount = numberArg('notices', 1000);
const coincidenceCount = numberArg('coincidences', 10_000);
const runs = Math.max(2, numberArg('runs', 3));

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

async function measure(
  t: TestApp,
  live: boolean,
): Promise<{ runs: Measured[]; liveMs?: number; liveRowsAdded?: number }> {
  const chromium = await launchChromium();
  try {
    const out: Measured[] = [];
    let liveMs: number | undefined;
    let liveRowsAdded: number | undefined;
    for (let r = 0; r < runs; r++) {
      const page = await chromium.context.newPage();
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
      out.push({
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
      });
      if (live && r === runs - 1) {
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
        t.app.publishNotice(makeNotice({ triggerId: 'Fermi:live', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#live' }));
        await page.waitForSelector('tr.notice a[data-trigger="Fermi:live"]');
        liveMs = Date.now() - publishedMs;
        liveRowsAdded = await page.evaluate(() => (window as unknown as { added: number }).added);
      }
      await page.close();
    }
    return { runs: out, ...(liveMs === undefined ? {} : { liveMs, liveRowsAdded }) };
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

const empty = await startTestApp();
const filled = await startTestApp({ keepDir: true });
let full: TestApp | undefined;
try {
  const fillStarted = Date.now();
  fill(filled);
  await filled.stop();
  // The same database, served by a new process state: nothing compacted yet.
  full = await startTestApp({ dir: filled.dir });
  process.stdout.write(
    `stored ${noticeCount} notices + ${coincidenceCount} coincidences in ${Date.now() - fillStarted} ms; ` +
      `server restarted on them; load average ${load()}\n`,
  );
  const loaded = await measure(full, true);
  const baseline = await measure(empty, false);
  const baseMs = median(baseline.runs.map((m) => m.completeMs));
  const [afterStart, ...warm] = loaded.runs;
  const warmFirst = median(warm.map((m) => m.firstScreenMs));
  const warmComplete = median(warm.map((m) => m.completeMs));
  const last = loaded.runs.at(-1);
  const report = (label: string, m: Measured | undefined): string =>
    m === undefined
      ? ''
      : `  ${label}: first screen ${ms(m.firstScreenMs)} ms (${m.firstRecords} items: ${breakdown(m.firstParts)}), ` +
        `complete ${ms(m.completeMs)} ms (older records: ${m.olderPages} call(s), asked for when the first page came, shown in ${m.olderChunks} parts: ${breakdown(m.olderParts)})\n`;
  process.stdout.write(
    `baseline (nothing stored): navigation → rendered ${ms(baseMs)} ms (median of ${runs})\n` +
      `${noticeCount} notices + ${coincidenceCount} coincidences, navigation → first screen / complete:\n` +
      report('first load after the restart', afterStart) +
      report('last warm load', last) +
      `  warm loads (median of ${warm.length}): first screen ${ms(warmFirst)} ms, complete ${ms(warmComplete)} ms; ` +
      `ratio to baseline ${(warmFirst / baseMs).toFixed(2)} / ${(warmComplete / baseMs).toFixed(2)}\n` +
      `  each load, first screen: ${loaded.runs.map((m) => ms(m.firstScreenMs)).join(', ')} ms; ` +
      `complete: ${loaded.runs.map((m) => ms(m.completeMs)).join(', ')} ms\n` +
      `  when complete: ${last?.records ?? NaN} records in the model, ${last?.rows ?? NaN} list rows built, ` +
      `${last?.markers ?? NaN} markers drawn\n` +
      `target < 1000 ms: first screen ${afterStart !== undefined && afterStart.firstScreenMs < 1000 && warmFirst < 1000 ? 'met' : 'NOT met'} ` +
      `(after restart ${ms(afterStart?.firstScreenMs)}, warm ${ms(warmFirst)}); ` +
      `complete ${afterStart !== undefined && afterStart.completeMs < 1000 && warmComplete < 1000 ? 'met' : 'NOT met'} ` +
      `(after restart ${ms(afterStart?.completeMs)}, warm ${ms(warmComplete)})\n` +
      `one live notice: on screen ${loaded.liveMs ?? NaN} ms after publish; list rows added ${loaded.liveRowsAdded ?? NaN} (1 = no re-render)\n` +
      `load average ${load()}\n`,
  );
} finally {
  await empty.stop();
  await full?.stop();
  if (full === undefined) await filled.stop().catch(() => undefined);
  rmSync(filled.dir, { recursive: true, force: true });
}

/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium): how long the page
 * takes from navigation to its first full render (list and sky) with 1,000 notices and 10,000
 * coincidences stored, beside the same page with nothing stored (the same-run baseline: fetch,
 * bundle parse, empty render), and what one live update costs: the time from publish to the
 * row on screen, and how many list rows the update created (1 = nothing else re-rendered).
 *
 *   npx tsx bench/console.ts [--notices 1000] [--coincidences 10000] [--runs 3]
 */
import { loadavg } from 'node:os';
import { launchChromium } from '../test/helpers/browser.ts';
import { makeCoincidence, makeNotice } from '../test/http/records.ts';
import { startTestApp, type TestApp } from '../test/http/start-app.ts';
import { numberArg } from './number-arg.ts';

const noticeCount = numberArg('notices', 1000);
const coincidenceCount = numberArg('coincidences', 10_000);
const runs = numberArg('runs', 3);

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
  coincideConsole?: { renderedMs: number; renderMs: number; parts: Record<string, number> };
}

interface Measured {
  navigationToRenderMs: number;
  appRenderMs: number;
  rows: number;
  markers: number;
  parts: Record<string, number>;
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
      const m = await page.evaluate(() => ({
        renderedMs: (window as unknown as ConsoleWindow).coincideConsole?.renderedMs ?? NaN,
        appRenderMs: (window as unknown as ConsoleWindow).coincideConsole?.renderMs ?? NaN,
        parts: (window as unknown as ConsoleWindow).coincideConsole?.parts ?? {},
        rows: document.querySelectorAll('#rows tr').length,
        markers: document.querySelectorAll('svg.sky circle.marker').length,
      }));
      // renderedMs is performance.now() of the page: milliseconds since navigation start.
      out.push({
        navigationToRenderMs: m.renderedMs,
        appRenderMs: m.appRenderMs,
        rows: m.rows,
        markers: m.markers,
        parts: m.parts,
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

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const empty = await startTestApp();
const full = await startTestApp();
try {
  const fillStarted = Date.now();
  fill(full);
  process.stdout.write(
    `stored ${noticeCount} notices + ${coincidenceCount} coincidences in ${Date.now() - fillStarted} ms\n`,
  );
  const baseline = await measure(empty, false);
  const loaded = await measure(full, true);
  const baseMs = median(baseline.runs.map((m) => m.navigationToRenderMs));
  const fullMs = median(loaded.runs.map((m) => m.navigationToRenderMs));
  const appMs = median(loaded.runs.map((m) => m.appRenderMs));
  const last = loaded.runs.at(-1);
  process.stdout.write(
    `baseline (nothing stored): navigation → rendered ${baseMs.toFixed(0)} ms (median of ${runs})\n` +
      `${noticeCount} notices + ${coincidenceCount} coincidences: navigation → rendered ${fullMs.toFixed(0)} ms ` +
      `(fetch + model + list + sky: ${appMs.toFixed(0)} ms = ${Object.entries(last?.parts ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(' + ')}; ${last?.rows ?? 0} rows built, ${last?.markers ?? 0} markers); ` +
      `ratio to baseline ${(fullMs / baseMs).toFixed(2)}\n` +
      `each run: ${loaded.runs.map((m) => m.navigationToRenderMs.toFixed(0)).join(', ')} ms ` +
      `(the first after start also compacts every record for /console/records; later loads reuse it)\n` +
      `target < 1000 ms: ${fullMs < 1000 ? 'met' : 'NOT met'}\n` +
      `one live notice: on screen ${loaded.liveMs ?? NaN} ms after publish; list rows added ${loaded.liveRowsAdded ?? NaN} (1 = no re-render)\n` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
} finally {
  await empty.stop();
  await full.stop();
}

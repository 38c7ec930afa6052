/**
 * The web console in a real headless Chromium against a real `coincide serve` app: refused
 * without a token, loads with one; a VOEvent submitted over VTP appears in the live list; a
 * coincidence appears with its tier while the sky view draws the trigger's region and the
 * counterpart's marker; a retraction greys the trigger out and its withdrawn coincidence too;
 * the trigger page shows the history and the picture. Screenshots go to test-artifacts/; the
 * README's screenshot (docs/console.png) is refreshed from one only with COINCIDE_REFRESH_DOCS=1.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeSeqList } from '../../src/text/seq-list.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import type { Page } from 'playwright-core';
import { artifactPath, launchChromium, skipUnlessChromium } from '../helpers/browser.ts';
import { refreshDocImage } from '../helpers/doc-images.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeCoincidence, makeNotice, makeTriple } from '../http/records.ts';
import { startTestApp } from '../http/start-app.ts';

const GBM_XML = join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml');
const TRIGGER = 'Fermi:524666471';

/** A marker as web/marker-layer.ts reports it (window.coincideConsole.markers()). */
interface DrawnMarker {
  id: string;
  triggerId: string;
  style: string;
  clientX: number;
  clientY: number;
}

/** What web/main.ts leaves on `window` (the test's TypeScript has no DOM types). */
interface ConsoleHook {
  coincideConsole?: { markers: () => DrawnMarker[]; complete?: unknown };
}

/** Waits until the sky has drawn the coincidence's marker in this style, and returns it. */
async function waitForMarker(page: Page, id: string, style: string): Promise<DrawnMarker> {
  // A function, not a string: the console's Content-Security-Policy forbids eval.
  const handle = await page.waitForFunction(
    ([wanted, wantedStyle]) =>
      (globalThis as unknown as ConsoleHook).coincideConsole
        ?.markers()
        .find((m) => m.id === wanted && m.style === wantedStyle),
    [id, style] as const,
  );
  return (await handle.jsonValue()) as DrawnMarker;
}

/** The RGB of the marker canvas at a point of the page (CSS pixels). */
async function canvasRgb(page: Page, clientX: number, clientY: number): Promise<number[]> {
  return await page.evaluate<number[]>(`(() => {
    const canvas = document.querySelector('#sky canvas.markers');
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const x = Math.round((${clientX} - box.left) * scale);
    const y = Math.round((${clientY} - box.top) * scale);
    return [...canvas.getContext('2d').getImageData(x, y, 1, 1).data].slice(0, 3);
  })()`);
}

/** --gold of web/style.css, #b8860b. */
const GOLD = [0xb8, 0x86, 0x0b];

describe('web console (Chromium)', () => {
  const skip = skipUnlessChromium();

  it(
    'needs a token, shows live notices and coincidences, draws the sky, greys out a retraction',
    { skip },
    async () => {
      const t = await startTestApp();
      const chromium = await launchChromium();
      try {
        const page = await chromium.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        page.on('requestfailed', (request) => {
          if (!request.url().startsWith(t.httpUrl)) errors.push(`off-origin request ${request.url()}`);
        });
        await page.goto(`${t.httpUrl}/`);
        // Without a token: the form, saying how to make one.
        await page.waitForSelector('#token-form');
        assert.match((await page.textContent('#token-form')) ?? '', /coincide tokens create/);
        await page.fill('#token', 'cct_not_a_token');
        await page.click('#token-form button');
        await page.waitForSelector('#token-form >> text=refused');
        await page.screenshot({ path: artifactPath('console-refused.png') });

        await page.fill('#token', t.token);
        await page.click('#token-form button');
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
        assert.equal(await page.evaluate(() => localStorage.getItem('coincide.token')), t.token);
        // Every axis label lies wholly inside the sky view (the equator's "0°" was cut to ")°").
        // (A string: the test's TypeScript has no DOM types.)
        const cutLabels = await page.evaluate<string[]>(`(() => {
          const view = document.querySelector('svg.sky').viewBox.baseVal;
          return [...document.querySelectorAll('svg.sky text.axis')]
            .filter((label) => {
              const box = label.getBBox();
              return box.x < 0 || box.y < 0 || box.x + box.width > view.width || box.y + box.height > view.height;
            })
            .map((label) => label.textContent);
        })()`);
        assert.deepEqual(cutLabels, []);
        assert.ok(
          (await page.locator('svg.sky text.axis', { hasText: /^0°$/ }).count()) === 1,
          'the equator is labelled 0°',
        );

        // A VOEvent over VTP appears in the list.
        const sentMs = Date.now();
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: t.ports.vtpReceiver,
          bytes: readFileSync(GBM_XML),
        });
        assert.equal(receipt.role, 'ack');
        await page.waitForSelector(`tr.notice a[data-trigger="${TRIGGER}"]`, { timeout: 15_000 });
        const noticeLatencyMs = Date.now() - sentMs;
        process.stderr.write(`console: VTP notice on screen after ${noticeLatencyMs} ms\n`);
        // Its circle is drawn on the sky.
        const shapePath = await page.getAttribute(
          `svg.sky g.region[data-trigger="${TRIGGER}"] path.shape`,
          'd',
        );
        assert.match(shapePath ?? '', /^M[\d.-]+,[\d.-]+L/);

        // A coincidence with its tier, and its counterpart marked on the sky.
        const trigger = {
          triggerId: TRIGGER,
          ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2017-08-17T12:41:06.18_524666471_57-001',
          revision: 57,
          messenger: 'gamma' as const,
          observatory: 'Fermi',
          noticeType: 'Fermi_GBM_Gnd_Pos',
          triggerTime: '2017-08-17T12:41:06.180Z',
        };
        const base = makeCoincidence();
        const coincidence = makeCoincidence({
          id: 'c-524666471-ZTF17aaaaaaa',
          trigger,
          tier: 'gold',
          pChance: 0.0004,
          counterpart: { ...base.counterpart, objectId: 'ZTF17aaaaaaa', raDeg: 178.2, decDeg: -37.5 },
        });
        t.app.publishCoincidence(coincidence);
        await page.waitForSelector('tr.coincidence.tier-gold');
        assert.equal((await page.textContent('tr.coincidence.tier-gold td.tier'))?.trim(), 'gold');
        // Its marker: gold on the marker canvas, where the sky view says it is.
        const marker = await waitForMarker(page, 'c-524666471-ZTF17aaaaaaa', 'gold');
        assert.equal(marker.triggerId, TRIGGER);
        assert.deepEqual(await canvasRgb(page, marker.clientX, marker.clientY), GOLD);
        await page.screenshot({ path: artifactPath('console-coincidence.png'), fullPage: true });
        // The README's screenshot, when asked for (test/helpers/doc-images.ts).
        refreshDocImage(artifactPath('console-coincidence.png'), 'console.png');
        // A click on the marker (hit-tested: the canvas lets clicks through) selects its
        // coincidence: the view zooms to its trigger, and the marker is redrawn where it now is.
        assert.equal(await page.getAttribute('svg.sky g.zoom', 'transform'), null);
        await page.mouse.click(marker.clientX + 1, marker.clientY - 1);
        assert.match((await page.getAttribute('svg.sky g.zoom', 'transform')) ?? '', /scale\(/);
        const zoomed = await waitForMarker(page, 'c-524666471-ZTF17aaaaaaa', 'gold');
        assert.notDeepEqual([zoomed.clientX, zoomed.clientY], [marker.clientX, marker.clientY]);
        assert.deepEqual(await canvasRgb(page, zoomed.clientX, zoomed.clientY), GOLD);
        await page.click('#whole-sky');
        assert.equal(await page.getAttribute('svg.sky g.zoom', 'transform'), null);
        // A click beside it selects nothing.
        await page.mouse.click(marker.clientX + 30, marker.clientY + 30);
        assert.equal(await page.getAttribute('svg.sky g.zoom', 'transform'), null);
        // Zoom to the trigger.
        await page.click(`tr.notice a[data-trigger="${TRIGGER}"] >> xpath=../..`, {
          position: { x: 5, y: 5 },
        });
        assert.match((await page.getAttribute('svg.sky g.zoom', 'transform')) ?? '', /scale\(/);
        await page.screenshot({ path: artifactPath('console-zoomed.png'), fullPage: true });

        // A retraction greys out the trigger; its coincidence is withdrawn.
        // The next GBM notice of the trigger says it was not a GRB: a retraction (over VTP too).
        const retraction = readFileSync(GBM_XML, 'utf8')
          .replace('_524666471_57-001', '_524666471_58-001')
          .replace('name="Sequence_Num" value="57"', 'name="Sequence_Num" value="58"')
          .replace('name="Def_NOT_a_GRB" value="false"', 'name="Def_NOT_a_GRB" value="true"')
          .replace('<Date>2017-08-17T12:41:46</Date>', '<Date>2017-08-17T12:45:00</Date>');
        const retracted = await sendEvent({
          host: '127.0.0.1',
          port: t.ports.vtpReceiver,
          bytes: Buffer.from(retraction),
        });
        assert.equal(retracted.role, 'ack');
        t.app.publishCoincidence({ ...coincidence, status: 'withdrawn' });
        await page.waitForSelector(`tr.notice.retracted a[data-trigger="${TRIGGER}"]`);
        await page.waitForSelector('tr.coincidence.withdrawn');
        await page.waitForSelector(`svg.sky g.region.retracted[data-trigger="${TRIGGER}"]`);
        await waitForMarker(page, 'c-524666471-ZTF17aaaaaaa', 'withdrawn');
        assert.equal(await page.locator('tr.coincidence:not(.withdrawn)').count(), 0);
        await page.screenshot({ path: artifactPath('console-retracted.png'), fullPage: true });

        // The trigger page: versions with what changed, retraction, picture, coincidence.
        await page.goto(`${t.httpUrl}/triggers/${encodeURIComponent(TRIGGER)}`);
        await page.waitForSelector('table.history');
        assert.match((await page.textContent('h2')) ?? '', /RETRACTED/);
        assert.equal(await page.locator('table.history tbody tr').count(), 2);
        assert.match((await page.textContent('table.history')) ?? '', /alert type: .* → retraction/);
        assert.match((await page.textContent('section.coincidence')) ?? '', /gold/);
        // The provenance is coincide explain's sections (src/join/explain.ts), not stored text.
        assert.ok((await page.locator('section.coincidence .explanation section.explain h4').count()) > 1);
        await page.waitForFunction(() => {
          const img = document.querySelector<HTMLImageElement>('img.picture');
          return img !== null && img.complete && img.naturalWidth > 0;
        });
        await page.screenshot({ path: artifactPath('console-trigger.png'), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await chromium.close();
        await t.stop();
      }
    },
  );

  it(
    'shows a triple in the list and on its partner trigger page, linked to its pair records',
    { skip },
    async () => {
      const t = await startTestApp();
      const chromium = await launchChromium();
      try {
        const page = await chromium.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        await page.goto(`${t.httpUrl}/`);
        await page.waitForSelector('#token-form');
        await page.fill('#token', t.token);
        await page.click('#token-form button');
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: t.ports.vtpReceiver,
          bytes: readFileSync(GBM_XML),
        });
        assert.equal(receipt.role, 'ack');
        await page.waitForSelector(`tr.notice a[data-trigger="${TRIGGER}"]`, { timeout: 15_000 });
        // A GW × GRB pair, the GRB's optical pair, and the triple built from them.
        const base = makeTriple();
        const grb = {
          triggerId: TRIGGER,
          ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2017-08-17T12:41:06.18_524666471_57-001',
          revision: 57,
          messenger: 'gamma' as const,
          observatory: 'Fermi',
          noticeType: 'Fermi_GBM_Gnd_Pos',
          triggerTime: '2017-08-17T12:41:06.180Z',
        };
        const mmPair = makeCoincidence({
          id: 'pair-gw-grb',
          pairType: 'mm-mm',
          trigger: base.trigger,
          counterpart: grb,
        });
        const opticalPair = makeCoincidence({ id: 'pair-grb-ztf', trigger: grb });
        const triple = makeTriple({
          id: 'triple-gw-grb-ztf',
          partners: [grb],
          pairIds: [mmPair.id, opticalPair.id],
        });
        for (const c of [mmPair, opticalPair, triple]) t.app.publishCoincidence(c);
        await page.waitForSelector('tr.coincidence span.m-triple');
        assert.match(
          (await page.textContent('tr.coincidence:has(span.m-triple) td.what')) ?? '',
          /triple LVK × Fermi × ZTF ZTF25aaaaaaa/,
        );
        await page.goto(`${t.httpUrl}/triggers/${encodeURIComponent(TRIGGER)}`);
        await page.waitForSelector('section.coincidence#triple-gw-grb-ztf');
        const section = page.locator('section.coincidence#triple-gw-grb-ztf');
        assert.match(
          (await section.textContent()) ?? '',
          /LVK:S250101a × Fermi:524666471 × ZTF ZTF25aaaaaaa/,
        );
        assert.deepEqual(
          await section
            .locator('p.pairs a.pair-link')
            .evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
          ['#pair-gw-grb', '#pair-grb-ztf'],
        );
        await page.screenshot({ path: artifactPath('console-triple.png'), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await chromium.close();
        await t.stop();
      }
    },
  );

  it(
    'loads the newest page first and the older records after it in one call, shown in parts, in order, with every marker',
    { skip },
    async () => {
      const t = await startTestApp();
      const chromium = await launchChromium();
      try {
        // 4,000 records: the first page is the newest 1,000 and the 301 notices its pairs name
        // (seqs 2 to 302), then the 3,000 older records in one call, without those 301 notices, shown
        // in two parts (2,500 and 199). Fermi:far's notice is the oldest record (seq 1), and the pair
        // that names it is in the first part: its marker can be drawn only when the second part is
        // shown.
        const base = makeCoincidence();
        const side = (triggerId: string) => ({ ...base.trigger, triggerId });
        const circle = (raDeg: number) => ({
          type: 'circle' as const,
          raDeg,
          decDeg: 10,
          radiusDeg: 3,
          containment: 0.68,
          systematicIncluded: false,
        });
        t.app.publishNotice(
          makeNotice({ triggerId: 'Fermi:far', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#far', region: circle(30) }),
        );
        t.app.publishNotice(
          makeNotice({ triggerId: 'Fermi:mm', ivorn: 'ivo://nasa.gsfc.gcn/Fermi#mm', region: circle(60) }),
        );
        for (let i = 0; i < 300; i++) {
          t.app.publishNotice(
            makeNotice({
              triggerId: `Fermi:${i}`,
              ivorn: `ivo://nasa.gsfc.gcn/Fermi#t${i}`,
              region: circle(i),
            }),
          );
        }
        for (let i = 0; i < 3697; i++) {
          t.app.publishCoincidence(
            i === 500
              ? makeCoincidence({
                  id: 'c-far',
                  pairType: 'mm-mm',
                  trigger: side('Fermi:7'),
                  counterpart: side('Fermi:far'),
                })
              : makeCoincidence({
                  id: `c-${i}`,
                  trigger: side(`Fermi:${i % 300}`),
                  counterpart: { ...base.counterpart, objectId: `ZTF25x${i}`, raDeg: i % 300, decDeg: 10 },
                }),
          );
        }
        t.app.publishCoincidence(
          makeCoincidence({
            id: 'c-newest',
            pairType: 'mm-mm',
            trigger: side('Fermi:1'),
            counterpart: side('Fermi:mm'),
          }),
        );

        const page = await chromium.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        // The calls for records: how many each brought, and what it skipped.
        const calls: Array<Promise<{ url: string; records: number }>> = [];
        page.on('response', (response) => {
          if (response.url().includes('/console/records'))
            calls.push(
              response.json().then((body: { records: unknown[] }) => ({
                url: response.url(),
                records: body.records.length,
              })),
            );
        });
        await page.addInitScript((token) => {
          localStorage.setItem('coincide.token', token);
        }, t.token);
        await page.goto(`${t.httpUrl}/`);
        await page.waitForFunction(
          () => (globalThis as unknown as ConsoleHook).coincideConsole !== undefined,
        );
        // The first render: the newest page and the 301 notices its pairs name (older than it).
        assert.equal(await page.evaluate('window.coincideConsole.firstRecords'), 1000 + 301);
        assert.equal(await page.getAttribute('#rows tr.row:first-child', 'data-key'), 'c:c-newest');
        await page.waitForFunction(
          () => (globalThis as unknown as ConsoleHook).coincideConsole?.complete !== undefined,
        );
        const complete = await page.evaluate<{ pages: number; chunks: number; records: number }>(
          'window.coincideConsole.complete',
        );
        assert.deepEqual([complete.pages, complete.chunks, complete.records], [1, 2, 4000]);
        const [firstCall, olderCall, ...others] = await Promise.all(calls);
        assert.deepEqual(others, []);
        assert.equal(firstCall?.records, 1000);
        assert.match(olderCall?.url ?? '', /[?&]beforeSeq=3001&/);
        assert.deepEqual(
          [...decodeSeqList(new URL(olderCall?.url ?? '').searchParams.get('skip') ?? '')],
          Array.from({ length: 301 }, (_, i) => 2 + i),
          'the notices of the first page are not sent again',
        );
        assert.equal(olderCall?.records, 3000 - 301);
        const markers = await page.evaluate<DrawnMarker[]>('window.coincideConsole.markers()');
        assert.equal(markers.length, 3698, 'every coincidence marked');
        assert.equal(markers.find((m) => m.id === 'c-far')?.style, 'mm', 'marked at the oldest notice');
        assert.equal(markers.find((m) => m.id === 'c-newest')?.style, 'mm');
        assert.equal(await page.locator('svg.sky g.region path.shape').count(), 302);

        // The list, newest first across the pages: scrolled down past the first page's records.
        const seqsShown = async (): Promise<number[]> =>
          await page
            .locator('#rows tr.row')
            .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))));
        while ((await seqsShown()).length < 1400) {
          const before = (await seqsShown()).length;
          await page.locator('#rows tr.more').scrollIntoViewIfNeeded();
          await page.locator('#rows tr.row').nth(before).waitFor({ state: 'attached' });
        }
        const seqs = await seqsShown();
        assert.deepEqual(
          seqs,
          Array.from({ length: seqs.length }, (_, i) => 4000 - i),
          'every record, newest first, none twice',
        );
        assert.match(
          (await page.textContent('#rows tr.more')) ?? '',
          new RegExp(`^${4000 - seqs.length} more`),
        );
        assert.deepEqual(errors, []);
      } finally {
        await chromium.close();
        await t.stop();
      }
    },
  );
});

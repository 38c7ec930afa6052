/**
 * The web console in a real headless Chromium against a real `coincide serve` app: refused
 * without a token, loads with one; a VOEvent submitted over VTP appears in the live list; a
 * coincidence appears with its tier while the sky view draws the trigger's region and the
 * counterpart's marker; a retraction greys the trigger out and its withdrawn coincidence too;
 * the trigger page shows the history and the picture. Screenshots go to test-artifacts/, and
 * the README's screenshot (docs/console.png) is written here.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sendEvent } from '../../src/vtp/sender.ts';
import { artifactPath, launchChromium, skipUnlessChromium } from '../helpers/browser.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeCoincidence, makeTriple } from '../http/records.ts';
import { startTestApp } from '../http/start-app.ts';

const GBM_XML = join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml');
const TRIGGER = 'Fermi:524666471';

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
        await page.waitForSelector(
          'svg.sky circle.marker.tier-gold[data-coincidence="c-524666471-ZTF17aaaaaaa"]',
        );
        await page.screenshot({ path: artifactPath('console-coincidence.png'), fullPage: true });
        mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
        copyFileSync(artifactPath('console-coincidence.png'), join(PROJECT_ROOT, 'docs', 'console.png'));
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
        await page.waitForSelector('svg.sky circle.marker.withdrawn');
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
});

/**
 * GET /v1/notices/{triggerId}/skymap.svg, /sky.json and the coincidence picture on a real app,
 * and the console's sky (src/app/console-sky.ts) for every region kind, the sky map being the
 * demo's LVK map as a data: reference.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createConsoleSky } from '../../src/app/console-sky.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { makeCoincidence, makeNotice } from './records.ts';
import { startTestApp } from './start-app.ts';

const GBM_XML = join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml');
const TRIGGER = 'Fermi:524666471';

describe('sky pictures over HTTP', () => {
  it('draws a notice region and a coincidence with its counterpart marked; needs a token', async () => {
    const t = await startTestApp();
    try {
      const receipt = await sendEvent({
        host: '127.0.0.1',
        port: t.ports.vtpReceiver,
        bytes: readFileSync(GBM_XML),
      });
      assert.equal(receipt.role, 'ack');
      const url = `${t.httpUrl}/v1/notices/${encodeURIComponent(TRIGGER)}`;
      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      let svg = await fetch(`${url}/skymap.svg`, auth);
      for (let i = 0; i < 100 && svg.status === 404; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        svg = await fetch(`${url}/skymap.svg`, auth);
      }
      assert.equal(svg.status, 200);
      assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      const text = await svg.text();
      assert.match(text, /class="region" d="M[\d.]+,[\d.]+L/);
      assert.match(text, /circle: RA 176\.8/);
      assert.equal((await fetch(`${url}/skymap.svg`)).status, 401);
      const sky = (await (await fetch(`${url}/sky.json`, auth)).json()) as {
        kind: string;
        shape: { type: string };
      };
      assert.equal(sky.kind, 'circle');
      assert.equal(sky.shape.type, 'Polygon');
      const c = makeCoincidence({ id: 'c-1', trigger: { ...makeCoincidence().trigger, triggerId: TRIGGER } });
      t.app.publishCoincidence(c);
      const picture = await fetch(`${url}/coincidences/c-1/skymap.svg?token=${t.token}`);
      assert.equal(picture.status, 200);
      const pictureText = await picture.text();
      assert.match(pictureText, /class="mark" data-ra="[\d.]+" data-dec="[-\d.]+"/);
      assert.match(pictureText, /× ZTF25aaaaaaa · silver/);
      assert.equal((await fetch(`${url}/coincidences/nope/skymap.svg?token=${t.token}`)).status, 404);
      assert.equal((await fetch(`${t.httpUrl}/v1/notices/none/skymap.svg?token=${t.token}`)).status, 404);
    } finally {
      await t.stop();
    }
  });
});

describe('console sky', () => {
  it('gives shapes, contours, areas and pictures for circles, ellipses and sky maps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-console-sky-'));
    try {
      const sky = createConsoleSky({
        cacheDir: dir,
        storedEventBytes: () => [],
      });
      const alert = JSON.parse(
        readFileSync(join(PROJECT_ROOT, 'fixtures', 'demo', 'lvk-S170817dm-initial.json'), 'utf8'),
      ) as { event: { skymap: string } };
      const mapNotice = makeNotice({
        triggerId: 'LVK:S170817dm',
        messenger: 'gw',
        observatory: 'LVK',
        region: { type: 'skymap', url: `data:application/fits;base64,${alert.event.skymap}` },
      });
      const mapSky = await sky.regionOf(mapNotice);
      assert.equal(mapSky.kind, 'skymap');
      assert.deepEqual(
        mapSky.contours?.map((c) => c.level),
        [0.5, 0.9],
      );
      assert.ok(Math.abs((mapSky.areasDeg2?.['90'] ?? 0) - 30.83) < 0.01);
      // The 90 % contour, in RA/Dec, surrounds the most probable position (≈197.6°, −23.6°).
      const ring = mapSky.contours?.[1]?.geometry.coordinates[0]?.[0] ?? [];
      const ras = ring.map((p) => p[0] ?? 0);
      const decs = ring.map((p) => p[1] ?? 0);
      assert.ok(
        Math.min(...ras) < 197.6 && Math.max(...ras) > 197.6,
        `RA span ${Math.min(...ras)}–${Math.max(...ras)}`,
      );
      assert.ok(Math.min(...decs) < -23.6 && Math.max(...decs) > -23.6);
      const mapSvg = await sky.svgOf(mapNotice, {
        marks: [{ raDeg: 197.45, decDeg: -23.38, label: 'AT2017gfo' }],
      });
      assert.equal((mapSvg.match(/class="contour"/g) ?? []).length, 2);
      assert.match(mapSvg, /AT2017gfo/);
      const ellipse = makeNotice({
        region: {
          type: 'ellipse',
          raDeg: 10,
          decDeg: 20,
          semiMajorDeg: 3,
          semiMinorDeg: 1,
          posAngleDeg: 30,
          containment: 0.9,
        },
      });
      const ellipseSky = await sky.regionOf(ellipse);
      assert.equal(ellipseSky.kind, 'ellipse');
      assert.match(await sky.svgOf(ellipse), /ellipse: RA 10\.000°/);
      assert.equal((await sky.regionOf(makeNotice({ region: { type: 'none' } }))).kind, 'none');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

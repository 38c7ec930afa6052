/**
 * The sky pictures against ligo.skymap (live, from .venv): the projection is its "astro hours
 * mollweide" (same normalised position for any RA, Dec), and the 50/90 % contours enclose the
 * same pixels as ligo.skymap's greedy credible levels (crossmatch) at the pixel centres. Also:
 * `coincide skymap --plot` writes SVG and PNG, and the README's picture is made here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MultiPolygon } from 'geojson';
import { astroMollweide } from '../../src/plot/astro-mollweide.ts';
import { credibleContours } from '../../src/plot/credible-contours.ts';
import { rasterizeSky } from '../../src/plot/sky-raster.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';
import { skipUnlessVenvModules, venvExecutable } from '../helpers/python.ts';
import { refreshDocImage } from '../helpers/doc-images.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const DEMO_ALERT = join(PROJECT_ROOT, 'fixtures', 'demo', 'lvk-S170817dm-initial.json');

function demoSkyMapBytes(): Buffer {
  const alert = JSON.parse(readFileSync(DEMO_ALERT, 'utf8')) as { event: { skymap: string } };
  return Buffer.from(alert.event.skymap, 'base64');
}

/** Even-odd ray casting over every ring of a planar MultiPolygon. */
function contains(geometry: MultiPolygon, x: number, y: number): boolean {
  let inside = false;
  for (const polygon of geometry.coordinates) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi = 0, yi = 0] = ring[i] ?? [];
        const [xj = 0, yj = 0] = ring[j] ?? [];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

interface LigoReference {
  searchedProb: number[];
  probe: Array<[number, number]>;
}

describe('sky pictures', () => {
  const skip = skipUnlessVenvModules(['ligo.skymap', 'matplotlib']);

  it("use ligo.skymap's projection and enclose the same pixels in their 50/90 % contours", { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-plot-'));
    try {
      const fitsPath = join(dir, 'map.fits');
      writeFileSync(fitsPath, demoSkyMapBytes());
      const skymap = readSkyMap(demoSkyMapBytes());
      const widthPx = 720;
      const raster = rasterizeSky(
        {
          densityPerSr: (ra, dec) => skymap.densityPerSrAt(ra, dec),
          credibleLevelAt: (ra, dec) => skymap.credibleLevelAt(ra, dec),
        },
        widthPx,
      );
      const indices: number[] = [];
      for (let i = 0; i < raster.raDeg.length; i++) if (!Number.isNaN(raster.raDeg[i])) indices.push(i);
      const probe: Array<[number, number]> = [
        [0.5, 0],
        [45, 30],
        [100, -60],
        [197.45, -23.38],
        [270, 75],
        [359.5, -10],
      ];
      const run = spawnSync(
        venvExecutable('python'),
        [join(PROJECT_ROOT, 'test', 'plot', 'ligo-reference.py')],
        {
          input: JSON.stringify({
            skymap: fitsPath,
            ra: indices.map((i) => raster.raDeg[i]),
            dec: indices.map((i) => raster.decDeg[i]),
            probe,
          }),
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      assert.equal(run.status, 0, run.stderr);
      const reference = JSON.parse(run.stdout) as LigoReference;

      // Projection: positions normalised by the centre, the right end of the equator and the
      // north pole agree with ligo.skymap's axes (which differ from ours in pixel size only).
      const ours = astroMollweide({ leftPx: 0, topPx: 0, widthPx: 1000 });
      const [centre = [0, 0], east = [0, 0], north = [0, 0]] = reference.probe.slice(-3);
      for (const [k, [ra, dec]] of probe.entries()) {
        const [lx, ly] = reference.probe[k] as [number, number];
        const ligoU = (lx - centre[0]) / (east[0] - centre[0]);
        const ligoV = (ly - centre[1]) / (north[1] - centre[1]);
        const xy = ours([ra, dec])!;
        const ourU = (xy[0] - 500) / (ours([1e-6, 0])![0] - 500);
        const ourV = (xy[1] - 250) / (ours([180, 89.999999])![1] - 250);
        assert.ok(
          Math.abs(ourU - ligoU) < 1e-3 && Math.abs(ourV - ligoV) < 1e-3,
          `${ra},${dec}: u ${ourU} vs ${ligoU}, v ${ourV} vs ${ligoV}`,
        );
      }

      // Contours: pixel by pixel, inside ours ⇔ ligo.skymap's credible level ≤ the level.
      for (const contour of credibleContours(raster, [0.5, 0.9])) {
        let expected = 0;
        let mismatches = 0;
        indices.forEach((i, k) => {
          const ligoInside = (reference.searchedProb[k] as number) <= contour.level;
          const x = (i % widthPx) + 0.5;
          const y = Math.floor(i / widthPx) + 0.5;
          if (ligoInside) expected += 1;
          if (contains(contour.geometry, x, y) !== ligoInside) mismatches += 1;
        });
        assert.ok(expected > 0, `the ${contour.level} region covers some pixels`);
        assert.equal(mismatches, 0, `${mismatches} of ${expected} pixels differ at ${contour.level}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('coincide skymap --plot writes an SVG with contours, marks, colour bar and areas, and a PNG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coincide-plot-cli-'));
    try {
      const svgPath = join(dir, 'map.svg');
      const pngPath = join(dir, 'map.png');
      for (const out of [svgPath, pngPath]) {
        const run = spawnSync(
          process.execPath,
          [...CLI_NODE_ARGS, 'skymap', DEMO_ALERT, '--plot', out, '--mark', '197.45,-23.38'],
          { encoding: 'utf8' },
        );
        assert.equal(run.status, 0, run.stderr);
        assert.equal((JSON.parse(run.stdout) as { plot: string }).plot, out);
      }
      const svg = readFileSync(svgPath, 'utf8');
      assert.equal((svg.match(/class="contour"/g) ?? []).length, 2);
      assert.match(svg, /class="contour" data-level="0.9" d="M[\d.]+/);
      assert.match(svg, /class="mark" data-ra="197.45" data-dec="-23.38"/);
      assert.match(svg, /class="colourbar"/);
      assert.match(svg, /50 % area: 9\.31 deg² · 90 % area: 30\.8 deg²/);
      assert.match(svg, />12h</);
      const png = readFileSync(pngPath);
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
      // The README's picture, made by this test, refreshed when asked for (test/helpers/doc-images.ts).
      refreshDocImage(pngPath, 'skymap-plot.png');
      const bad = spawnSync(
        process.execPath,
        [...CLI_NODE_ARGS, 'skymap', DEMO_ALERT, '--plot', join(dir, 'x.gif')],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--plot: '.*x\.gif' must end in \.svg or \.png/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * One all-sky picture as SVG: `coincide skymap --plot`, `GET /v1/notices/{id}/skymap.svg` and the
 * coincidence pictures. Astro-hours Mollweide (astro-mollweide.ts), with
 *  - a probability sky map as a heat map (density per deg², white → red, d3-scale-chromatic's
 *    OrRd) embedded as a PNG, and its credible contours (50 % dashed, 90 % solid by default);
 *  - circles and ellipses as outlined regions;
 *  - markers (optical candidates, counterparts, --mark positions);
 *  - a colour bar and a caption (areas, distance, whatever the caller says).
 * The heat map and contours come from the same raster of the map (sky-raster.ts).
 */
import { geoIdentity, geoPath } from 'd3-geo';
import { interpolateOrRd } from 'd3-scale-chromatic';
import type { Polygon } from 'geojson';
import { PNG } from 'pngjs';
import { DEG2_PER_SR } from '../sky/angles.ts';
import { astroMollweide, skyAxisLabels, skyGraticule } from './astro-mollweide.ts';
import { credibleContours } from './credible-contours.ts';
import { rasterizeSky, type SkyDensity, type SkyRaster } from './sky-raster.ts';

export interface SkyShape {
  geometry: Polygon;
  label: string;
}

export interface SkyMark {
  raDeg: number;
  decDeg: number;
  label?: string;
}

export interface SkyPicture {
  title: string;
  density?: SkyDensity;
  /** Credible levels to contour (default 0.5 and 0.9). */
  levels?: readonly number[];
  shapes?: readonly SkyShape[];
  marks?: readonly SkyMark[];
  caption?: readonly string[];
  /** Width of the sky ellipse, px (default 800). */
  widthPx?: number;
}

const MARGIN_PX = 30;
const TITLE_PX = 34;
const BAR_PX = 12;
const LINE_PX = 18;
const MARK_COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#17becf', '#e377c2'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The colour of a fraction in [0, 1] of the maximum density, as [r, g, b]. */
function colourOf(fraction: number): [number, number, number] {
  const match = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interpolateOrRd(fraction));
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
}

function maxDensity(raster: SkyRaster): number {
  let max = 0;
  for (const d of raster.densityPerSr) if (d > max) max = d;
  return max;
}

/** The raster as a PNG data URI (transparent outside the sky), density linear from 0 to max. */
function heatMapDataUri(raster: SkyRaster, maxPerSr: number): string {
  const png = new PNG({ width: raster.widthPx, height: raster.heightPx });
  for (let i = 0; i < raster.densityPerSr.length; i++) {
    const d = raster.densityPerSr[i] as number;
    if (Number.isNaN(d)) continue;
    const [r, g, b] = colourOf(maxPerSr > 0 ? d / maxPerSr : 0);
    png.data[4 * i] = r;
    png.data[4 * i + 1] = g;
    png.data[4 * i + 2] = b;
    png.data[4 * i + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

function formatDensity(perDeg2: number): string {
  return perDeg2 === 0 ? '0' : perDeg2.toPrecision(2);
}

export function renderSkySvg(picture: SkyPicture): string {
  const widthPx = picture.widthPx ?? 800;
  const levels = picture.levels ?? [0.5, 0.9];
  const frame = { leftPx: MARGIN_PX, topPx: TITLE_PX, widthPx };
  const projection = astroMollweide(frame);
  const path = geoPath(projection);
  const mapHeightPx = widthPx / 2;
  const barTopPx = TITLE_PX + mapHeightPx + 34;
  const caption = picture.caption ?? [];
  const captionTopPx = barTopPx + (picture.density ? BAR_PX + 36 : 0);
  const totalWidthPx = widthPx + 2 * MARGIN_PX;
  const totalHeightPx = captionTopPx + caption.length * LINE_PX + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidthPx}" height="${Math.ceil(totalHeightPx)}" ` +
      `viewBox="0 0 ${totalWidthPx} ${Math.ceil(totalHeightPx)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${totalWidthPx / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(picture.title)}</text>`,
    `<path class="sky" d="${path({ type: 'Sphere' }) ?? ''}" fill="#ffffff" stroke="none"/>`,
  );
  let maxPerSr = 0;
  if (picture.density) {
    const raster = rasterizeSky(picture.density, widthPx);
    maxPerSr = maxDensity(raster);
    out.push(
      `<image class="heatmap" x="${MARGIN_PX}" y="${TITLE_PX}" width="${widthPx}" height="${raster.heightPx}" ` +
        `preserveAspectRatio="none" href="${heatMapDataUri(raster, maxPerSr)}"/>`,
    );
    const toPicture = geoPath(geoIdentity().translate([MARGIN_PX, TITLE_PX]));
    for (const contour of credibleContours(raster, levels)) {
      const dash = contour.level < 0.75 ? ' stroke-dasharray="4 3"' : '';
      out.push(
        `<path class="contour" data-level="${contour.level}" d="${toPicture(contour.geometry) ?? ''}" ` +
          `fill="none" stroke="#000000" stroke-width="1.2"${dash}/>`,
      );
    }
  }
  out.push(
    `<path class="graticule" d="${path(skyGraticule()) ?? ''}" fill="none" stroke="#999999" stroke-width="0.5" stroke-opacity="0.7"/>`,
    `<path class="outline" d="${path({ type: 'Sphere' }) ?? ''}" fill="none" stroke="#333333" stroke-width="1"/>`,
  );
  for (const label of skyAxisLabels(projection)) {
    const isDec = label.text.endsWith('°');
    out.push(
      `<text class="axis" x="${(label.xPx + (isDec ? -4 : 0)).toFixed(1)}" y="${(label.yPx + (isDec ? 4 : 14)).toFixed(1)}" ` +
        `text-anchor="${isDec ? 'end' : 'middle'}" fill="#555555" font-size="10">${escapeXml(label.text)}</text>`,
    );
  }
  (picture.shapes ?? []).forEach((shape) => {
    out.push(
      `<path class="region" d="${path(shape.geometry) ?? ''}" fill="#d62728" fill-opacity="0.25" stroke="#d62728" stroke-width="1.2">` +
        `<title>${escapeXml(shape.label)}</title></path>`,
    );
  });
  (picture.marks ?? []).forEach((mark, i) => {
    const xy = projection([mark.raDeg, mark.decDeg]);
    if (!xy) return;
    const colour = MARK_COLOURS[i % MARK_COLOURS.length] ?? '#1f77b4';
    const [x, y] = [xy[0].toFixed(1), xy[1].toFixed(1)];
    out.push(
      `<g class="mark" data-ra="${mark.raDeg}" data-dec="${mark.decDeg}"><circle cx="${x}" cy="${y}" r="6" fill="none" stroke="${colour}" stroke-width="2"/>` +
        `<circle cx="${x}" cy="${y}" r="1.5" fill="${colour}"/>` +
        (mark.label
          ? `<text x="${(xy[0] + 9).toFixed(1)}" y="${(xy[1] - 7).toFixed(1)}" fill="${colour}">${escapeXml(mark.label)}</text>`
          : '') +
        `</g>`,
    );
  });
  if (picture.density) {
    const barLeftPx = MARGIN_PX + widthPx / 4;
    const barWidthPx = widthPx / 2;
    const stops = Array.from({ length: 11 }, (_, k) => {
      const [r, g, b] = colourOf(k / 10);
      return `<stop offset="${k / 10}" stop-color="rgb(${r},${g},${b})"/>`;
    }).join('');
    const maxPerDeg2 = maxPerSr / DEG2_PER_SR;
    out.push(
      `<defs><linearGradient id="colourbar">${stops}</linearGradient></defs>`,
      `<rect class="colourbar" x="${barLeftPx}" y="${barTopPx}" width="${barWidthPx}" height="${BAR_PX}" fill="url(#colourbar)" stroke="#333333" stroke-width="0.5"/>`,
      `<text x="${barLeftPx}" y="${barTopPx + BAR_PX + 14}" text-anchor="middle">0</text>`,
      `<text x="${barLeftPx + barWidthPx}" y="${barTopPx + BAR_PX + 14}" text-anchor="middle">${formatDensity(maxPerDeg2)}</text>`,
      `<text x="${barLeftPx + barWidthPx / 2}" y="${barTopPx + BAR_PX + 14}" text-anchor="middle">probability per deg²</text>`,
    );
  }
  caption.forEach((line, i) => {
    out.push(
      `<text class="caption" x="${totalWidthPx / 2}" y="${captionTopPx + i * LINE_PX + 12}" text-anchor="middle">${escapeXml(line)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

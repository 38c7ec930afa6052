/**
 * The picture of one sky map (`coincide skymap FILE --plot out.svg|out.png --mark RA,DEC`):
 * heat map, 50/90 % contours, markers, colour bar, and a caption with the credible areas (and
 * the distance from the FITS header, DISTMEAN ± DISTSTD, when the map has one).
 */
import { writeFileSync } from 'node:fs';
import { CoincideError } from '../errors.ts';
import type { SkyMap } from '../sky/skymap.ts';
import { renderSkySvg, type SkyMark } from './sky-svg.ts';
import { svgToPng } from './svg-to-png.ts';

export interface SkyMapPlotOptions {
  title: string;
  levels?: readonly number[];
  marks?: readonly SkyMark[];
  widthPx?: number;
}

function percent(level: number): string {
  return `${Number((level * 100).toFixed(3))} %`;
}

/** "50 % area: 9.31 deg² · 90 % area: 30.8 deg²" and the distance line, when known. */
export function skyMapCaption(skymap: SkyMap, levels: readonly number[]): string[] {
  const areas = levels.map(
    (level) => `${percent(level)} area: ${skymap.credibleAreaDeg2(level).toPrecision(3)} deg²`,
  );
  const lines = [areas.join(' · ')];
  const mean = skymap.meta.header.DISTMEAN;
  const std = skymap.meta.header.DISTSTD;
  if (typeof mean === 'number' && typeof std === 'number' && Number.isFinite(mean) && mean > 0) {
    lines.push(`distance: ${mean.toFixed(0)} ± ${std.toFixed(0)} Mpc`);
  }
  return lines;
}

export function skyMapSvg(skymap: SkyMap, options: SkyMapPlotOptions): string {
  const levels = options.levels ?? [0.5, 0.9];
  return renderSkySvg({
    title: options.title,
    density: {
      densityPerSr: (ra, dec) => skymap.densityPerSrAt(ra, dec),
      credibleLevelAt: (ra, dec) => skymap.credibleLevelAt(ra, dec),
    },
    levels,
    marks: options.marks ?? [],
    caption: skyMapCaption(skymap, levels),
    ...(options.widthPx === undefined ? {} : { widthPx: options.widthPx }),
  });
}

/** Writes the picture to `path`: SVG for .svg, PNG for .png. */
export function writeSkyMapPlot(path: string, skymap: SkyMap, options: SkyMapPlotOptions): void {
  const svg = skyMapSvg(skymap, options);
  const lower = path.toLowerCase();
  let bytes: string | Buffer;
  if (lower.endsWith('.svg')) bytes = svg;
  else if (lower.endsWith('.png')) bytes = svgToPng(svg, { scale: 1.5 });
  else throw new CoincideError('USAGE', `--plot: '${path}' must end in .svg or .png`);
  try {
    writeFileSync(path, bytes);
  } catch (error) {
    throw new CoincideError('USAGE', `--plot: cannot write '${path}'`, { cause: error });
  }
}

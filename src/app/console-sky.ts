/**
 * The sky of one notice for the console and the picture routes: its region as drawn shapes
 * (circle and ellipse polygons, sky-map 50/90 % contours in RA/Dec), its figures (credible
 * areas, distance), and its SVG picture, optionally with marks (a coincidence's counterpart).
 *
 * Sky maps are loaded as the join loads them (src/sky/skymap-fetch.ts: embedded maps from the
 * stored event bytes, data: URIs, allowed URLs through the disk cache); the last few decoded
 * maps and their contours are kept in memory.
 */
import type { Polygon } from 'geojson';
import { CoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { circlePolygon, ellipsePolygon } from '../plot/region-shapes.ts';
import { geoContours, type GeoContour } from '../plot/contours-geo.ts';
import { rasterizeSky, type SkyDensity } from '../plot/sky-raster.ts';
import { renderSkySvg, type SkyMark, type SkyShape } from '../plot/sky-svg.ts';
import { skyMapCaption } from '../plot/skymap-plot.ts';
import { loadSkyMapForReference, type SkyMapFetchOptions } from '../sky/skymap-fetch.ts';
import type { SkyMap } from '../sky/skymap.ts';
import { embeddedIn } from './skymap-loader.ts';

export const CONTOUR_LEVELS = [0.5, 0.9] as const;
/** Width of the raster the console's contours are traced on, px (0.5° per pixel at the equator). */
const CONTOUR_RASTER_PX = 720;

export interface NoticeSky {
  kind: 'circle' | 'ellipse' | 'skymap' | 'none';
  /** Circle or ellipse outline. */
  shape?: Polygon;
  contours?: GeoContour[];
  /** Credible areas, deg², by level in percent ("50", "90"). */
  areasDeg2?: Record<string, number>;
  distanceMpc?: { mean: number; std: number };
  centre?: { raDeg: number; decDeg: number };
}

/** The sky-map URL policy (https, host allow-list, private addresses) is the join's: src/sky/url-policy.ts. */
export interface ConsoleSkyOptions extends SkyMapFetchOptions {
  /** Raw bytes of the stored events with this IVORN (embedded maps). */
  storedEventBytes: (ivorn: string) => readonly Uint8Array[];
  maxCached?: number;
}

export interface ConsoleSky {
  regionOf(notice: Notice): Promise<NoticeSky>;
  svgOf(notice: Notice, extra?: { marks?: SkyMark[]; shapes?: SkyShape[]; title?: string }): Promise<string>;
}

interface LoadedMap {
  skymap: SkyMap;
  contours: GeoContour[];
}

function density(skymap: SkyMap): SkyDensity {
  return {
    densityPerSr: (ra, dec) => skymap.densityPerSrAt(ra, dec),
    credibleLevelAt: (ra, dec) => skymap.credibleLevelAt(ra, dec),
  };
}

export function createConsoleSky(options: ConsoleSkyOptions): ConsoleSky {
  const maxCached = options.maxCached ?? 8;
  const maps = new Map<string, Promise<LoadedMap>>();

  const mapOf = (notice: Notice, reference: string): Promise<LoadedMap> => {
    const cached = maps.get(reference);
    if (cached) return cached;
    const promise = loadSkyMapForReference(reference, {
      ...options,
      embedded: (sha256) => {
        for (const raw of options.storedEventBytes(notice.ivorn)) {
          const bytes = embeddedIn(raw, sha256);
          if (bytes) return bytes;
        }
        return undefined;
      },
    }).then(({ skymap }) => ({
      skymap,
      contours: geoContours(rasterizeSky(density(skymap), CONTOUR_RASTER_PX), CONTOUR_LEVELS),
    }));
    maps.set(reference, promise);
    promise.catch(() => maps.delete(reference));
    while (maps.size > maxCached) {
      const oldest = maps.keys().next().value;
      if (oldest === undefined) break;
      maps.delete(oldest);
    }
    return promise;
  };

  const regionOf = async (notice: Notice): Promise<NoticeSky> => {
    const region = notice.region;
    switch (region.type) {
      case 'circle':
        return {
          kind: 'circle',
          shape: circlePolygon(region.raDeg, region.decDeg, region.radiusDeg),
          centre: { raDeg: region.raDeg, decDeg: region.decDeg },
        };
      case 'ellipse':
        return {
          kind: 'ellipse',
          shape: ellipsePolygon(
            region.raDeg,
            region.decDeg,
            region.semiMajorDeg,
            region.semiMinorDeg,
            region.posAngleDeg,
          ),
          centre: { raDeg: region.raDeg, decDeg: region.decDeg },
        };
      case 'skymap': {
        const { skymap, contours } = await mapOf(notice, region.url);
        const sky: NoticeSky = {
          kind: 'skymap',
          contours,
          areasDeg2: Object.fromEntries(
            CONTOUR_LEVELS.map((level) => [String(level * 100), skymap.credibleAreaDeg2(level)]),
          ),
          centre: skymap.maxProbPosition(),
        };
        const mean = skymap.meta.header.DISTMEAN;
        const std = skymap.meta.header.DISTSTD;
        if (typeof mean === 'number' && typeof std === 'number' && mean > 0) sky.distanceMpc = { mean, std };
        return sky;
      }
      case 'none':
        return { kind: 'none' };
    }
  };

  const svgOf: ConsoleSky['svgOf'] = async (notice, extra = {}) => {
    const region = notice.region;
    const title = extra.title ?? `${notice.triggerId} · ${notice.noticeType}`;
    const marks = extra.marks ?? [];
    const shapes = [...(extra.shapes ?? [])];
    if (region.type === 'skymap') {
      const { skymap } = await mapOf(notice, region.url);
      return renderSkySvg({
        title,
        density: density(skymap),
        levels: CONTOUR_LEVELS,
        marks,
        shapes,
        caption: skyMapCaption(skymap, CONTOUR_LEVELS),
      });
    }
    const sky = await regionOf(notice);
    if (!sky.shape && region.type !== 'none') throw new CoincideError('SKY_BAD_REGION', 'no region');
    const caption: string[] = [];
    if (region.type === 'circle') {
      caption.push(
        `circle: RA ${region.raDeg.toFixed(3)}°, Dec ${region.decDeg.toFixed(3)}°, radius ${region.radiusDeg.toPrecision(3)}° (${(region.containment * 100).toFixed(0)} %)`,
      );
    } else if (region.type === 'ellipse') {
      caption.push(
        `ellipse: RA ${region.raDeg.toFixed(3)}°, Dec ${region.decDeg.toFixed(3)}°, ${region.semiMajorDeg.toPrecision(3)}° × ${region.semiMinorDeg.toPrecision(3)}° at PA ${region.posAngleDeg.toFixed(0)}°`,
      );
    } else caption.push('no localisation');
    if (sky.shape) shapes.unshift({ geometry: sky.shape, label: notice.triggerId });
    return renderSkySvg({ title, shapes, marks, caption });
  };

  return { regionOf, svgOf };
}

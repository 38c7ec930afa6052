/**
 * The all-sky view: astro-hours Mollweide (the projection of coincide's pictures,
 * src/plot/astro-mollweide.ts, drawn with d3-geo), with the active regions of the latest
 * version of each trigger (circles, ellipses, sky-map 50/90 % contours fetched from
 * /v1/notices/{id}/sky.json), and markers for the counterparts of coincidences (optical
 * candidates at their position, other messengers at their region's centre), each linking to its
 * coincidence. Regions and markers are added and restyled one by one as records arrive. Clicking
 * a trigger zooms to it (an SVG transform of the drawing, so nothing is re-projected).
 */
import { geoPath, type GeoPermissibleObjects } from 'd3-geo';
import type { MultiPolygon, Polygon } from 'geojson';
import { astroMollweide, skyAxisLabels, skyGraticule } from '../src/plot/astro-mollweide.ts';
import { circlePolygon, ellipsePolygon } from '../src/plot/region-shapes.ts';
import type { CoincidenceLike, NoticeLike } from './model.ts';
import { isOptical } from './model.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH_PX = 800;
const HEIGHT_PX = 400;
/** Room for the declination labels left of the ellipse, px. */
const LEFT_MARGIN_PX = 40;

export interface SkyContours {
  kind: string;
  contours?: Array<{ level: number; geometry: MultiPolygon }>;
}

export interface SkyView {
  /** Draws (or redraws) the region of a trigger's latest version. */
  setNotice(notice: NoticeLike, state: { retracted: boolean; hidden: boolean }): void;
  /**
   * Many at once (the first render, a filter change): the new triggers' regions as one string
   * of markup; those already drawn from the same notice are only restyled.
   */
  setNotices(list: ReadonlyArray<{ notice: NoticeLike; retracted: boolean; hidden: boolean }>): void;
  setContours(triggerId: string, sky: SkyContours): void;
  setCoincidence(
    c: CoincidenceLike,
    position: { raDeg: number; decDeg: number } | undefined,
    hidden: boolean,
  ): void;
  /** Many at once (the first render): one string of markup instead of an element at a time. */
  setCoincidences(
    list: ReadonlyArray<{
      c: CoincidenceLike;
      position: { raDeg: number; decDeg: number } | undefined;
      hidden: boolean;
    }>,
  ): void;
  zoomTo(triggerId: string): void;
  resetZoom(): void;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

export function shapeOf(notice: NoticeLike): Polygon | undefined {
  const r = notice.region;
  if (r.type === 'circle' && r.raDeg !== undefined && r.decDeg !== undefined && r.radiusDeg !== undefined) {
    return circlePolygon(r.raDeg, r.decDeg, r.radiusDeg, 10);
  }
  if (
    r.type === 'ellipse' &&
    r.raDeg !== undefined &&
    r.decDeg !== undefined &&
    r.semiMajorDeg !== undefined &&
    r.semiMinorDeg !== undefined
  ) {
    return ellipsePolygon(r.raDeg, r.decDeg, r.semiMajorDeg, r.semiMinorDeg, r.posAngleDeg ?? 0, 48);
  }
  return undefined;
}

/** Text for an attribute value in markup. */
function attr(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function regionClass(notice: NoticeLike, state: { retracted: boolean; hidden: boolean }): string {
  return `region m-${notice.messenger}${state.retracted ? ' retracted' : ''}${state.hidden ? ' hidden' : ''}`;
}

function markerClass(c: CoincidenceLike, hidden: boolean): string {
  return (
    `marker ${isOptical(c.counterpart) ? 'optical' : 'mm'} tier-${c.tier ?? 'none'}` +
    `${c.status === 'withdrawn' ? ' withdrawn' : ''}${hidden ? ' hidden' : ''}`
  );
}

export function createSkyView(
  container: HTMLElement,
  onSelectCoincidence: (triggerId: string, id: string) => void,
): SkyView {
  // Resampling to 1 px is enough on screen (the pictures use 0.1 px) and several times cheaper.
  // The left margin holds the declination labels, which end just left of the limb ("-60°" is
  // 4 characters wide; with 10 px the "0°" at the equator's limb was cut to ")°").
  const projection = astroMollweide({
    leftPx: LEFT_MARGIN_PX,
    topPx: 10,
    widthPx: WIDTH_PX - LEFT_MARGIN_PX - 10,
  }).precision(1);
  const path = geoPath(projection);
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH_PX} ${HEIGHT_PX}`,
    class: 'sky',
    role: 'img',
    'aria-label': 'all-sky view',
  });
  const zoom = svg('g', { class: 'zoom' });
  const d = (object: GeoPermissibleObjects): string => path(object) ?? '';
  zoom.append(
    svg('path', { class: 'sphere', d: d({ type: 'Sphere' }) }),
    svg('path', { class: 'graticule', d: d(skyGraticule()) }),
  );
  for (const label of skyAxisLabels(projection)) {
    const isDec = label.text.endsWith('°');
    const text = svg('text', {
      class: 'axis',
      x: String(label.xPx + (isDec ? -3 : 0)),
      y: String(label.yPx + (isDec ? 3 : 11)),
      'text-anchor': isDec ? 'end' : 'middle',
    });
    text.textContent = label.text;
    zoom.append(text);
  }
  const regions = svg('g', { class: 'regions' });
  const markers = svg('g', { class: 'markers' });
  zoom.append(regions, markers);
  root.append(zoom);
  container.replaceChildren(root);

  const regionOf = new Map<string, SVGGElement>();
  const markerOf = new Map<string, SVGCircleElement>();
  /** Screen bounds of each trigger's region, for zoomTo: contours set them, shapes on first zoom. */
  const boundsOf = new Map<string, [[number, number], [number, number]]>();
  const shapeOfTrigger = new Map<string, Polygon>();
  /** The ivorn of the notice each trigger's shape was drawn from. */
  const drawnFrom = new Map<string, string>();

  /** markerOf holds every marker inserted as markup (they are indexed lazily, in one pass). */
  let markersIndexed = true;
  const indexMarkers = (): void => {
    if (markersIndexed) return;
    for (const circle of markers.querySelectorAll<SVGCircleElement>('circle[data-coincidence]')) {
      const id = circle.getAttribute('data-coincidence');
      if (id !== null && !markerOf.has(id)) markerOf.set(id, circle);
    }
    markersIndexed = true;
  };

  markers.addEventListener('click', (event) => {
    const target = event.target as SVGElement;
    const id = target.getAttribute('data-coincidence');
    const triggerId = target.getAttribute('data-trigger');
    if (id !== null && triggerId !== null) onSelectCoincidence(triggerId, id);
  });

  const groupFor = (triggerId: string): SVGGElement => {
    let group = regionOf.get(triggerId);
    if (!group) {
      group = svg('g', { class: 'region', 'data-trigger': triggerId });
      regionOf.set(triggerId, group);
      regions.append(group);
    }
    return group;
  };

  return {
    setNotice(notice, state) {
      const group = groupFor(notice.triggerId);
      group.setAttribute('class', regionClass(notice, state));
      if (drawnFrom.get(notice.triggerId) === notice.ivorn) return;
      drawnFrom.set(notice.triggerId, notice.ivorn);
      const shape = shapeOf(notice);
      if (shape) {
        const title = svg('title');
        title.textContent = `${notice.triggerId} ${notice.noticeType}`;
        const outline = svg('path', { class: `shape ${notice.region.type}`, d: d(shape) });
        outline.append(title);
        group.replaceChildren(outline);
        shapeOfTrigger.set(notice.triggerId, shape);
        boundsOf.delete(notice.triggerId);
      }
    },
    setNotices(list) {
      const parts: string[] = [];
      for (const { notice, retracted, hidden } of list) {
        if (regionOf.has(notice.triggerId)) {
          this.setNotice(notice, { retracted, hidden });
          continue;
        }
        drawnFrom.set(notice.triggerId, notice.ivorn);
        const shape = shapeOf(notice);
        let inner = '';
        if (shape) {
          shapeOfTrigger.set(notice.triggerId, shape);
          inner =
            `<path class="shape ${attr(notice.region.type)}" d="${d(shape)}">` +
            `<title>${attr(`${notice.triggerId} ${notice.noticeType}`)}</title></path>`;
        }
        parts.push(
          `<g class="${attr(regionClass(notice, { retracted, hidden }))}" data-trigger="${attr(notice.triggerId)}">${inner}</g>`,
        );
      }
      if (parts.length === 0) return;
      regions.insertAdjacentHTML('beforeend', parts.join(''));
      for (const group of regions.querySelectorAll<SVGGElement>('g.region[data-trigger]')) {
        const id = group.getAttribute('data-trigger');
        if (id !== null && !regionOf.has(id)) regionOf.set(id, group);
      }
    },
    setContours(triggerId, sky) {
      const group = groupFor(triggerId);
      const drawn: SVGPathElement[] = [];
      for (const contour of sky.contours ?? []) {
        drawn.push(
          svg('path', { class: `contour level-${Math.round(contour.level * 100)}`, d: d(contour.geometry) }),
        );
        if (contour.level >= 0.9) boundsOf.set(triggerId, path.bounds(contour.geometry));
      }
      group.replaceChildren(...drawn);
    },
    setCoincidence(c, position, hidden) {
      if (!position) return;
      indexMarkers();
      const xy = projection([position.raDeg, position.decDeg]);
      if (!xy) return;
      let marker = markerOf.get(c.id);
      if (!marker) {
        marker = svg('circle', { r: '3.5', 'data-coincidence': c.id, 'data-trigger': c.trigger.triggerId });
        markerOf.set(c.id, marker);
        markers.append(marker);
      }
      marker.setAttribute('cx', xy[0].toFixed(1));
      marker.setAttribute('cy', xy[1].toFixed(1));
      marker.setAttribute('class', markerClass(c, hidden));
    },
    setCoincidences(list) {
      indexMarkers();
      const parts: string[] = [];
      for (const { c, position, hidden } of list) {
        const existing = markerOf.get(c.id);
        if (existing) {
          existing.setAttribute('class', markerClass(c, hidden));
          continue;
        }
        if (!position) continue;
        const xy = projection([position.raDeg, position.decDeg]);
        if (!xy) continue;
        parts.push(
          `<circle r="3.5" cx="${xy[0].toFixed(1)}" cy="${xy[1].toFixed(1)}" class="${markerClass(c, hidden)}" ` +
            `data-coincidence="${attr(c.id)}" data-trigger="${attr(c.trigger.triggerId)}"></circle>`,
        );
      }
      if (parts.length === 0) return;
      markers.insertAdjacentHTML('beforeend', parts.join(''));
      // Indexed when next needed (a live update or a filter change), not on the first render.
      markersIndexed = false;
    },
    zoomTo(triggerId) {
      const shape = shapeOfTrigger.get(triggerId);
      if (!boundsOf.has(triggerId) && shape) boundsOf.set(triggerId, path.bounds(shape));
      const bounds = boundsOf.get(triggerId);
      if (!bounds) return;
      const [[x0, y0], [x1, y1]] = bounds;
      const pad = 20;
      const k = Math.max(
        1,
        Math.min(40, Math.min(WIDTH_PX / (x1 - x0 + 2 * pad), HEIGHT_PX / (y1 - y0 + 2 * pad))),
      );
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      zoom.setAttribute(
        'transform',
        `translate(${WIDTH_PX / 2 - k * cx} ${HEIGHT_PX / 2 - k * cy}) scale(${k})`,
      );
      root.style.setProperty('--zoom', String(k));
      for (const g of regionOf.values())
        g.classList.toggle('selected', g.getAttribute('data-trigger') === triggerId);
    },
    resetZoom() {
      zoom.removeAttribute('transform');
      root.style.setProperty('--zoom', '1');
    },
  };
}

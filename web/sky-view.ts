/**
 * The all-sky view: astro-hours Mollweide (the projection of coincide's pictures,
 * src/plot/astro-mollweide.ts, drawn with d3-geo), with the active regions of the latest
 * version of each trigger (circles, ellipses, sky-map 50/90 % contours fetched from
 * /v1/notices/{id}/sky.json), and markers for the counterparts of coincidences (optical
 * candidates at their position, other messengers at their region's centre), each linking to its
 * coincidence: a click on a marker selects it (web/marker-layer.ts draws them on a canvas over the
 * SVG and hit-tests clicks). Regions and markers are added and restyled one by one as records
 * arrive. Clicking a trigger zooms to it (an SVG transform of the drawing, so nothing is
 * re-projected; the marker canvas is redrawn with the same transform).
 */
import type { GeoPermissibleObjects } from 'd3-geo';
import type { MultiPolygon } from 'geojson';
import { skyAxisLabels, skyGraticule } from '../src/plot/astro-mollweide.ts';
import {
  CONSOLE_SKY_HEIGHT_PX as HEIGHT_PX,
  CONSOLE_SKY_WIDTH_PX as WIDTH_PX,
  consolePathOf,
  consoleSkyProjection,
  regionPolygon,
} from '../src/plot/console-frame.ts';
import { createMarkerLayer, type DrawnMarker, type Marker } from './marker-layer.ts';
import type { CoincidenceLike, NoticeLike } from './model.ts';
import { isOptical } from './model.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface SkyContours {
  kind: string;
  contours?: Array<{ level: number; geometry: MultiPolygon }>;
}

export interface SkyView {
  /**
   * Draws (or redraws) the region of a trigger's latest version; `outline`: its path data when
   * the server drew it (stored notices), else it is projected here.
   */
  setNotice(notice: NoticeLike, state: { retracted: boolean; hidden: boolean }, outline?: string): void;
  /**
   * Many at once (the first render, a filter change): the new triggers' regions as one string
   * of markup; those already drawn from the same notice are only restyled.
   */
  setNotices(
    list: ReadonlyArray<{ notice: NoticeLike; retracted: boolean; hidden: boolean; outline?: string }>,
  ): void;
  setContours(triggerId: string, sky: SkyContours): void;
  setCoincidence(
    c: CoincidenceLike,
    position: { raDeg: number; decDeg: number } | undefined,
    hidden: boolean,
  ): void;
  /**
   * Many at once (the first render, an older page, a filter change), drawn once: `now` (the
   * default), or `later`, by a call of drawMarkers() (the older records come in parts one after
   * another: every marker redrawn after each part cost a frame of 20-60 ms, bench/console.ts).
   */
  setCoincidences(
    list: ReadonlyArray<{
      c: CoincidenceLike;
      position: { raDeg: number; decDeg: number } | undefined;
      hidden: boolean;
    }>,
    when?: 'now' | 'later',
  ): void;
  /** Draws every marker at the next frame (after setCoincidences(…, 'later')). */
  drawMarkers(): void;
  zoomTo(triggerId: string): void;
  resetZoom(): void;
  /** The markers drawn, where they are on the page (for tests and the benchmark). */
  markers(): DrawnMarker[];
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** Text for an attribute value in markup. */
function attr(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function regionClass(notice: NoticeLike, state: { retracted: boolean; hidden: boolean }): string {
  return `region m-${notice.messenger}${state.retracted ? ' retracted' : ''}${state.hidden ? ' hidden' : ''}`;
}

function markerOf(c: CoincidenceLike, x: number, y: number, hidden: boolean): Marker {
  return {
    id: c.id,
    triggerId: c.trigger.triggerId,
    x,
    y,
    optical: isOptical(c.counterpart),
    tier: c.tier,
    withdrawn: c.status === 'withdrawn',
    hidden,
  };
}

export function createSkyView(
  container: HTMLElement,
  onSelectCoincidence: (triggerId: string, id: string) => void,
): SkyView {
  const projection = consoleSkyProjection();
  const path = consolePathOf(projection);
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
  zoom.append(regions);
  root.append(zoom);
  const markers = createMarkerLayer(WIDTH_PX);
  container.replaceChildren(root, markers.canvas);

  const regionOf = new Map<string, SVGGElement>();
  /** Screen bounds of each trigger's region, for zoomTo: contours set them, shapes on first zoom. */
  const boundsOf = new Map<string, [[number, number], [number, number]]>();
  /** The notice each trigger's shape was drawn from. */
  const drawnFrom = new Map<string, NoticeLike>();
  /** The outline's path data: as the server drew it (stored notices), else projected here. */
  const outlineOf = (notice: NoticeLike, outline: string | undefined): string | undefined => {
    if (outline !== undefined) return outline;
    const shape = regionPolygon(notice.region);
    return shape === undefined ? undefined : d(shape);
  };

  // The canvas lets clicks through to the SVG; the markers under them are found by hit-testing.
  root.addEventListener('click', (event) => {
    const marker = markers.hit(event.clientX, event.clientY);
    if (marker !== undefined) onSelectCoincidence(marker.triggerId, marker.id);
  });
  root.addEventListener('mousemove', (event) => {
    root.style.cursor = markers.hit(event.clientX, event.clientY) === undefined ? '' : 'pointer';
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
    setNotice(notice, state, outline) {
      const group = groupFor(notice.triggerId);
      group.setAttribute('class', regionClass(notice, state));
      if (drawnFrom.get(notice.triggerId)?.ivorn === notice.ivorn) return;
      drawnFrom.set(notice.triggerId, notice);
      const pathData = outlineOf(notice, outline);
      if (pathData !== undefined) {
        const title = svg('title');
        title.textContent = `${notice.triggerId} ${notice.noticeType}`;
        const shape = svg('path', { class: `shape ${notice.region.type}`, d: pathData });
        shape.append(title);
        group.replaceChildren(shape);
        boundsOf.delete(notice.triggerId);
      }
    },
    setNotices(list) {
      const parts: string[] = [];
      for (const { notice, retracted, hidden, outline } of list) {
        if (regionOf.has(notice.triggerId)) {
          this.setNotice(notice, { retracted, hidden }, outline);
          continue;
        }
        drawnFrom.set(notice.triggerId, notice);
        const pathData = outlineOf(notice, outline);
        let inner = '';
        if (pathData !== undefined) {
          inner =
            `<path class="shape ${attr(notice.region.type)}" d="${attr(pathData)}">` +
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
      const existing = markers.get(c.id);
      const xy = position === undefined ? undefined : projection([position.raDeg, position.decDeg]);
      if (xy) markers.set(markerOf(c, xy[0], xy[1], hidden));
      else if (existing) markers.set(markerOf(c, existing.x, existing.y, hidden));
      else return;
      markers.drawSoon();
    },
    setCoincidences(list, when = 'now') {
      for (const { c, position, hidden } of list) {
        const existing = markers.get(c.id);
        if (existing) {
          markers.set(markerOf(c, existing.x, existing.y, hidden));
          continue;
        }
        if (!position) continue;
        const xy = projection([position.raDeg, position.decDeg]);
        if (xy) markers.set(markerOf(c, xy[0], xy[1], hidden));
      }
      if (when === 'now') markers.draw();
    },
    drawMarkers() {
      markers.drawSoon();
    },
    zoomTo(triggerId) {
      const notice = drawnFrom.get(triggerId);
      const shape = notice === undefined ? undefined : regionPolygon(notice.region);
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
      const tx = WIDTH_PX / 2 - k * cx;
      const ty = HEIGHT_PX / 2 - k * cy;
      zoom.setAttribute('transform', `translate(${tx} ${ty}) scale(${k})`);
      root.style.setProperty('--zoom', String(k));
      markers.setView(tx, ty, k);
      markers.draw();
      for (const g of regionOf.values())
        g.classList.toggle('selected', g.getAttribute('data-trigger') === triggerId);
    },
    resetZoom() {
      zoom.removeAttribute('transform');
      root.style.setProperty('--zoom', '1');
      markers.setView(0, 0, 1);
      markers.draw();
    },
    markers() {
      return markers.drawn();
    },
  };
}

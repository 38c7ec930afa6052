/**
 * The sky view's counterpart markers, drawn on one canvas laid over the SVG instead of one SVG
 * element each: 10,000 circles as DOM nodes cost more to insert, style and lay out than the rest
 * of the console together (bench/console.ts). Positions are in the SVG's viewBox units before the
 * zoom; the canvas is redrawn with the zoom's translate and scale, and markers keep their size on
 * screen, as the SVG markers did (r = 3.5 / zoom).
 *
 * Clicks are hit-tested here: a grid of cells over the viewBox finds the markers near a point, and
 * the nearest visible one within its radius is the one clicked. Colours come from the style sheet
 * (custom properties --marker-* on the canvas), like the SVG's.
 */

import { spriteFromStraight, stampOver, unpremultiply, type Sprite } from './sprite-blit.ts';

export interface Marker {
  /** The coincidence's id. */
  id: string;
  triggerId: string;
  /** Position in viewBox units, before the zoom. */
  x: number;
  y: number;
  optical: boolean;
  tier: string | null;
  withdrawn: boolean;
  hidden: boolean;
}

/** A marker as drawn, with where it is on the page (CSS pixels from the viewport's corner). */
export interface DrawnMarker {
  id: string;
  triggerId: string;
  style: MarkerStyle;
  clientX: number;
  clientY: number;
}

export type MarkerStyle = 'withdrawn' | 'mm' | 'optical' | 'gold';

/** Drawing order: a gold marker is drawn over the others, a withdrawn one under them. */
const STYLES: readonly MarkerStyle[] = ['withdrawn', 'mm', 'optical', 'gold'];

export function markerStyle(m: Marker): MarkerStyle {
  if (m.withdrawn) return 'withdrawn';
  if (m.tier === 'gold') return 'gold';
  return m.optical ? 'optical' : 'mm';
}

/** Radius and outline of a marker on screen, in viewBox units (at zoom 1). */
const RADIUS = 3.5;
const OUTLINE = 1;
/** Side of a hit-test grid cell, viewBox units. */
const CELL = 8;

export interface MarkerLayer {
  readonly canvas: HTMLCanvasElement;
  /** Adds a marker, or moves and restyles the one of the same id. Draw afterwards. */
  set(marker: Marker): void;
  get(id: string): Marker | undefined;
  /** Draws every visible marker now. */
  draw(): void;
  /** Draws at the next frame (many live updates, one drawing). */
  drawSoon(): void;
  /** The zoom: viewBox units are mapped to x·k + tx, y·k + ty. */
  setView(tx: number, ty: number, k: number): void;
  /** The visible marker drawn at this point of the page (a click's clientX, clientY), if any. */
  hit(clientX: number, clientY: number): Marker | undefined;
  /** Every visible marker drawn, where it is on the page (for tests). */
  drawn(): DrawnMarker[];
}

export function createMarkerLayer(viewBoxWidth: number): MarkerLayer {
  const canvas = document.createElement('canvas');
  canvas.className = 'markers';
  const markers = new Map<string, Marker>();
  const grid = new Map<string, Set<Marker>>();
  const cellKey = (cx: number, cy: number): string => `${cx},${cy}`;
  const cellOf = (m: Marker): string => cellKey(Math.floor(m.x / CELL), Math.floor(m.y / CELL));
  let tx = 0;
  let ty = 0;
  let k = 1;
  let colours: (Record<MarkerStyle, string> & { stroke: string }) | undefined;
  let frame: number | undefined;
  /** The drawing's pixels, kept from one drawing to the next while the canvas keeps its size. */
  let pixels: ImageData | undefined;

  const readColours = (): Record<MarkerStyle, string> & { stroke: string } => {
    const css = getComputedStyle(canvas);
    const colour = (name: string, fallback: string): string =>
      css.getPropertyValue(`--marker-${name}`).trim() || fallback;
    return {
      withdrawn: colour('withdrawn', 'rgba(156, 163, 175, 0.5)'),
      mm: colour('mm', '#f59e0b'),
      optical: colour('optical', '#2563eb'),
      gold: colour('gold', '#b8860b'),
      stroke: colour('stroke', '#fff'),
    };
  };

  /** One marker of each style, drawn once for this size on screen (device pixels per viewBox unit). */
  let sprites: { unitPx: number; half: number; images: Record<MarkerStyle, Sprite> } | undefined;
  const spritesFor = (unitPx: number): NonNullable<typeof sprites> => {
    if (sprites?.unitPx === unitPx) return sprites;
    const c = (colours ??= readColours());
    const half = Math.ceil((RADIUS + OUTLINE) * unitPx) + 1;
    const image = (style: MarkerStyle): Sprite => {
      const sprite = new OffscreenCanvas(2 * half, 2 * half);
      const ctx = sprite.getContext('2d');
      if (!ctx) return { width: 0, height: 0, rgba: new Uint8ClampedArray(0) };
      ctx.beginPath();
      ctx.arc(half, half, RADIUS * unitPx, 0, 2 * Math.PI);
      ctx.fillStyle = c[style];
      ctx.fill();
      ctx.lineWidth = OUTLINE * unitPx;
      ctx.strokeStyle = c.stroke;
      ctx.stroke();
      return spriteFromStraight(ctx.getImageData(0, 0, 2 * half, 2 * half).data, 2 * half, 2 * half);
    };
    sprites = {
      unitPx,
      half,
      images: {
        withdrawn: image('withdrawn'),
        mm: image('mm'),
        optical: image('optical'),
        gold: image('gold'),
      },
    };
    return sprites;
  };

  /**
   * Every visible marker, stamped from its style's sprite at whole device pixels into one pixel
   * buffer, put on the canvas at once: 10,000 arcs as one path, filled and stroked, cost the
   * browser 70-150 ms to rasterise at the next frame's commit (a Chromium trace of
   * bench/console.ts), and one drawImage per marker 110-135 ms (web/sprite-blit.ts).
   */
  const draw = (): void => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    frame = undefined;
    const widthPx = canvas.clientWidth;
    const heightPx = canvas.clientHeight;
    if (widthPx === 0 || heightPx === 0) return; // not laid out: drawn when it is (resize)
    const dpr = window.devicePixelRatio || 1;
    const backingWidth = Math.round(widthPx * dpr);
    const backingHeight = Math.round(heightPx * dpr);
    if (canvas.width !== backingWidth || canvas.height !== backingHeight) {
      canvas.width = backingWidth;
      canvas.height = backingHeight;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (pixels?.width !== backingWidth || pixels.height !== backingHeight)
      pixels = ctx.createImageData(backingWidth, backingHeight);
    const buffer = pixels.data;
    buffer.fill(0);
    const unitPx = (widthPx / viewBoxWidth) * dpr;
    const { half, images } = spritesFor(unitPx);
    for (const style of STYLES) {
      const image = images[style];
      for (const m of markers.values()) {
        if (m.hidden || markerStyle(m) !== style) continue;
        const x = Math.round((m.x * k + tx) * unitPx) - half;
        const y = Math.round((m.y * k + ty) * unitPx) - half;
        if (x < -2 * half || y < -2 * half || x > backingWidth || y > backingHeight) continue;
        stampOver(buffer, backingWidth, image, x, y);
      }
    }
    unpremultiply(buffer);
    ctx.putImageData(pixels, 0, 0);
  };

  // Redrawn when the canvas's size on screen changes (not when it is first observed at the size
  // it was already drawn at: 10,000 markers drawn twice at the first frame).
  new ResizeObserver(() => {
    const dpr = window.devicePixelRatio || 1;
    if (
      canvas.width !== Math.round(canvas.clientWidth * dpr) ||
      canvas.height !== Math.round(canvas.clientHeight * dpr)
    )
      draw();
  }).observe(canvas);

  /** CSS pixels per viewBox unit, and the canvas's corner on the page. */
  const placement = (): { unit: number; left: number; top: number } => {
    const rect = canvas.getBoundingClientRect();
    return { unit: rect.width / viewBoxWidth, left: rect.left, top: rect.top };
  };

  return {
    canvas,
    set(marker) {
      const old = markers.get(marker.id);
      if (old !== undefined) grid.get(cellOf(old))?.delete(old);
      markers.set(marker.id, marker);
      const key = cellOf(marker);
      let cell = grid.get(key);
      if (!cell) {
        cell = new Set();
        grid.set(key, cell);
      }
      cell.add(marker);
    },
    get(id) {
      return markers.get(id);
    },
    draw,
    drawSoon() {
      frame ??= requestAnimationFrame(draw);
    },
    setView(x, y, scale) {
      tx = x;
      ty = y;
      k = scale;
    },
    hit(clientX, clientY) {
      const { unit, left, top } = placement();
      if (unit === 0) return undefined;
      const x = ((clientX - left) / unit - tx) / k;
      const y = ((clientY - top) / unit - ty) / k;
      // The radius and outline on screen, in viewBox units before the zoom.
      const reach = (RADIUS + OUTLINE) / k;
      let best: Marker | undefined;
      let bestDistance = Infinity;
      for (let cx = Math.floor((x - reach) / CELL); cx <= Math.floor((x + reach) / CELL); cx++) {
        for (let cy = Math.floor((y - reach) / CELL); cy <= Math.floor((y + reach) / CELL); cy++) {
          for (const m of grid.get(cellKey(cx, cy)) ?? []) {
            if (m.hidden) continue;
            const distance = Math.hypot(m.x - x, m.y - y);
            // Of markers at the same distance, the one drawn on top.
            const onTop =
              best !== undefined &&
              distance === bestDistance &&
              STYLES.indexOf(markerStyle(m)) > STYLES.indexOf(markerStyle(best));
            if (distance <= reach && (distance < bestDistance || onTop)) {
              best = m;
              bestDistance = distance;
            }
          }
        }
      }
      return best;
    },
    drawn() {
      const { unit, left, top } = placement();
      const out: DrawnMarker[] = [];
      for (const m of markers.values()) {
        if (m.hidden) continue;
        out.push({
          id: m.id,
          triggerId: m.triggerId,
          style: markerStyle(m),
          clientX: left + (m.x * k + tx) * unit,
          clientY: top + (m.y * k + ty) * unit,
        });
      }
      return out;
    },
  };
}

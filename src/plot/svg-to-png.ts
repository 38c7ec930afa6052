/**
 * SVG → PNG with resvg (@resvg/resvg-js: the Rust resvg renderer, prebuilt per platform as npm
 * packages, no browser). Text uses the system fonts (DejaVu/Liberation on Debian).
 */
import { Resvg } from '@resvg/resvg-js';

export function svgToPng(svg: string, options: { scale?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: options.scale ?? 1 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

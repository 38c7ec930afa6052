/**
 * Stamping small images (the sky's marker sprites) into a pixel buffer, for one putImageData per
 * drawing: in Chromium without a GPU (a headless or remote browser) each canvas drawImage costs
 * about 11 µs whatever its size, so 11,000 markers took 110-135 ms per drawing, the largest
 * script cost of a console load (a CPU profile of bench/console.ts), where stamping the same
 * pixels here takes a few. Written by hand because it is the canvas's own "source-over"
 * compositing on premultiplied RGBA bytes, a dozen lines that no library would make shorter.
 *
 * Symbols: for a source pixel s and a destination pixel d, premultiplied (colour × alpha / 255),
 *   out = s + d × (255 − s.alpha) / 255 for each of r, g, b, alpha
 * (Porter & Duff 1984, "Compositing Digital Images", the "over" operator; the HTML canvas
 * default, globalCompositeOperation "source-over").
 */

/** An image's pixels, RGBA bytes with the colour premultiplied by alpha, row by row. */
export interface Sprite {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** A sprite from straight (not premultiplied) RGBA bytes, as getImageData gives them. */
export function spriteFromStraight(rgba: Uint8ClampedArray, width: number, height: number): Sprite {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < out.length; i += 4) {
    const a = rgba[i + 3] ?? 0;
    out[i] = ((rgba[i] ?? 0) * a) / 255;
    out[i + 1] = ((rgba[i + 1] ?? 0) * a) / 255;
    out[i + 2] = ((rgba[i + 2] ?? 0) * a) / 255;
    out[i + 3] = a;
  }
  return { width, height, rgba: out };
}

/**
 * Composites `sprite` over `target` (premultiplied RGBA, `targetWidth` pixels a row) with its
 * top-left corner at pixel (x, y); what falls outside the target is left out.
 */
export function stampOver(
  target: Uint8ClampedArray,
  targetWidth: number,
  sprite: Sprite,
  x: number,
  y: number,
): void {
  const targetHeight = target.length / 4 / targetWidth;
  const fromCol = Math.max(0, -x);
  const toCol = Math.min(sprite.width, targetWidth - x);
  const fromRow = Math.max(0, -y);
  const toRow = Math.min(sprite.height, targetHeight - y);
  const src = sprite.rgba;
  for (let row = fromRow; row < toRow; row++) {
    let s = (row * sprite.width + fromCol) * 4;
    let d = ((y + row) * targetWidth + x + fromCol) * 4;
    for (let col = fromCol; col < toCol; col++, s += 4, d += 4) {
      const sa = src[s + 3] ?? 0;
      if (sa === 0) continue;
      if (sa === 255) {
        target[d] = src[s] ?? 0;
        target[d + 1] = src[s + 1] ?? 0;
        target[d + 2] = src[s + 2] ?? 0;
        target[d + 3] = 255;
        continue;
      }
      const keep = 255 - sa;
      target[d] = (src[s] ?? 0) + ((target[d] ?? 0) * keep) / 255;
      target[d + 1] = (src[s + 1] ?? 0) + ((target[d + 1] ?? 0) * keep) / 255;
      target[d + 2] = (src[s + 2] ?? 0) + ((target[d + 2] ?? 0) * keep) / 255;
      target[d + 3] = sa + ((target[d + 3] ?? 0) * keep) / 255;
    }
  }
}

/** Premultiplied RGBA to straight, in place (ImageData, for putImageData, is straight). */
export function unpremultiply(rgba: Uint8ClampedArray): void {
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3] ?? 0;
    if (a === 0 || a === 255) continue;
    rgba[i] = ((rgba[i] ?? 0) * 255) / a;
    rgba[i + 1] = ((rgba[i + 1] ?? 0) * 255) / a;
    rgba[i + 2] = ((rgba[i + 2] ?? 0) * 255) / a;
  }
}

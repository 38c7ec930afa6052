/**
 * Flat HEALPix map → multi-order cells by merging uniform blocks, as ligo.skymap's
 * `derasterize` / `healpix_tree.reconstruct_nested` does when it reads a flat map with
 * `moc=True`: a block of 4^k pixels (a pixel of a coarser order) becomes one cell when every
 * column is identical over the block (NaN equal to NaN), coarsest blocks first.
 *
 * Doing the same matters beyond speed: the greedy credible level of a position inside a
 * uniform block counts the whole block at once in ligo.skymap, so merging is needed to agree
 * with `ligo-skymap-stats` on flat maps that were rasterised from multi-order ones.
 *
 * Bottom-up: uniform[o][i] is true when the 4 children of (o, i) are uniform and share their
 * values; then cells are emitted top-down from the 12 base pixels.
 */
import type { SkyMapCells } from './skymap.ts';

function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * `columns[0]` is the density (sr⁻¹) and every column is indexed by NESTED pixel at `order`;
 * `keep` names which columns become the cells' distance layers (by position), the others only
 * take part in the uniformity test (e.g. a GBM SIGNIFICANCE column).
 */
export function derasterize(
  order: number,
  columns: readonly Float64Array[],
  layers: { distMu?: number; distSigma?: number; distNorm?: number } = {},
): SkyMapCells {
  // uniform[o] for o = order … 0 (index order − o), as bytes.
  const uniform: Uint8Array[] = [];
  let finer = new Uint8Array(12 * 4 ** order).fill(1);
  uniform[order] = finer;
  for (let o = order - 1; o >= 0; o--) {
    const n = 12 * 4 ** o;
    const level = new Uint8Array(n);
    const blockAtMax = 4 ** (order - o); // pixels of `order` per pixel of `o`
    const childAtMax = blockAtMax / 4;
    for (let i = 0; i < n; i++) {
      if (!finer[4 * i] || !finer[4 * i + 1] || !finer[4 * i + 2] || !finer[4 * i + 3]) continue;
      const first = i * blockAtMax;
      let ok = true;
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c] as Float64Array;
        const v = column[first] as number;
        if (
          !same(v, column[first + childAtMax] as number) ||
          !same(v, column[first + 2 * childAtMax] as number) ||
          !same(v, column[first + 3 * childAtMax] as number)
        ) {
          ok = false;
          break;
        }
      }
      if (ok) level[i] = 1;
    }
    uniform[o] = level;
    finer = level;
  }
  // Emission in one pass over the pixels (no recursion): at pixel p, the cell is the coarsest
  // uniform block that starts at p (the blocks of p's ancestors that start before p were not
  // uniform, else p would have been passed over with them), so the cells come out in NESTED
  // order, as a depth-first walk from the 12 base pixels gives them. A block of order o starts
  // at p when p is a multiple of 4^(order − o).
  const npix = 12 * 4 ** order;
  const cellOrders = new Uint8Array(npix);
  const cellIpix = new Float64Array(npix);
  const firstPixel = new Float64Array(npix);
  let count = 0;
  for (let p = 0; p < npix;) {
    let o = order;
    if (p % 4 === 0) {
      // The coarsest order whose block starts at p.
      let coarsest = order;
      let size = 1;
      while (coarsest > 0 && p % (size * 4) === 0) {
        coarsest--;
        size *= 4;
      }
      for (let c = coarsest, s = size; c < order; c++, s /= 4) {
        if ((uniform[c] as Uint8Array)[p / s]) {
          o = c;
          break;
        }
      }
    }
    const size = 4 ** (order - o);
    cellOrders[count] = o;
    cellIpix[count] = p / size;
    firstPixel[count] = p;
    count++;
    p += size;
  }
  const pick = (index: number | undefined): Float64Array | undefined => {
    if (index === undefined) return undefined;
    const column = columns[index] as Float64Array;
    if (count === npix) return column;
    const out = new Float64Array(count);
    for (let k = 0; k < count; k++) out[k] = column[firstPixel[k] as number] as number;
    return out;
  };
  const distMuMpc = pick(layers.distMu);
  const distSigmaMpc = pick(layers.distSigma);
  const distNormPerMpc2 = pick(layers.distNorm);
  return {
    orders: cellOrders.slice(0, count),
    ipix: cellIpix.slice(0, count),
    densityPerSr: pick(0) as Float64Array,
    ...(distMuMpc ? { distMuMpc } : {}),
    ...(distSigmaMpc ? { distSigmaMpc } : {}),
    ...(distNormPerMpc2 ? { distNormPerMpc2 } : {}),
  };
}

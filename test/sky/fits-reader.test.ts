/** FITS headers with negative sizes (fuzz findings, bench/fuzz/targets/fits-skymap.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { writeFlatSkyMap } from '../../src/sky/fits-writer.ts';
import { readSkyMap } from '../../src/sky/skymap-read.ts';

/** The map with one header card's value replaced (cards are 80 bytes, values right-aligned in columns 11-30). */
function withCard(bytes: Uint8Array, keyword: string, value: string): Uint8Array {
  const out = Buffer.from(bytes);
  const text = out.toString('latin1');
  const at = text.indexOf(`${keyword.padEnd(8)}= `, 2880);
  assert.ok(at >= 0, `no ${keyword} card`);
  out.write(value.padStart(20), at + 10, 'latin1');
  return out;
}

describe('FITS reader', () => {
  const map = writeFlatSkyMap({
    order: 0,
    ordering: 'NESTED',
    probPerPixel: new Float64Array(12).fill(1 / 12),
  });

  it('refuses negative NAXIS1, NAXIS2, TFIELDS, PCOUNT and GCOUNT with FITS_MALFORMED', () => {
    // NAXIS2 = -1 gave `new DataView(…, -8)`: an uncoded RangeError.
    for (const keyword of ['NAXIS1', 'NAXIS2', 'TFIELDS', 'PCOUNT', 'GCOUNT']) {
      assert.throws(
        () => readSkyMap(withCard(map, keyword, '-1')),
        (error: unknown) => error instanceof CoincideError && error.code === 'FITS_MALFORMED',
        keyword,
      );
    }
    assert.equal(readSkyMap(map).cells().orders.length, 12);
  });
});

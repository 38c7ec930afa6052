/**
 * FITS sky maps (src/sky/fits-reader.ts, skymap-read.ts: gzip, HDUs, BINTABLE, multi-order and
 * flat maps), then the 90% credible region the join builds from them (src/join/skymap-region.ts),
 * as a notice's sky map is read on ingest.
 *
 * Seeds: the sky maps of ../shared (up to 2.5 MB: edits go to their first 3 FITS blocks, the
 * headers, most of the time), the sky maps embedded in the LVK fixtures, and small multi-order
 * and flat maps written here with src/sky/fits-writer.ts (gzipped too).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { createSkyMapRegion } from '../../../src/join/skymap-region.ts';
import { FITS_BLOCK } from '../../../src/sky/fits-reader.ts';
import { writeFlatSkyMap, writeMultiOrderSkyMap } from '../../../src/sky/fits-writer.ts';
import { readSkyMap } from '../../../src/sky/skymap-read.ts';
import { syntheticCells } from '../../../test/sky/synthetic-maps.ts';
import { mutatedSeeds, pristineSeeds, showBytes, type Seed } from '../mutate.ts';
import { countSeeds, madeSeed, projectSeeds, sharedSeeds } from '../seeds.ts';
import type { FuzzTarget } from '../target.ts';

const FITS_TOKENS = [
  "ORDERING= 'NUNIQ   '",
  "ORDERING= 'RING    '",
  "ORDERING= 'NESTED  '",
  'NSIDE   =           1073741824',
  'NAXIS2  =           4294967295',
  'NAXIS1  =                    0',
  "TFORM1  = '1024D   '",
  "TFORM1  = 'K       '",
  "TFORM1  = 'PJ      '",
  "XTENSION= 'BINTABLE'",
  'END' + ' '.repeat(77),
  'BITPIX  =                  -64',
  'GCOUNT  =                    2',
  'PCOUNT  =         999999999999',
  "INDXSCHM= 'EXPLICIT'",
];

/** The base64 sky maps embedded in the LVK fixtures (event.skymap). */
function embeddedSkyMaps(): Seed[] {
  return projectSeeds('fixtures', ['.json']).flatMap((seed) => {
    const match = /"skymap"\s*:\s*"([A-Za-z0-9+/=]+)"/.exec(Buffer.from(seed.bytes).toString('utf8'));
    return match?.[1] ? [{ name: `${seed.name} event.skymap`, bytes: Buffer.from(match[1], 'base64') }] : [];
  });
}

function madeMaps(): Seed[] {
  const blob = syntheticCells({
    name: 'blob',
    raDeg: 197.45,
    decDeg: -23.38,
    sigmaDeg: 8,
    baseOrder: 1,
    fineOrder: 3,
    refineWithinDeg: 20,
  });
  const flatProb = Float64Array.from({ length: 48 }, (_, i) => (i === 7 ? 0.5 : 0.5 / 47));
  const multi = writeMultiOrderSkyMap(blob, { OBJECT: 'FUZZ' });
  const withDistance = writeMultiOrderSkyMap({
    ...blob,
    distMuMpc: blob.densityPerSr.map(() => 40),
    distSigmaMpc: blob.densityPerSr.map(() => 10),
    distNormPerMpc2: blob.densityPerSr.map(() => 1e-3),
  });
  return [
    madeSeed('multi-order order 1-3', multi),
    madeSeed('multi-order with distance', withDistance),
    madeSeed('multi-order gzipped', gzipSync(multi)),
    madeSeed(
      'flat NESTED nside 2',
      writeFlatSkyMap({ order: 1, ordering: 'NESTED', probPerPixel: flatProb }),
    ),
    madeSeed(
      'flat RING nside 2 float32',
      writeFlatSkyMap({ order: 1, ordering: 'RING', probPerPixel: flatProb, singlePrecision: true }),
    ),
    madeSeed(
      'flat explicit',
      writeFlatSkyMap({
        order: 1,
        ordering: 'NESTED',
        probPerPixel: Float64Array.of(0.25, 0.75),
        pixels: Float64Array.of(3, 40),
      }),
    ),
  ];
}

export const fitsSkyMapTarget: FuzzTarget<Uint8Array> = {
  name: 'fits-skymap',
  covers: 'src/sky/fits-reader.ts, src/sky/skymap-read.ts, src/join/skymap-region.ts',
  setup({ sharedSeeds: useShared }) {
    const made = [...madeMaps(), ...embeddedSkyMaps()];
    const shared = sharedSeeds(useShared, 'skymaps', ['.fits', '.fits.gz']);
    const small = made;
    const all = [...made, ...shared];
    return Promise.resolve({
      arbitrary: fc.oneof(
        { weight: 10, arbitrary: mutatedSeeds(small, { tokens: FITS_TOKENS }) },
        { weight: 4, arbitrary: mutatedSeeds(small, { tokens: FITS_TOKENS, focusBytes: 2 * FITS_BLOCK }) },
        { weight: 1, arbitrary: mutatedSeeds(all, { tokens: FITS_TOKENS, focusBytes: 3 * FITS_BLOCK }) },
        { weight: 1, arbitrary: pristineSeeds(small) },
      ),
      run(bytes) {
        // As app/skymap-loader.ts does on ingest: the region's hash is the file's sha256.
        createSkyMapRegion(readSkyMap(bytes), 0.9, createHash('sha256').update(bytes).digest('hex'));
      },
      show: showBytes,
      seedCounts: countSeeds({ made, shared }),
    });
  },
};

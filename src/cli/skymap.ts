/**
 * `coincide skymap <file|url> [--contains RA,DEC] [--levels 50,90]` summarises a sky map as one
 * JSON object, with the numbers `ligo-skymap-stats` gives:
 *
 *   area50Deg2, area90Deg2 (one `area<NN>Deg2` per level), maxProb {raDeg, decDeg},
 *   and with --contains: credibleLevel (searched probability), searchedAreaDeg2,
 *   probDensityPerDeg2 (and per sr), and the distance posterior there when the map has one.
 *
 * The input may be a FITS sky map (multi-order or flat, gzipped or not), an LVK Kafka JSON
 * alert with an embedded base64 map (`event.skymap`), or an https URL (cached in --cache-dir).
 * `--plot out.svg|out.png` also draws the map (src/plot/skymap-plot.ts), `--mark RA,DEC` on it.
 * Bad input: one line on stderr naming the input and the problem, exit code 2.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { CoincideError, describeError } from '../errors.ts';
import {
  loadSkyMapFromBase64,
  loadSkyMapFromFile,
  loadSkyMapFromUrl,
  type LoadedSkyMap,
} from '../sky/skymap-fetch.ts';
import { checkPosition } from '../sky/angles.ts';
import { writeSkyMapPlot } from '../plot/skymap-plot.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface SkymapArgs {
  file: string;
  contains?: string;
  levels: string;
  cacheDir?: string;
  plot?: string;
  mark?: string[];
}

/** "50,90" or "0.5,0.9" → [0.5, 0.9]. */
export function parseLevels(text: string): number[] {
  const levels = text.split(',').map((part) => {
    const value = Number(part.trim());
    const level = value > 1 ? value / 100 : value;
    if (part.trim() === '' || !(level > 0 && level <= 1)) {
      throw new CoincideError('USAGE', `--levels: '${part}' is not a level in (0, 100]`);
    }
    return level;
  });
  return levels;
}

/** "RA,DEC" in degrees. */
export function parsePosition(text: string, flag = '--contains'): { raDeg: number; decDeg: number } {
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [raDeg, decDeg] = parts;
  if (parts.length !== 2 || raDeg === undefined || decDeg === undefined) {
    throw new CoincideError('USAGE', `${flag}: '${text}' is not RA,DEC in degrees`);
  }
  try {
    checkPosition(raDeg, decDeg);
  } catch {
    throw new CoincideError('USAGE', `${flag}: '${text}' is not RA,DEC in degrees`);
  }
  return { raDeg, decDeg };
}

/** The key of a level's area: 0.9 → area90Deg2, 0.95 → area95Deg2, 0.683 → area68.3Deg2. */
function areaKey(level: number): string {
  return `area${Number((level * 100).toFixed(6))}Deg2`;
}

async function load(input: string, cacheDir: string): Promise<LoadedSkyMap> {
  if (/^https?:\/\//i.test(input)) return loadSkyMapFromUrl(input, { cacheDir });
  let bytes: Buffer;
  try {
    bytes = readFileSync(input);
  } catch (error) {
    throw new CoincideError('FETCH_FAILED', 'cannot read the file', { cause: error });
  }
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('{')) {
    let alert: unknown;
    try {
      alert = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new CoincideError('JSON_MALFORMED', 'not valid JSON', { cause: error });
    }
    const skymap = (alert as { event?: { skymap?: unknown } } | null)?.event?.skymap;
    if (typeof skymap !== 'string') throw new CoincideError('FITS_MALFORMED', 'the JSON has no event.skymap');
    return loadSkyMapFromBase64(skymap);
  }
  return loadSkyMapFromFile(input);
}

export async function runSkymap(argv: SkymapArgs): Promise<Record<string, unknown>> {
  const levels = parseLevels(argv.levels);
  const position = argv.contains === undefined ? undefined : parsePosition(argv.contains);
  const loaded = await load(argv.file, argv.cacheDir ?? join(tmpdir(), 'coincide-skymaps'));
  const { provenance } = loaded;
  // Areas and levels on the normalised map, as the join uses it (src/sky SkyMap.forUse).
  const skymap = loaded.skymap.forUse();
  const out: Record<string, unknown> = {
    source: provenance.source,
    sha256: provenance.sha256,
    ordering: skymap.meta.ordering,
    cells: skymap.cellCount,
    totalProbability: loaded.skymap.totalProbability,
  };
  const warning = loaded.skymap.probabilitySumWarning();
  if (warning !== undefined) out.warnings = [warning];
  for (const level of [0.5, 0.9, ...levels]) out[areaKey(level)] = skymap.credibleAreaDeg2(level);
  out.maxProb = skymap.maxProbPosition();
  out.maxProbDensityPerDeg2 = skymap.maxDensityPerSr() / (180 / Math.PI) ** 2;
  if (position) {
    const { raDeg, decDeg } = position;
    out.position = position;
    out.credibleLevel = skymap.credibleLevelAt(raDeg, decDeg);
    out.searchedAreaDeg2 = skymap.searchedAreaDeg2At(raDeg, decDeg);
    out.probDensityPerDeg2 = skymap.densityPerDeg2At(raDeg, decDeg);
    out.probDensityPerSr = skymap.densityPerSrAt(raDeg, decDeg);
    const distance = skymap.distanceAt(raDeg, decDeg);
    if (distance) {
      out.distance = {
        meanMpc: distance.meanMpc,
        stdMpc: distance.stdMpc,
        distMuMpc: distance.distMuMpc,
        distSigmaMpc: distance.distSigmaMpc,
        distNormPerMpc2: distance.distNormPerMpc2,
      };
    }
  }
  if (argv.plot !== undefined) {
    const marks = (argv.mark ?? []).map((text) => ({ ...parsePosition(text, '--mark'), label: text }));
    const plotLevels = [...new Set([0.5, 0.9, ...levels])];
    writeSkyMapPlot(argv.plot, skymap, { title: basename(argv.file), levels: plotLevels, marks });
    out.plot = argv.plot;
  }
  return out;
}

export const skymapCommand: CommandModule<object, SkymapArgs> = {
  command: 'skymap <file>',
  describe: 'Summarise a sky map: credible areas, most probable position, level at a position',
  builder: (yargs) =>
    yargs
      .positional('file', {
        type: 'string',
        demandOption: true,
        describe: 'FITS sky map (multi-order or flat, .gz ok), LVK JSON alert, or https URL',
      })
      .option('contains', { type: 'string', describe: 'RA,DEC (degrees): credible level and density there' })
      .option('levels', {
        type: 'string',
        default: '50,90',
        describe: 'Credible levels, percent (e.g. 50,90,95)',
      })
      .option('cache-dir', { type: 'string', describe: 'Disk cache for sky maps fetched by URL' })
      .option('plot', {
        type: 'string',
        describe: 'Draw the map to this .svg or .png file (Mollweide, contours)',
      })
      .option('mark', {
        type: 'string',
        array: true,
        describe: 'RA,DEC (degrees) to mark on the plot (repeatable)',
      }),
  handler: async (argv) => {
    try {
      const summary = await runSkymap(argv);
      for (const w of (summary.warnings as string[] | undefined) ?? [])
        process.stderr.write(`coincide skymap: ${argv.file}: warning: ${w}\n`);
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.stderr.write(`coincide skymap: ${argv.file}: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    }
  },
};

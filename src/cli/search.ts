/**
 * `coincide search [filters]`: the archive queries of GET /v1/notices from the command line, on
 * the database file (--db). The flags are the REST parameters (src/archive/query-params.ts):
 *
 *   coincide search --observatory Fermi --triggerFrom 2024-01-01T00:00:00Z --format csv
 *   coincide search --ra 150.1 --dec 2.2 --level 90
 *   coincide search --ra 150 --dec 2 --radius 5 --all
 *   coincide search --moc-file region.moc --format voevent --out-dir events/
 *
 * json: one JSON object per notice per line; csv: a header line, then one line per notice;
 * voevent: each raw event written to --out-dir (<id>.xml or .json). Without --all, one page is
 * printed and the cursor of the next is printed on stderr ("next cursor: …").
 * Notices stored but not yet indexed are indexed first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { openArchive } from '../app/archive.ts';
import { CSV_HEADER, csvLine, jsonHit } from '../archive/format.ts';
import { ARCHIVE_QUERY_PARAMS, parseArchiveQuery, type ArchiveQueryParam } from '../archive/query-params.ts';
import { loadConfig } from '../config.ts';
import { CoincideError, describeError } from '../errors.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

type SearchArgs = Partial<Record<ArchiveQueryParam, string | string[]>> & {
  db?: string;
  config?: string;
  all?: boolean;
  outDir?: string;
  mocFile?: string;
};

function values(argv: SearchArgs, name: ArchiveQueryParam): string[] {
  const value = argv[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export async function runSearch(
  argv: SearchArgs,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const config = loadConfig({ flags: { db: argv.db, config: argv.config }, env: process.env });
  const mocBody = argv.mocFile === undefined ? undefined : readFileSync(argv.mocFile, 'utf8');
  const { query, format } = parseArchiveQuery(
    (name) => (name === 'moc' && mocBody !== undefined ? [''] : values(argv, name)),
    mocBody,
  );
  if (format === 'voevent' && argv.outDir === undefined)
    throw new CoincideError('USAGE', '--format voevent writes files: give --out-dir');
  const { db, index, search } = openArchive(config);
  try {
    await index.catchUp();
    if (format === 'csv') out.write(CSV_HEADER);
    if (argv.outDir !== undefined) mkdirSync(argv.outDir, { recursive: true });
    let cursor = query.cursor;
    let count = 0;
    for (;;) {
      const page = search.search({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      for (const hit of page.hits) {
        count++;
        if (format === 'json') out.write(`${jsonHit(hit)}\n`);
        else if (format === 'csv') out.write(csvLine(hit));
        else {
          const bytes = search.eventBytes(hit.eventId);
          if (!bytes) continue;
          const ext = bytes.subarray(0, 64).toString('utf8').trimStart().startsWith('{') ? 'json' : 'xml';
          writeFileSync(join(argv.outDir as string, `${hit.eventId}.${ext}`), bytes);
        }
      }
      cursor = page.nextCursor;
      if (cursor === undefined) break;
      if (!argv.all) {
        process.stderr.write(`next cursor: ${cursor}\n`);
        break;
      }
    }
    process.stderr.write(`coincide search: ${count} notices\n`);
  } finally {
    db.close();
  }
  return EXIT_OK;
}

export const searchCommand: CommandModule<object, SearchArgs> = {
  command: 'search',
  describe: 'Search the notice archive (the queries of GET /v1/notices)',
  builder: (yargs) => {
    let y = yargs
      .option('db', { type: 'string', describe: 'SQLite database (default ./coincide.db, env COINCIDE_DB)' })
      .option('config', { type: 'string', describe: 'JSON configuration file' })
      .option('all', { type: 'boolean', describe: 'Follow the cursor through every page' })
      .option('out-dir', { type: 'string', describe: 'Folder for --format voevent files' })
      .option('moc-file', { type: 'string', describe: 'A file holding an IVOA MOC (ASCII or JSON)' });
    for (const name of ARCHIVE_QUERY_PARAMS) {
      y = y.option(name, { type: 'string', describe: `see GET /v1/notices (${name})` });
    }
    return y;
  },
  handler: async (argv) => {
    try {
      process.exitCode = await runSearch(argv);
    } catch (error) {
      process.stderr.write(`coincide search: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    }
  },
};

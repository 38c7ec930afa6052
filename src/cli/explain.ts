/**
 * `coincide explain <coincidence-id | record.json | ->` prints how each figure of a
 * coincidence was derived (src/join/explain.ts): inputs, formula, every intermediate value and
 * the tier rule that applied.
 *
 *   coincide explain 3f2a…(32 hex) --db coincide.db   the latest version in `coincide serve`'s outbox
 *   coincide explain record.json                      a record (or a stream message holding one)
 *   coincide explain < record.json                    the same from stdin (or the argument "-")
 *   --json                                            the structured explanation as JSON
 *
 * Bad input (unknown id, not a coincidence record, unreadable database): one line on stderr,
 * exit code 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { CoincideError, describeError } from '../errors.ts';
import type { Coincidence } from '../join/coincidence.ts';
import { explainCoincidence, renderExplanation } from '../join/explain.ts';
import { openDatabase } from '../store/database.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface ExplainArgs {
  target?: string;
  db: string;
  json: boolean;
}

const COINCIDENCE_ID = /^[0-9a-f]{32}$/;

/** A coincidence record from parsed JSON: the record itself or a stream/outbox message with it as data. */
export function coincidenceFromJson(value: unknown): Coincidence {
  const candidate = value !== null && typeof value === 'object' && 'data' in value ? value.data : value;
  const c = candidate as Partial<Coincidence> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    c.kind !== 'coincidence' ||
    typeof c.id !== 'string' ||
    typeof c.provenance !== 'object' ||
    typeof c.provenance.formulaVersion !== 'string' ||
    typeof c.provenance.rates !== 'object'
  ) {
    throw new CoincideError('NOTICE_UNSUPPORTED', 'the input is not a coincidence record');
  }
  return c as Coincidence;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CoincideError('JSON_MALFORMED', 'the input is not valid JSON', { cause });
  }
}

/** The latest version of a coincidence in the outbox of `coincide serve`'s database. */
export function coincidenceFromDatabase(path: string, id: string): Coincidence {
  if (!existsSync(path)) throw new CoincideError('NOT_FOUND', `no database at ${path}`);
  const db = openDatabase({ path, readonly: true });
  try {
    const row = db
      .prepare(
        "SELECT json FROM serve_outbox WHERE type = 'coincidence' AND json_extract(json, '$.id') = ? ORDER BY seq DESC LIMIT 1",
      )
      .get(id) as { json: string } | undefined;
    if (!row) throw new CoincideError('NOT_FOUND', `no coincidence ${id} in ${path}`);
    return coincidenceFromJson(parseJson(row.json));
  } finally {
    db.close();
  }
}

export function loadCoincidence(args: ExplainArgs, readStdin: () => string): Coincidence {
  const target = args.target;
  if (target === undefined || target === '-' || target === '')
    return coincidenceFromJson(parseJson(readStdin()));
  if (COINCIDENCE_ID.test(target) && !existsSync(target)) return coincidenceFromDatabase(args.db, target);
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (cause) {
    throw new CoincideError('NOT_FOUND', `${target} is neither a coincidence id nor a readable file`, {
      cause,
    });
  }
  return coincidenceFromJson(parseJson(text));
}

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: 'explain [target]',
  describe:
    'Explain how the figures of a coincidence were derived (inputs, formula, intermediates, tier rule)',
  builder: (yargs) =>
    yargs
      .positional('target', {
        type: 'string',
        describe: 'A coincidence id (looked up in --db), a record JSON file, or - for stdin (default)',
      })
      .option('db', {
        type: 'string',
        default: process.env.COINCIDE_DB ?? './coincide.db',
        describe: 'Database of coincide serve',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the explanation as JSON' }),
  handler: (argv) => {
    try {
      const c = loadCoincidence(argv, () => readFileSync(0, 'utf8'));
      const explanation = explainCoincidence(c);
      process.stdout.write(
        argv.json ? JSON.stringify(explanation, null, 2) + '\n' : renderExplanation(explanation),
      );
      process.exitCode = EXIT_OK;
    } catch (error) {
      process.stderr.write(`coincide explain: ${describeError(error)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    }
  },
};

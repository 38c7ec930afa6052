/**
 * `coincide validate <file|dir>...`: one verdict per XML file (directories are walked
 * recursively for *.xml, in sorted order).
 *
 * A valid file prints "<file>: valid (<kind>)" on stdout, kind being voevent-2.0, voevent-1.1
 * or transport. An invalid or unreadable file prints one line on stderr,
 * "coincide validate: <file>: invalid (<kind>): <CODE>: <first problem>", and the command exits
 * with code 2 after every other file has been checked. What is checked is documented in
 * src/voevent/validate.ts; --schema-only limits it to the guard and the XML Schema.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hasNoExtension, sniffFile } from './sniff.ts';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { describeError } from '../errors.ts';
import { createSchemaValidator } from '../voevent/schema-validator.ts';
import { checkDocument } from '../voevent/validate.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

interface ValidateArgs {
  paths: string[];
  'schema-only': boolean;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

type Input = { path: string; bytes: Uint8Array } | { path: string; problem: string };

/** Files as named; directories walked for *.xml, sorted. Unreadable paths become problems. */
function readInputs(paths: readonly string[]): Input[] {
  const inputs: Input[] = [];
  const add = (path: string, explicit: boolean): void => {
    try {
      if (statSync(path).isDirectory()) {
        for (const name of readdirSync(path).sort()) add(join(path, name), false);
      } else if (
        explicit ||
        path.toLowerCase().endsWith('.xml') ||
        // Extension-less files (as `coincide subscribe --save-dir` writes them) that hold XML.
        (hasNoExtension(path) && sniffFile(path) === 'xml')
      ) {
        inputs.push({ path, bytes: readFileSync(path) });
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? 'no such file or directory' : describeError(error);
      inputs.push({ path, problem: `unreadable: ${problem}` });
    }
  };
  for (const path of paths) add(path, true);
  return inputs;
}

/** Validates every file; returns the exit code. Writers are injected for tests. */
export async function runValidate(
  paths: readonly string[],
  options: { schemaOnly: boolean },
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const inputs = readInputs(paths);
  const validator = createSchemaValidator();
  try {
    // Every file is read first, so that an unreadable one is reported beside the others.
    const verdicts = await Promise.all(
      inputs.map((input) =>
        'bytes' in input ? checkDocument(validator, input.bytes, options) : Promise.resolve(undefined),
      ),
    );
    let bad = 0;
    inputs.forEach((input, i) => {
      const verdict = verdicts[i];
      if ('problem' in input || verdict === undefined) {
        bad += 1;
        err(`coincide validate: ${input.path}: ${'problem' in input ? input.problem : 'not checked'}`);
      } else if (verdict.valid) {
        out(`${input.path}: valid (${verdict.kind})`);
      } else {
        bad += 1;
        const first = verdict.errors[0] ?? 'invalid';
        const reason =
          verdict.code !== undefined && !first.startsWith(verdict.code) ? `${verdict.code}: ${first}` : first;
        err(`coincide validate: ${input.path}: invalid (${verdict.kind}): ${oneLine(reason)}`);
      }
    });
    return bad > 0 ? EXIT_BAD_INPUT : EXIT_OK;
  } finally {
    await validator.close();
  }
}

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <paths..>',
  describe: 'Check VOEvent 2.0/1.1 and VTP Transport XML files: safe XML, XML Schema, and VOEvent values',
  builder: (yargs) =>
    yargs
      .positional('paths', {
        describe: 'files or directories (walked recursively for *.xml and extension-less XML files)',
        type: 'string',
        array: true,
        demandOption: true,
      })
      .option('schema-only', {
        describe: 'check only safe XML and the XML Schema, not VOEvent values or WhereWhen',
        type: 'boolean',
        default: false,
      }),
  handler: async (args) => {
    process.exitCode = await runValidate(
      args.paths,
      { schemaOnly: args['schema-only'] },
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
  },
};

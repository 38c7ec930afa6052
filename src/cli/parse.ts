/**
 * `coincide parse <file|dir>...`: one Notice per line, as JSON, on stdout, for every VOEvent
 * XML and GCN JSON file named, and LVK igwn.gwalert Avro files (directories are walked
 * recursively, in sorted order, taking *.xml, *.json, *.txt and *.avro files; LVK Kafka
 * messages are often saved as .txt).
 *
 * A file that cannot be read or is not a notice gives one line on stderr,
 * "coincide parse: <file>: <CODE>: <reason>", and the command then exits with code 2 after
 * processing every other file; no stack trace is ever printed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hasNoExtension, sniffFile } from './sniff.ts';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { describeError } from '../errors.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './exit-codes.ts';

/** File extensions taken when walking a directory (files named explicitly are always read). */
export const PARSE_EXTENSIONS: readonly string[] = ['.xml', '.json', '.txt', '.avro'];

interface ParseArgs {
  paths: string[];
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Expands the named paths into files: files as given, directories walked recursively, sorted. */
export function expandPaths(
  paths: readonly string[],
  onError: (path: string, message: string) => void,
): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stats = statSync(path);
      if (stats.isDirectory()) walk(path);
      else if (PARSE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) out.push(path);
      // Extension-less files (as `coincide subscribe --save-dir` writes them): by their content.
      else if (hasNoExtension(path) && sniffFile(path) !== undefined) out.push(path);
    }
  };
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    } catch (error) {
      onError(
        path,
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file or directory'
          : describeError(error),
      );
    }
  }
  return out;
}

/** Parses every file; returns the exit code. Writers are injected for tests. */
export function runParse(
  paths: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  let bad = 0;
  const report = (path: string, message: string): void => {
    bad += 1;
    err(`coincide parse: ${path}: ${oneLine(message)}`);
  };
  const parseFile = (file: string): void => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      report(file, describeError(error));
      return;
    }
    try {
      out(JSON.stringify(parseNoticeDocument(bytes, { fileName: file })));
    } catch (error) {
      report(file, describeError(error));
    }
  };
  // One named path at a time, so that messages come in the order the paths were given.
  for (const path of paths) for (const file of expandPaths([path], report)) parseFile(file);
  return bad > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

export const parseCommand: CommandModule<object, ParseArgs> = {
  command: 'parse <paths..>',
  describe: 'Print one normalised Notice per line (JSON) for VOEvent XML and GCN JSON files or directories',
  builder: (yargs) =>
    yargs.positional('paths', {
      describe:
        'files or directories (walked recursively for *.xml, *.json, *.txt, *.avro and extension-less files holding XML, JSON or Avro)',
      type: 'string',
      array: true,
      demandOption: true,
    }),
  handler: (args) => {
    const lines: string[] = [];
    const flush = (): void => {
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      lines.length = 0;
    };
    const code = runParse(
      args.paths,
      (line) => {
        lines.push(line);
        if (lines.length >= 64) flush();
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    flush();
    process.exitCode = code;
  },
};

/**
 * XML Schema validation of VOEvent 2.0, VOEvent 1.1 and VTP Transport documents, with
 * libxml2 (xmllint-wasm) and this project's schemas in voevent-schemas/.
 *
 * Every document first passes the guard of secure-xml.ts (size, binary, DTD/entities, depth,
 * well-formedness); the schema is then chosen by the root element's namespace:
 *   VOEvent in http://www.ivoa.net/xml/VOEvent/v2.0   -> VOEvent-v2.0.xsd        'voevent-2.0'
 *   VOEvent in http://www.ivoa.net/xml/VOEvent/v1.1   -> VOEvent-v1.1.xsd (+STC) 'voevent-1.1'
 *   Transport in one of the VTP namespaces            -> Transport-v1.1.xsd      'transport'
 *   anything else (no namespace, VOEvent 2.1 draft...) -> invalid, kind 'unknown'
 *
 * Speed: starting xmllint costs milliseconds (schema compilation), checking one more document
 * in the same run costs far less. Concurrent `validate` calls are therefore gathered for one
 * event-loop turn and sent as one xmllint run per schema (up to `maxBatch` documents).
 */
import { readFileSync } from 'node:fs';
import { describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import { TRANSPORT_NAMESPACES, VOEVENT_1_1_NS, VOEVENT_2_0_NS } from './namespaces.ts';
import { guardXml, type XmlGuardOptions } from './secure-xml.ts';
import { createXmllintRunner, type XmllintFile, type XmllintRunner } from './xmllint-runner.ts';

export type DocumentKind = 'voevent-2.0' | 'voevent-1.1' | 'transport' | 'unknown';

export interface SchemaVerdict {
  valid: boolean;
  kind: DocumentKind;
  /** Why it is invalid: one message per problem, each starting "line N: " where known. */
  errors: string[];
  /** For an invalid document: SCHEMA_INVALID, or the guard's code (XML_MALFORMED, ...). */
  code?: ErrorCode;
}

export interface SchemaValidator {
  validate(xml: string | Uint8Array): Promise<SchemaVerdict>;
  /** Stops the worker thread; later calls reject with SCHEMA_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface SchemaValidatorOptions extends XmlGuardOptions {
  /** Where the .xsd files are; default: this project's voevent-schemas/. */
  schemaDir?: string | URL;
  /** Most documents per xmllint run. Default 256. */
  maxBatch?: number;
}

export const PROJECT_SCHEMA_DIR = new URL('../../voevent-schemas/', import.meta.url);

const SCHEMA_FILES = ['VOEvent-v2.0.xsd', 'VOEvent-v1.1.xsd', 'stc-v1.30-subset.xsd', 'xlink-attributes.xsd'];
const TRANSPORT_TEMPLATE = 'Transport-v1.1.xsd';
/** The namespace written in Transport-v1.1.xsd, replaced to make one schema per VTP namespace. */
const TRANSPORT_TEMPLATE_NS = 'http://www.telescope-networks.org/xml/Transport/v1.1';

interface SchemaChoice {
  kind: Exclude<DocumentKind, 'unknown'>;
  /** The main schema's file name in the xmllint file system. */
  schemaFile: string;
}

/** Loads the project's schema files, plus one Transport schema per known VTP namespace. */
function loadSchemas(dir: string | URL): { files: XmllintFile[]; byNamespace: Map<string, SchemaChoice> } {
  const read = (name: string): string => readFileSync(new URL(name, toDirUrl(dir)), 'utf8');
  const files: XmllintFile[] = SCHEMA_FILES.map((fileName) => ({ fileName, contents: read(fileName) }));
  const byNamespace = new Map<string, SchemaChoice>([
    [`VOEvent ${VOEVENT_2_0_NS}`, { kind: 'voevent-2.0', schemaFile: 'VOEvent-v2.0.xsd' }],
    [`VOEvent ${VOEVENT_1_1_NS}`, { kind: 'voevent-1.1', schemaFile: 'VOEvent-v1.1.xsd' }],
  ]);
  const template = read(TRANSPORT_TEMPLATE);
  TRANSPORT_NAMESPACES.forEach((namespace, index) => {
    const fileName = `Transport-${index}.xsd`;
    files.push({ fileName, contents: template.replaceAll(TRANSPORT_TEMPLATE_NS, namespace) });
    byNamespace.set(`Transport ${namespace}`, { kind: 'transport', schemaFile: fileName });
  });
  return { files, byNamespace };
}

function toDirUrl(dir: string | URL): URL {
  if (dir instanceof URL) return dir;
  return new URL(`file://${dir.endsWith('/') ? dir : `${dir}/`}`);
}

export interface BatchVerdict {
  valid: boolean;
  errors: string[];
}

/**
 * Validates documents against one schema in one xmllint run, and splits xmllint's report per
 * document. xmllint prints, per file, "NAME validates" or "NAME fails to validate", preceded by
 * error lines "NAME:LINE: ... error : MESSAGE".
 */
export async function runSchemaBatch(
  runner: XmllintRunner,
  schemaFile: string,
  documents: readonly string[],
): Promise<BatchVerdict[]> {
  const files = documents.map((contents, i) => ({ fileName: `doc-${i}.xml`, contents }));
  const args = ['--noout', '--nonet', '--schema', schemaFile, ...files.map((f) => f.fileName)];
  const { exitCode, stderr } = await runner.run(files, args);
  if (exitCode === -1 && documents.length > 1) {
    // xmllint aborted (e.g. out of wasm memory): find out which document did it, one at a time,
    // so that one bad document never makes the others of its batch invalid.
    const single = await Promise.all(documents.map((doc) => runSchemaBatch(runner, schemaFile, [doc])));
    return single.map((verdicts) => verdicts[0] ?? { valid: false, errors: ['no verdict from xmllint'] });
  }
  const verdicts = files.map((): { valid: boolean | undefined; errors: string[] } => ({
    valid: undefined,
    errors: [],
  }));
  const other: string[] = [];
  for (const line of stderr.split('\n')) {
    const match = /^doc-(\d+)\.xml(?::(\d+):)?\s*(.*)$/.exec(line);
    const verdict = match === null ? undefined : verdicts[Number(match[1])];
    if (match === null || verdict === undefined) {
      if (line.trim().length > 0) other.push(line.trim());
      continue;
    }
    const [, , lineNumber, rest = ''] = match;
    if (lineNumber === undefined && rest === 'validates') verdict.valid = true;
    else if (lineNumber === undefined && rest === 'fails to validate') verdict.valid = false;
    else if (lineNumber !== undefined) {
      const message = rest.replace(/^.*?(?:Schemas validity|parser|namespace) error : /, '').trim();
      verdict.errors.push(`line ${lineNumber}: ${message}`);
    } else if (rest.length > 0) verdict.errors.push(rest);
  }
  return verdicts.map((v) => {
    if (v.valid === true) return { valid: true, errors: [] };
    const errors =
      v.errors.length > 0 ? v.errors : other.length > 0 ? other : [`xmllint exit status ${exitCode}`];
    return { valid: false, errors };
  });
}

interface Pending {
  text: string;
  resolve: (verdict: BatchVerdict) => void;
  reject: (error: unknown) => void;
}

export function createSchemaValidator(options: SchemaValidatorOptions = {}): SchemaValidator {
  const { files, byNamespace } = loadSchemas(options.schemaDir ?? PROJECT_SCHEMA_DIR);
  const runner = createXmllintRunner(files);
  const maxBatch = options.maxBatch ?? 256;
  const queues = new Map<string, Pending[]>();
  let flushScheduled = false;

  const flush = (): void => {
    flushScheduled = false;
    for (const [schemaFile, queue] of queues) {
      queues.delete(schemaFile);
      for (let start = 0; start < queue.length; start += maxBatch) {
        const batch = queue.slice(start, start + maxBatch);
        runSchemaBatch(
          runner,
          schemaFile,
          batch.map((p) => p.text),
        ).then(
          (verdicts) => {
            batch.forEach((p, i) => {
              p.resolve(verdicts[i] ?? { valid: false, errors: ['no verdict from xmllint'] });
            });
          },
          (error: unknown) => {
            for (const p of batch) p.reject(error);
          },
        );
      }
    }
  };

  const enqueue = (schemaFile: string, text: string): Promise<BatchVerdict> =>
    new Promise<BatchVerdict>((resolve, reject) => {
      let queue = queues.get(schemaFile);
      if (queue === undefined) queues.set(schemaFile, (queue = []));
      queue.push({ text, resolve, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });

  return {
    async validate(xml) {
      let guarded;
      try {
        guarded = guardXml(xml, options);
      } catch (error) {
        if (!isCoincideError(error)) throw error;
        return { valid: false, kind: 'unknown', errors: [describeError(error)], code: error.code };
      }
      const { localName, namespace, name } = guarded.root;
      const choice = byNamespace.get(`${localName} ${namespace}`);
      if (choice === undefined) {
        const where = namespace === '' ? 'in no namespace' : `in namespace ${namespace}`;
        return {
          valid: false,
          kind: 'unknown',
          errors: [`no schema for root element <${name}> ${where}`],
          code: 'SCHEMA_INVALID',
        };
      }
      const verdict = await enqueue(choice.schemaFile, guarded.text);
      return verdict.valid
        ? { valid: true, kind: choice.kind, errors: [] }
        : { valid: false, kind: choice.kind, errors: verdict.errors, code: 'SCHEMA_INVALID' };
    },
    close: () => runner.close(),
  };
}

/**
 * XML Schema validation of VOEvent 2.0, VOEvent 1.1 and VTP Transport documents, with libxml2
 * (the libxml2-wasm build: libxml2's own xmlSchema* API compiled to WebAssembly) and this
 * project's schemas in voevent-schemas/.
 *
 * Every document first passes the pre-scan of xml-prescan.ts (size, binary, DTD/entities, depth,
 * the root element; one linear pass over the bytes), then libxml2 parses the bytes themselves
 * (xml-parse.ts: well-formedness, namespaces) and validates; the schema is chosen by the root
 * element's namespace:
 *   VOEvent in http://www.ivoa.net/xml/VOEvent/v2.0   -> VOEvent-v2.0.xsd        'voevent-2.0'
 *   VOEvent in http://www.ivoa.net/xml/VOEvent/v1.1   -> VOEvent-v1.1.xsd (+STC) 'voevent-1.1'
 *   Transport in one of the VTP namespaces            -> Transport-v1.1.xsd      'transport'
 *   anything else (no namespace, VOEvent 2.1 draft...) -> invalid, kind 'unknown'
 *
 * Speed: each schema is compiled once, when the validator is created (libxml2-wasm exposes
 * xmlSchemaParse/xmlSchemaValidateDoc; the former xmllint-wasm build could only run xmllint's
 * main(), which re-read and re-compiled the schemas on every run). Validating one GRB notice
 * then costs well under a millisecond, so it runs synchronously in the calling thread: no
 * worker, no batching, no copy of the document to another thread.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XmlDocument, XmlLibError, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { CoincideError, describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import { TRANSPORT_NAMESPACES, VOEVENT_1_1_NS, VOEVENT_2_0_NS } from './namespaces.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, type XmlGuardOptions } from './secure-xml.ts';
import { formatLibxmlDetails, parseXmlDocument } from './xml-parse.ts';
import { prescanXml, type XmlPrescan } from './xml-prescan.ts';

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
  /**
   * `prescan`: the pre-scan of these very bytes, when the caller has made it (the VTP receiver
   * classifies each submission with it): it is not made again.
   */
  validate(xml: string | Uint8Array, prescan?: XmlPrescan): Promise<SchemaVerdict>;
  /** The same check, synchronously (it never waits for anything). */
  validateSync(xml: string | Uint8Array, prescan?: XmlPrescan): SchemaVerdict;
  /** Frees the compiled schemas; later calls fail with SCHEMA_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface SchemaValidatorOptions extends XmlGuardOptions {
  /** Where the .xsd files are; default: this project's voevent-schemas/. */
  schemaDir?: string | URL;
}

export const PROJECT_SCHEMA_DIR = new URL('../../voevent-schemas/', import.meta.url);

const TRANSPORT_TEMPLATE = 'Transport-v1.1.xsd';
/** The namespace written in Transport-v1.1.xsd, replaced to make one schema per VTP namespace. */
const TRANSPORT_TEMPLATE_NS = 'http://www.telescope-networks.org/xml/Transport/v1.1';

let fsProvidersRegistered = false;

/**
 * libxml2 resolves xs:import/xs:include through input callbacks that are global to its (one)
 * WebAssembly instance; libxml2-wasm's file-system callbacks are registered once per process,
 * so that VOEvent-v1.1.xsd finds stc-v1.30-subset.xsd and xlink-attributes.xsd next to it.
 */
function ensureFsInputProviders(): void {
  if (fsProvidersRegistered) return;
  xmlRegisterFsInputProviders();
  fsProvidersRegistered = true;
}

/**
 * Compiles one XSD. `path` is its absolute file path, used as its base URL so that relative
 * schemaLocations resolve; `text`, when given, is compiled instead of the file's contents.
 */
export function compileXsd(path: string, text?: string): XsdValidator {
  ensureFsInputProviders();
  const doc =
    text === undefined
      ? XmlDocument.fromBuffer(readFileSync(path), { url: path })
      : XmlDocument.fromString(text, { url: path });
  try {
    return XsdValidator.fromDoc(doc);
  } finally {
    doc.dispose();
  }
}

export interface XsdVerdict {
  valid: boolean;
  /** True when the document is not well-formed (libxml2 could not parse it). */
  malformed?: boolean;
  errors: string[];
}

/**
 * Parses and validates one document against one compiled schema. `malformed`: libxml2 could not
 * parse it (not well-formed), as opposed to a well-formed document the schema refuses.
 */
export function validateWithXsd(validator: XsdValidator, xml: string | Uint8Array): XsdVerdict {
  let doc: XmlDocument;
  try {
    doc = parseXmlDocument(xml);
  } catch (error) {
    if (error instanceof XmlLibError)
      return { valid: false, malformed: true, errors: formatLibxmlDetails(error) };
    throw error;
  }
  try {
    validator.validate(doc);
    return { valid: true, errors: [] };
  } catch (error) {
    if (error instanceof XmlLibError) return { valid: false, errors: formatLibxmlDetails(error) };
    throw error;
  } finally {
    doc.dispose();
  }
}

interface SchemaChoice {
  kind: Exclude<DocumentKind, 'unknown'>;
  validator: XsdValidator;
}

function schemaDirPath(dir: string | URL): string {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  return path.endsWith('/') ? path : `${path}/`;
}

/** Compiles the project's schemas, plus one Transport schema per known VTP namespace. */
function compileSchemas(dir: string | URL): Map<string, SchemaChoice> {
  const base = schemaDirPath(dir);
  const byNamespace = new Map<string, SchemaChoice>([
    [`VOEvent ${VOEVENT_2_0_NS}`, { kind: 'voevent-2.0', validator: compileXsd(`${base}VOEvent-v2.0.xsd`) }],
    [`VOEvent ${VOEVENT_1_1_NS}`, { kind: 'voevent-1.1', validator: compileXsd(`${base}VOEvent-v1.1.xsd`) }],
  ]);
  const templatePath = `${base}${TRANSPORT_TEMPLATE}`;
  const template = readFileSync(templatePath, 'utf8');
  for (const namespace of TRANSPORT_NAMESPACES) {
    const text = template.replaceAll(TRANSPORT_TEMPLATE_NS, namespace);
    byNamespace.set(`Transport ${namespace}`, {
      kind: 'transport',
      validator: compileXsd(templatePath, text),
    });
  }
  return byNamespace;
}

export function createSchemaValidator(options: SchemaValidatorOptions = {}): SchemaValidator {
  let byNamespace: Map<string, SchemaChoice> | undefined = compileSchemas(
    options.schemaDir ?? PROJECT_SCHEMA_DIR,
  );

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const validateSync = (xml: string | Uint8Array, prescan?: XmlPrescan): SchemaVerdict => {
    if (byNamespace === undefined) {
      throw new CoincideError('SCHEMA_UNAVAILABLE', 'the schema validator is closed');
    }
    // One linear pre-scan of the bytes (size, binary, DTD, depth, root), then libxml2 parses
    // the bytes themselves: nothing is decoded twice, and libxml2 is the only parser.
    let root;
    try {
      const reusable = prescan !== undefined && typeof xml !== 'string' && prescan.maxDepth === maxDepth;
      if (reusable && xml.byteLength > maxBytes) {
        throw new CoincideError('INPUT_TOO_LARGE', `the document is larger than the ${maxBytes}-byte limit`);
      }
      const scan = reusable
        ? prescan
        : prescanXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, {
            maxBytes,
            maxDepth,
            decoded: typeof xml === 'string',
          });
      if (scan.tooDeep) {
        throw new CoincideError('XML_TOO_DEEP', `elements are nested deeper than the limit of ${maxDepth}`);
      }
      root = scan.root;
    } catch (error) {
      if (!isCoincideError(error)) throw error;
      return { valid: false, kind: 'unknown', errors: [describeError(error)], code: error.code };
    }
    const { localName, namespace, name } = root;
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
    const verdict = validateWithXsd(choice.validator, xml);
    if (verdict.valid) return { valid: true, kind: choice.kind, errors: [] };
    return {
      valid: false,
      kind: choice.kind,
      errors: verdict.errors.map((e) => (verdict.malformed === true ? `not well-formed XML: ${e}` : e)),
      code: verdict.malformed === true ? 'XML_MALFORMED' : 'SCHEMA_INVALID',
    };
  };

  return {
    validateSync,
    validate: (xml, prescan) => {
      try {
        return Promise.resolve(validateSync(xml, prescan));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close() {
      const compiled = byNamespace;
      byNamespace = undefined;
      for (const choice of compiled?.values() ?? []) choice.validator.dispose();
      return Promise.resolve();
    },
  };
}

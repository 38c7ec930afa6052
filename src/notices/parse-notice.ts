/**
 * One document in, one Notice out: the entry point for files, Kafka messages and VTP
 * payloads. It tells VOEvent XML from JSON by the first significant character, parses
 * (secure VOEvent parser, or JSON.parse), and normalises:
 *   '<'  -> parseVoEvent -> normaliseVoEvent (family by ivorn / Packet_Type)
 *   '{'  -> normaliseGcnJson (LVK igwn.gwalert, or GCN unified schema by $schema)
 *   'Obj' 0x01 (Avro container) -> the LVK igwn.gwalert Avro record (igwn-avro.ts)
 * `source.sha256` is the SHA-256 of the exact input bytes (a string is taken as UTF-8).
 *
 * Errors (CoincideError): INPUT_EMPTY, INPUT_BINARY, INPUT_TOO_LARGE, NOTICE_UNKNOWN_FORMAT,
 * the XML_ and VOEVENT_ codes of the VOEvent parser, JSON_TOO_DEEP (nesting checked before the
 * parse, src/text/json-depth.ts), JSON_MALFORMED, NOTICE_UNSUPPORTED (a
 * valid document that is not a notice, with the reason), NOTICE_BAD_VALUE.
 */
import { createHash } from 'node:crypto';
import { CoincideError } from '../errors.ts';
import { checkJsonDepth } from '../text/json-depth.ts';
import { describeJsonError } from '../text/json-error.ts';
import { parseVoEvent } from '../voevent/parse.ts';
import { decodeIgwnAvro, isAvroContainer } from './gcn-json/igwn-avro.ts';
import { normaliseIgwnAlert } from './gcn-json/igwn-alert.ts';
import { normaliseGcnJson } from './gcn-json/normalise-json.ts';
import type { Notice } from './notice.ts';
import { normaliseVoEvent } from './normalise-voevent.ts';

export { normaliseVoEvent } from './normalise-voevent.ts';
export { extractEmbeddedSkymap } from './embedded-skymap.ts';

/** JSON notices carry base64 sky maps of ~1 MB; allow a generous margin. */
export const DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024;
/** VOEvents: the parser's own 1 MiB default. */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

export interface ParseNoticeMeta {
  /** For messages only; never used to decide the format. */
  fileName?: string;
  maxXmlBytes?: number;
  maxJsonBytes?: number;
  /** The SHA-256 of the input bytes, lowercase hex, when the caller has it (not computed again). */
  sha256?: string;
}

// eslint-disable-next-line no-control-regex -- detecting control bytes is the point
const CONTROL_BYTES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');
const UTF8_ENCODER = new TextEncoder();

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function firstSignificantChar(bytes: Uint8Array): string | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  for (; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return String.fromCharCode(b);
  }
  return undefined;
}

function decodeJsonText(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.byteLength > maxBytes) {
    throw new CoincideError('INPUT_TOO_LARGE', `the document is larger than the ${maxBytes}-byte limit`);
  }
  let text: string;
  try {
    text = UTF8_STRICT.decode(bytes);
  } catch (error) {
    throw new CoincideError('INPUT_BINARY', 'the document is not valid UTF-8 text', { cause: error });
  }
  if (CONTROL_BYTES.test(text))
    throw new CoincideError('INPUT_BINARY', 'the document contains NUL or control bytes');
  return text;
}

export function parseNoticeDocument(input: Uint8Array | string, meta: ParseNoticeMeta = {}): Notice {
  const bytes = typeof input === 'string' ? UTF8_ENCODER.encode(input) : input;
  const sha256 = meta.sha256 ?? sha256Hex(bytes);
  const first = firstSignificantChar(bytes);
  if (first === undefined) throw new CoincideError('INPUT_EMPTY', 'the document is empty');
  if (first === '<') {
    const parsed = parseVoEvent(bytes, { maxBytes: meta.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES });
    return normaliseVoEvent(parsed, sha256);
  }
  if (first === '{' || first === '[') {
    const text = decodeJsonText(bytes, meta.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES);
    checkJsonDepth(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CoincideError('JSON_MALFORMED', `not valid JSON at ${describeJsonError(error, text)}`, {
        cause: error,
      });
    }
    return normaliseGcnJson(json, sha256);
  }
  if (isAvroContainer(bytes)) return normaliseIgwnAlert(decodeIgwnAvro(bytes), sha256);
  const head = bytes.subarray(0, 512);
  if (head.includes(0) || CONTROL_BYTES.test(LATIN1.decode(head))) {
    throw new CoincideError('INPUT_BINARY', 'the document is binary, neither VOEvent XML nor JSON');
  }
  throw new CoincideError(
    'NOTICE_UNKNOWN_FORMAT',
    `the document starts with "${first}": neither VOEvent XML ("<") nor JSON ("{")`,
  );
}

/**
 * VOEvent 2.0 and 1.1 parsing: raw bytes or text in, a typed `ParsedVoEvent` out.
 *
 * Security first: the input is decoded with the size, emptiness and binary checks
 * (secure-xml.ts decodeXmlInput), then read by the strict pass of xml-tree.ts, which proves
 * well-formedness (DTD and entity refusal, depth, namespace bindings, tags, attributes) while it
 * builds the tree. A document outside that pass's subset goes through the full guard of
 * secure-xml.ts (its errors unchanged) before fast-xml-parser builds the same tree. Entities are
 * never expanded: the five predefined ones and character references are decoded by
 * decodeXmlReferences when a value is read (any other entity has been refused).
 *
 * Names are read by local name: the root may be `voe:VOEvent`, `VOEvent` in the default
 * namespace or `VOEvent` in no namespace, and VOEvent 1.1 puts ObsDataLocation in the STC
 * namespace (reference/notices.md §0.1). This is "decode", not "interpret": no notice-family
 * knowledge lives here (that is notices/).
 */
import { CoincideError } from '../errors.ts';
import type { ParamValue } from '../notices/notice.ts';
import { parseIsoTimeUtc } from './iso-time.ts';
import { VOEVENT_NAMESPACES } from './namespaces.ts';
import {
  decodeXmlInput,
  decodeXmlReferences,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  guardXmlText,
  peekXmlRoot,
  type XmlGuardOptions,
  type XmlRoot,
} from './secure-xml.ts';
import { buildGeneralTree, readStrictXmlTree, type XmlNode } from './xml-tree.ts';
import type {
  ParsedVoEvent,
  VoEventCitation,
  VoEventGroup,
  VoEventInference,
  VoEventParam,
  VoEventVersion,
  VoEventWhereWhen,
} from './voevent.ts';

export type ParseVoEventOptions = XmlGuardOptions;

const ROLES = ['observation', 'test', 'utility', 'prediction'] as const;
const CITES = ['followup', 'supersedes', 'retraction'] as const;
type Role = (typeof ROLES)[number];

/* The tree (xml-tree.ts) has fast-xml-parser's shape, every element as an array: uniform access. */

// ---------------------------------------------------------------- tree access helpers

function children(node: unknown, name: string): unknown[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function child(node: unknown, name: string): unknown {
  return children(node, name)[0];
}

/** Follows a path of local names through first children. */
function path(node: unknown, ...names: string[]): unknown {
  let current = node;
  for (const name of names) {
    current = child(current, name);
    if (current === undefined) return undefined;
  }
  return current;
}

function attr(node: unknown, name: string): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as XmlNode)[`@_${name}`];
  return typeof value === 'string' ? decodeXmlReferences(value) : undefined;
}

/**
 * The element's text content (trimmed), or undefined when it has none. Character data has its
 * references decoded; CDATA sections are taken verbatim and appended.
 */
function text(node: unknown): string | undefined {
  let value = '';
  if (typeof node === 'string') value = decodeXmlReferences(node);
  else if (node !== null && typeof node === 'object') {
    const chars = (node as XmlNode)['#text'];
    if (typeof chars === 'string') value = decodeXmlReferences(chars);
    for (const section of children(node, '#cdata')) if (typeof section === 'string') value += section;
  }
  const trimmed = value.trim();
  return trimmed.length === 0 ? undefined : trimmed;
}

function texts(node: unknown, name: string): string[] {
  return children(node, name).flatMap((c) => text(c) ?? []);
}

function badValue(message: string): CoincideError {
  return new CoincideError('VOEVENT_BAD_VALUE', message);
}

// ---------------------------------------------------------------- values

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const NUMERIC_TYPES = new Set(['int', 'float', 'double', 'long', 'short', 'integer']);

/**
 * Types a Param value: an explicit dataType="string" keeps the text; a decimal number (not hex,
 * not Infinity) becomes a number unless it is an integer beyond 2^53 (kept as text, never
 * rounded); "true"/"false" (any case) become booleans; no value is null.
 */
export function typeParamValue(raw: string | null, dataType: string | undefined): ParamValue {
  if (raw === null) return null;
  const trimmed = raw.trim();
  if (dataType === 'string') return raw;
  if (trimmed.length === 0) return NUMERIC_TYPES.has(dataType ?? '') ? null : raw;
  if (DECIMAL.test(trimmed)) {
    if (INTEGER.test(trimmed) && !Number.isSafeInteger(Number(trimmed))) return trimmed;
    return Number(trimmed);
  }
  const lower = trimmed.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return raw;
}

function readParam(node: unknown): VoEventParam | undefined {
  const name = attr(node, 'name');
  if (name === undefined) return undefined;
  const rawValue = attr(node, 'value') ?? text(child(node, 'Value')) ?? null;
  const dataType = attr(node, 'dataType');
  const param: VoEventParam = { name, value: typeParamValue(rawValue, dataType), rawValue };
  const unit = attr(node, 'unit');
  const ucd = attr(node, 'ucd');
  const description = texts(node, 'Description').join('\n');
  if (unit !== undefined) param.unit = unit;
  if (ucd !== undefined) param.ucd = ucd;
  if (dataType !== undefined) param.dataType = dataType;
  if (description.length > 0) param.description = description;
  return param;
}

function readParams(node: unknown): VoEventParam[] {
  return children(node, 'Param').flatMap((p) => readParam(p) ?? []);
}

function readGroups(what: unknown): VoEventGroup[] {
  return children(what, 'Group').map((g) => {
    const group: VoEventGroup = { params: readParams(g) };
    const name = attr(g, 'name');
    const type = attr(g, 'type');
    if (name !== undefined) group.name = name;
    if (type !== undefined) group.type = type;
    return group;
  });
}

/** A coordinate: absent -> undefined; present but not a finite number -> VOEVENT_BAD_VALUE. */
function readNumber(node: unknown, label: string): number | undefined {
  const raw = text(node);
  if (raw === undefined) return undefined;
  const value = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw badValue(`${label} is not a number: "${raw}"`);
  return value;
}

// ---------------------------------------------------------------- sections

function readWhereWhen(root: unknown): VoEventWhereWhen | undefined {
  const whereWhen = child(root, 'WhereWhen');
  if (whereWhen === undefined) return undefined;
  const result: VoEventWhereWhen = {};
  const obsData = child(whereWhen, 'ObsDataLocation');
  const observatoryId = attr(child(obsData, 'ObservatoryLocation'), 'id');
  if (observatoryId !== undefined) result.observatoryLocationId = observatoryId;
  const location = child(obsData, 'ObservationLocation');
  const coords = child(location, 'AstroCoords');
  const systems = children(location, 'AstroCoordSystem');
  const wantedSystem = attr(coords, 'coord_system_id');
  const system = systems.find((s) => attr(s, 'id') === wantedSystem) ?? systems[0];
  const coordSystemId = attr(system, 'id') ?? wantedSystem;
  if (coordSystemId !== undefined) result.coordSystemId = coordSystemId;

  const isoTime = text(path(coords, 'Time', 'TimeInstant', 'ISOTime'));
  if (isoTime !== undefined) {
    const timeUnixMs = parseIsoTimeUtc(isoTime);
    if (timeUnixMs === undefined) throw badValue(`ISOTime is not a valid ISO 8601 time: "${isoTime}"`);
    result.isoTime = isoTime;
    result.timeUnixMs = timeUnixMs;
  }

  const position = child(coords, 'Position2D');
  if (position !== undefined) {
    const unit = attr(position, 'unit');
    if (unit !== undefined) result.unit = unit;
    const value2 = child(position, 'Value2');
    const ra = readNumber(child(value2, 'C1'), 'Position2D C1 (RA)');
    const dec = readNumber(child(value2, 'C2'), 'Position2D C2 (Dec)');
    const errorRadius = readNumber(child(position, 'Error2Radius'), 'Error2Radius');
    const inDegrees = unit === undefined || unit === 'deg';
    // GCN's placeholder for "no position" is RA/Dec −1, −1 (RA −1 is never a valid RA): the
    // notice is then time-only, not malformed.
    if (inDegrees && ra === -1) return result;
    if (ra !== undefined) {
      if (inDegrees && (ra < 0 || ra > 360)) throw badValue(`RA ${ra} deg is outside [0, 360]`);
      result.ra = ra;
    }
    if (dec !== undefined) {
      if (inDegrees && (dec < -90 || dec > 90)) throw badValue(`Dec ${dec} deg is outside [-90, 90]`);
      result.dec = dec;
    }
    if (errorRadius !== undefined) result.errorRadius = errorRadius;
  }
  return result;
}

function readWhy(root: unknown): ParsedVoEvent['why'] {
  const why = child(root, 'Why');
  const inferences: VoEventInference[] = children(why, 'Inference').map((node) => {
    const inference: VoEventInference = { names: texts(node, 'Name'), concepts: texts(node, 'Concept') };
    const probability = attr(node, 'probability');
    const relation = attr(node, 'relation');
    if (probability !== undefined) {
      const p = Number(probability);
      if (!DECIMAL.test(probability.trim()) || p < 0 || p > 1) {
        throw badValue(`Inference probability is not in [0, 1]: "${probability}"`);
      }
      inference.probability = p;
    }
    if (relation !== undefined) inference.relation = relation;
    return inference;
  });
  const result: ParsedVoEvent['why'] = {
    inferences,
    names: texts(why, 'Name'),
    concepts: texts(why, 'Concept'),
  };
  const importance = attr(why, 'importance');
  if (importance !== undefined) {
    const value = Number(importance);
    if (!DECIMAL.test(importance.trim()) || value < 0 || value > 1) {
      throw badValue(`Why importance is not in [0, 1]: "${importance}"`);
    }
    result.importance = value;
  }
  return result;
}

function readCitations(root: unknown): VoEventCitation[] {
  return children(child(root, 'Citations'), 'EventIVORN').map((node) => {
    // An empty EventIVORN occurs in real notices (ANTARES): kept as '' for the caller to judge.
    const ivorn = text(node) ?? '';
    const cite = attr(node, 'cite');
    if (!CITES.includes(cite as (typeof CITES)[number])) {
      throw badValue(`EventIVORN cite must be followup, supersedes or retraction, not "${cite ?? ''}"`);
    }
    return { ivorn, cite: cite as VoEventCitation['cite'] };
  });
}

function readWho(root: unknown): ParsedVoEvent['who'] {
  const who = child(root, 'Who');
  const author = child(who, 'Author');
  const result: ParsedVoEvent['who'] = {};
  const authorIvorn = text(child(who, 'AuthorIVORN'));
  const date = text(child(who, 'Date'));
  const shortName = text(child(author, 'shortName'));
  const contactName = text(child(author, 'contactName'));
  if (authorIvorn !== undefined) result.authorIvorn = authorIvorn;
  if (date !== undefined) result.date = date;
  if (shortName !== undefined) result.shortName = shortName;
  if (contactName !== undefined) result.contactName = contactName;
  return result;
}

// ---------------------------------------------------------------- root

export interface VoEventHeader {
  ivorn: string;
  role: Role;
  version: VoEventVersion;
  namespace: string;
}

/** Checks the root element is a VOEvent in a known namespace with an ivorn and a role. */
function checkRoot(root: XmlRoot): VoEventHeader {
  if (root.localName !== 'VOEvent') {
    throw new CoincideError(
      'VOEVENT_NOT_VOEVENT',
      `the root element is <${root.name}>${root.namespace ? ` in ${root.namespace}` : ''}, not a VOEvent`,
    );
  }
  let version: VoEventVersion | undefined;
  if (root.namespace === '') {
    // No namespace at all: accepted for parsing (not schema-valid); the version attribute decides.
    const declared = root.attributes.version?.trim();
    if (declared === '2.0' || declared === '1.1') version = declared;
    else throw badValue(`a VOEvent in no namespace needs version "2.0" or "1.1", not "${declared ?? ''}"`);
  } else {
    version = VOEVENT_NAMESPACES.get(root.namespace);
    if (version === undefined) {
      throw new CoincideError('VOEVENT_BAD_NAMESPACE', `unknown VOEvent namespace "${root.namespace}"`);
    }
  }
  const ivorn = root.attributes.ivorn?.trim();
  if (ivorn === undefined || ivorn.length === 0) {
    throw new CoincideError('VOEVENT_MISSING_FIELD', 'the VOEvent has no ivorn attribute');
  }
  if (!ivorn.startsWith('ivo://')) throw badValue(`the ivorn does not start with ivo://: "${ivorn}"`);
  const role = root.attributes.role?.trim();
  if (role === undefined || role.length === 0) {
    throw new CoincideError('VOEVENT_MISSING_FIELD', 'the VOEvent has no role attribute');
  }
  if (!ROLES.includes(role as Role)) {
    throw badValue(`role must be observation, test, utility or prediction, not "${role}"`);
  }
  return { ivorn, role: role as Role, version, namespace: root.namespace };
}

/**
 * The root's ivorn, role, version and namespace, read from the root start tag only (DTDs still
 * refused; the rest of the document is not checked). Same errors as parseVoEvent for the root.
 */
export function peekVoEventHeader(
  input: string | Uint8Array,
  options: ParseVoEventOptions = {},
): VoEventHeader {
  return checkRoot(peekXmlRoot(input, options));
}

/** Parses one VOEvent document. Throws CoincideError (codes in the file header of secure-xml.ts and above). */
export function parseVoEvent(input: string | Uint8Array, options: ParseVoEventOptions = {}): ParsedVoEvent {
  const text = decodeXmlInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  // One strict pass proves well-formedness and builds the tree; a document outside its subset
  // takes the full guard (its errors) and fast-xml-parser, in the order they always ran.
  const strict = readStrictXmlTree(text, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  let header: VoEventHeader;
  let tree: XmlNode;
  if (strict !== undefined) {
    header = checkRoot(strict.root);
    tree = strict.tree;
  } else {
    header = checkRoot(guardXmlText(text, options).root);
    tree = buildGeneralTree(text);
  }
  const root = child(tree, 'VOEvent');
  if (root === undefined) throw new CoincideError('VOEVENT_NOT_VOEVENT', 'no VOEvent root element');
  const what = child(root, 'What');
  const how = child(root, 'How');
  const whereWhen = readWhereWhen(root);
  const event: ParsedVoEvent = {
    version: header.version,
    namespace: header.namespace,
    ivorn: header.ivorn,
    role: header.role,
    who: readWho(root),
    whereWhen: whereWhen ?? {},
    hasWhereWhen: whereWhen !== undefined,
    params: readParams(what),
    groups: readGroups(what),
    how: {
      descriptions: texts(how, 'Description'),
      references: children(how, 'Reference').flatMap((r) => attr(r, 'uri') ?? []),
    },
    why: readWhy(root),
    citations: readCitations(root),
  };
  const description = texts(root, 'Description').join('\n');
  if (description.length > 0) event.description = description;
  return event;
}

/**
 * The parsed VOEvent: a faithful, typed view of one VOEvent 1.1 or 2.0 packet, before any
 * interpretation by a notice family. Produced by `parseVoEvent` (voevent/parse.ts);
 * consumed by the normalisers in notices/.
 */
import type { ParamValue } from '../notices/notice.ts';

export type VoEventVersion = '1.1' | '2.0';

export interface VoEventParam {
  name: string;
  /** The value, typed: number when dataType is int/float or the text is numeric, boolean for true/false, else string. */
  value: ParamValue;
  /** The value text exactly as written. */
  rawValue: string | null;
  unit?: string;
  ucd?: string;
  dataType?: string;
  description?: string;
}

export interface VoEventGroup {
  name?: string;
  type?: string;
  params: VoEventParam[];
}

export interface VoEventWhereWhen {
  /** ISOTime as written. */
  isoTime?: string;
  /** Parsed ISOTime, Unix ms (UTC; ISOTime without zone is UTC). */
  timeUnixMs?: number;
  /** Position2D/Value2 C1, C2 (RA, Dec for equatorial systems), in the stated unit (deg). */
  ra?: number;
  dec?: number;
  /** Error2Radius, in the Position2D unit (deg). */
  errorRadius?: number;
  unit?: string;
  /** AstroCoordSystem id, e.g. UTC-FK5-GEO, UTC-ICRS-TOPO, TT-ICRS-TOPO. */
  coordSystemId?: string;
  /** ObservatoryLocation id, e.g. GEOLUN. */
  observatoryLocationId?: string;
}

export interface VoEventCitation {
  ivorn: string;
  cite: 'followup' | 'supersedes' | 'retraction';
}

export interface VoEventInference {
  probability?: number;
  relation?: string;
  names: string[];
  concepts: string[];
}

export interface ParsedVoEvent {
  version: VoEventVersion;
  /** The root element's namespace URI, or '' when there is none. */
  namespace: string;
  ivorn: string;
  role: 'observation' | 'test' | 'utility' | 'prediction';
  who: { authorIvorn?: string; date?: string; shortName?: string; contactName?: string };
  /** WhereWhen's content; `{}` when the document has no WhereWhen (legal in the schema). */
  whereWhen: VoEventWhereWhen;
  /**
   * Whether the document has a WhereWhen element at all (set by parseVoEvent; see
   * requireWhereWhen in voevent/checks.ts for callers that need one).
   */
  hasWhereWhen?: boolean;
  /** Top-level What/Param elements, in document order. */
  params: VoEventParam[];
  groups: VoEventGroup[];
  how: { descriptions: string[]; references: string[] };
  why: { importance?: number; inferences: VoEventInference[]; names: string[]; concepts: string[] };
  citations: VoEventCitation[];
  description?: string;
}

/**
 * Read access to a ParsedVoEvent for the family normalisers: params by name (top level or in
 * a group, by group name or @type), typed coercions of GCN's loosely typed values, the
 * position rule of notices.md §0.5, and the fields every notice shares.
 */
import { CoincideError } from '../errors.ts';
import type { ParsedVoEvent, VoEventGroup, VoEventParam } from '../voevent/voevent.ts';
import type { NoRegion, CircleRegion, NoticeCitation, ParamValue } from './notice.ts';
import type { NoticeDraft } from './notice-build.ts';
import { parseUtcIsoMs } from './notice-time.ts';

/** The fields of a draft that come straight from the VOEvent, whatever the family. */
export type VoEventBase = Pick<
  NoticeDraft,
  'ivorn' | 'role' | 'params' | 'citations' | 'source' | 'triggerTimeMs'
>;

export class VoEventView {
  readonly event: ParsedVoEvent;
  readonly sourceSha256: string;
  /** The first param of each name, top level first, then groups in order (built on first use). */
  private firstByName: Map<string, VoEventParam> | undefined;

  constructor(event: ParsedVoEvent, sourceSha256: string) {
    this.event = event;
    this.sourceSha256 = sourceSha256;
  }

  /** The ivorn's local part (after '#'), or '' when there is none. */
  get localId(): string {
    const hash = this.event.ivorn.indexOf('#');
    return hash < 0 ? '' : this.event.ivorn.slice(hash + 1);
  }

  /** The ivorn without 'ivo://' and the local part, e.g. "nasa.gsfc.gcn/Fermi". */
  get stream(): string {
    const noScheme = this.event.ivorn.replace(/^ivo:\/\//i, '');
    const hash = noScheme.indexOf('#');
    return hash < 0 ? noScheme : noScheme.slice(0, hash);
  }

  /** A group by @name, else by @type (LVK O3 groups have only @type). */
  group(nameOrType: string): VoEventGroup | undefined {
    return (
      this.event.groups.find((g) => g.name === nameOrType) ??
      this.event.groups.find((g) => g.type === nameOrType)
    );
  }

  /** A param by name: top level first, then the first group that has it (or only `group`). */
  param(name: string, group?: string): VoEventParam | undefined {
    if (group !== undefined) return this.group(group)?.params.find((p) => p.name === name);
    // A family asks for dozens of names: one index instead of a scan (and a flattened copy of
    // every group) per question.
    let index = this.firstByName;
    if (index === undefined) {
      index = new Map();
      for (const p of this.event.params) if (!index.has(p.name)) index.set(p.name, p);
      for (const g of this.event.groups)
        for (const p of g.params) if (!index.has(p.name)) index.set(p.name, p);
      this.firstByName = index;
    }
    return index.get(name);
  }

  /** The value text, trimmed; undefined when absent or empty. */
  str(name: string, group?: string): string | undefined {
    const p = this.param(name, group);
    if (!p) return undefined;
    const text = (p.rawValue ?? (p.value === null ? '' : String(p.value))).trim();
    return text.length === 0 ? undefined : text;
  }

  /** The value as a finite number; undefined when absent or not numeric. */
  num(name: string, group?: string): number | undefined {
    const p = this.param(name, group);
    if (!p) return undefined;
    if (typeof p.value === 'number') return Number.isFinite(p.value) ? p.value : undefined;
    const text = this.str(name, group);
    if (text === undefined || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
    return Number(text);
  }

  /** true/false, True/False (SVOM), 1/0 (LVK); undefined otherwise. */
  bool(name: string, group?: string): boolean | undefined {
    const p = this.param(name, group);
    if (!p) return undefined;
    if (typeof p.value === 'boolean') return p.value;
    const text = this.str(name, group)?.toLowerCase();
    if (text === 'true' || text === '1' || text === 'yes') return true;
    if (text === 'false' || text === '0' || text === 'no') return false;
    return undefined;
  }

  get packetType(): number | undefined {
    return this.num('Packet_Type');
  }

  /** Every What param by name; group params also as "Group.Param" (bare name: first one wins). */
  allParams(): Record<string, ParamValue> {
    // A Map, then own data properties: a param may be named like an Object.prototype member
    // ("toString", "constructor", "__proto__"), which `name in {}` reported as present (the
    // param was dropped) and `out.__proto__ = v` would not have stored as a property.
    const out = new Map<string, ParamValue>();
    for (const p of this.event.params) if (!out.has(p.name)) out.set(p.name, p.value);
    for (const g of this.event.groups) {
      const groupName = g.name ?? g.type;
      for (const p of g.params) {
        if (groupName !== undefined) out.set(`${groupName}.${p.name}`, p.value);
        if (!out.has(p.name)) out.set(p.name, p.value);
      }
    }
    return Object.fromEntries(out);
  }

  /** Citations with a non-empty ivorn (ANTARES publishes an empty EventIVORN). */
  citations(): NoticeCitation[] {
    return this.event.citations
      .filter((c) => c.ivorn.trim().length > 0)
      .map((c) => ({ ivorn: c.ivorn.trim(), cite: c.cite }));
  }

  /** WhereWhen time as Unix ms; NOTICE_BAD_VALUE when the notice has none. */
  whereWhenMs(): number {
    const ww = this.event.whereWhen;
    if (ww.timeUnixMs !== undefined && Number.isFinite(ww.timeUnixMs)) return ww.timeUnixMs;
    if (ww.isoTime !== undefined) {
      const ms = parseUtcIsoMs(ww.isoTime);
      if (ms !== undefined) return ms;
      throw new CoincideError(
        'NOTICE_BAD_VALUE',
        `WhereWhen ISOTime "${ww.isoTime}" is not an ISO 8601 time`,
      );
    }
    throw new CoincideError(
      'NOTICE_BAD_VALUE',
      'the VOEvent has no WhereWhen time, so it cannot be a notice',
    );
  }

  /**
   * The WhereWhen position as a circle, following notices.md §0.5: used only when
   * Coords_Type is 1 (source_object) or absent, and Error2Radius > 0; otherwise the notice
   * is time-only (also when the radius is 180° or more: the whole sky). A present but non-numeric coordinate is an error, never a silent "none".
   */
  circle(containment: number, systematicIncluded: boolean, radiusDeg?: number): CircleRegion | NoRegion {
    const ww = this.event.whereWhen;
    if (ww.ra === undefined && ww.dec === undefined) return { type: 'none' };
    const coordsType = this.num('Coords_Type');
    if (coordsType !== undefined && coordsType !== 1) return { type: 'none' };
    // GCN's "unavailable/inappropriate" Coords_String: the WhereWhen values are placeholders.
    if (/unavailable|inappropriate/i.test(this.str('Coords_String') ?? '')) return { type: 'none' };
    const ra = ww.ra ?? NaN;
    const dec = ww.dec ?? NaN;
    const radius = radiusDeg ?? ww.errorRadius ?? NaN;
    for (const [label, v] of [
      ['RA', ra],
      ['Dec', dec],
      ['Error2Radius', radius],
    ] as const) {
      if (!Number.isFinite(v)) throw new CoincideError('NOTICE_BAD_VALUE', `${label} is not a finite number`);
    }
    if (ww.unit !== undefined && ww.unit !== 'deg') {
      throw new CoincideError('NOTICE_BAD_VALUE', `Position2D unit "${ww.unit}" is not deg`);
    }
    // 0 (GBM Alert, SPI-ACS, FOM_Obs), −1 (SVOM GRM) and 360 (SNEWS: the whole sky) carry no
    // localisation: the notice is then time-only.
    if (radius <= 0 || radius >= 180) return { type: 'none' };
    return { type: 'circle', raDeg: ra, decDeg: dec, radiusDeg: radius, containment, systematicIncluded };
  }

  /** The fields every family takes from the VOEvent unchanged. */
  base(): VoEventBase {
    const date = this.event.who.date;
    const issued = date === undefined ? undefined : parseUtcIsoMs(date);
    return {
      ivorn: this.event.ivorn,
      role: this.event.role,
      params: this.allParams(),
      citations: this.citations(),
      source: { format: 'voevent', sha256: this.sourceSha256 },
      triggerTimeMs: this.whereWhenMs(),
      ...(issued === undefined ? {} : { issuedTimeMs: issued }),
    };
  }

  /** True when the notice retracts what it cites (cite="retraction"). */
  citesRetraction(): boolean {
    return this.event.citations.some((c) => c.cite === 'retraction');
  }
}

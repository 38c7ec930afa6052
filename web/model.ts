/**
 * The console's state, without the DOM (tested in Node): stream records in, list items out.
 *
 * Every notice version is one item; when a later version of its trigger arrives it is marked
 * superseded, and a retraction marks every version of the trigger retracted. A coincidence is
 * one item per pair id: a later record of the pair (re-scored, or withdrawn) updates it in place.
 * `apply` returns what changed, so that the views update those rows only. Records may come in
 * any order (the console loads the newest page first, then older pages, while the stream brings
 * new ones): the state is the same as if they had come in seq order.
 */
import type { RegionFacts } from '../src/plot/console-frame.ts';

/** A notice's region: its centre and size (src/plot/console-frame.ts's RegionFacts), containment, sky-map URL. */
export interface RegionLike extends RegionFacts {
  type: 'circle' | 'ellipse' | 'skymap' | 'none';
  containment?: number;
  url?: string;
}

export interface NoticeLike {
  ivorn: string;
  role: string;
  messenger: string;
  observatory: string;
  instrument: string;
  noticeType: string;
  triggerId: string;
  eventName?: string;
  alertType: string;
  revision?: number;
  triggerTime: string;
  issuedTime?: string;
  region: RegionLike;
  farHz?: number;
  pAstro?: number;
  classification?: string;
  mock?: boolean;
  flags?: string[];
  [key: string]: unknown;
}

export interface SideLike {
  triggerId?: string;
  ivorn?: string;
  messenger?: string;
  observatory?: string;
  noticeType?: string;
  triggerTime?: string;
  survey?: string;
  objectId?: string;
  alertId?: string;
  raDeg?: number;
  decDeg?: number;
}

export interface CoincidenceLike {
  id: string;
  status: 'candidate' | 'withdrawn';
  pairType: string;
  role: string;
  trigger: SideLike & { triggerId: string };
  counterpart: SideLike;
  separationDeg: number | null;
  credibleLevel?: number;
  dtSeconds: number;
  pChance: number;
  farHz?: number;
  tier: string | null;
  /** Triples (pairType mm-mm-optical): the other triggers of the messenger pair. */
  partners?: Array<SideLike & { triggerId: string }>;
  /** Triples: the ids of the pair records the triple was built from. */
  pairIds?: string[];
  provenance: {
    window: { startSec: number; endSec: number };
    rates: Record<string, number>;
    formulaVersion: string;
    [key: string]: unknown;
  };
  explanation?: string;
  [key: string]: unknown;
}

export interface StreamRecord {
  seq: number;
  type: 'notice' | 'coincidence' | 'withdrawn' | 'heartbeat';
  data: unknown;
  /** /console/records only: a notice's circle or ellipse as path data in the sky view (src/plot/console-frame.ts). */
  outline?: string;
}

export interface NoticeItem {
  key: string;
  kind: 'notice';
  seq: number;
  notice: NoticeLike;
  superseded: boolean;
  retracted: boolean;
  /** The region's outline as the server drew it, when it did. */
  outline?: string;
}

export interface CoincidenceItem {
  key: string;
  kind: 'coincidence';
  seq: number;
  coincidence: CoincidenceLike;
}

export type Item = NoticeItem | CoincidenceItem;

export interface Change {
  op: 'add' | 'update';
  item: Item;
}

export interface Filters {
  messengers: string[];
  tiers: string[];
  roles: string[];
  observatories: string[];
  showTests: boolean;
}

export const EMPTY_FILTERS: Filters = {
  messengers: [],
  tiers: [],
  roles: [],
  observatories: [],
  showTests: false,
};

export function isOptical(side: SideLike): boolean {
  return side.survey !== undefined;
}

/** A triple: a messenger pair (trigger and partners) and an optical object. */
export function isTriple(c: CoincidenceLike): boolean {
  return c.pairType === 'mm-mm-optical';
}

/** Every trigger of a record: its trigger, a messenger counterpart, a triple's partners. */
export function triggerIdsOf(c: CoincidenceLike): string[] {
  const ids = [c.trigger.triggerId];
  if (c.counterpart.triggerId !== undefined) ids.push(c.counterpart.triggerId);
  for (const p of c.partners ?? []) ids.push(p.triggerId);
  return ids;
}

/** Test events: role test, mock events, test submissions. Hidden unless asked for. */
export function isTestNotice(n: NoticeLike): boolean {
  return (
    n.role === 'test' ||
    n.mock === true ||
    (n.flags ?? []).some(
      (f) => f === 'test-submission' || f === 'internal-test' || f === 'hardware-injection',
    )
  );
}

export class ConsoleModel {
  /** Items by key. */
  readonly items = new Map<string, Item>();
  /** Notice items of each trigger, oldest first. */
  readonly byTrigger = new Map<string, NoticeItem[]>();
  /** Coincidence items whose trigger, counterpart or partner (triples) is each trigger. */
  readonly coincidencesByTrigger = new Map<string, CoincidenceItem[]>();
  lastSeq = 0;

  apply(record: StreamRecord): Change[] {
    if (record.seq > this.lastSeq) this.lastSeq = record.seq;
    if (record.type === 'notice')
      return this.applyNotice(record.seq, record.data as NoticeLike, record.outline);
    if (record.type === 'coincidence' || record.type === 'withdrawn') {
      return this.applyCoincidence(record.seq, record.data as CoincidenceLike);
    }
    return [];
  }

  private applyNotice(seq: number, notice: NoticeLike, outline: string | undefined): Change[] {
    const key = `n:${seq}`;
    // A record seen before (a page's related notices come again with their own page).
    if (this.items.has(key)) return [];
    const item: NoticeItem = {
      key,
      kind: 'notice',
      seq,
      notice,
      superseded: false,
      retracted: notice.alertType === 'retraction',
      ...(outline === undefined ? {} : { outline }),
    };
    const versions = this.byTrigger.get(notice.triggerId) ?? [];
    // Versions stay in seq order: the console loads the newest records first, older pages later.
    let at = versions.length;
    while (at > 0 && (versions[at - 1]?.seq ?? 0) > seq) at -= 1;
    versions.splice(at, 0, item);
    this.byTrigger.set(notice.triggerId, versions);
    this.items.set(key, item);
    const retracted = versions.some((v) => v.retracted);
    const changes: Change[] = [];
    versions.forEach((version, index) => {
      const superseded = index < versions.length - 1;
      if (version === item) {
        item.superseded = superseded;
        item.retracted = retracted;
      } else if (version.superseded !== superseded || version.retracted !== retracted) {
        version.superseded = superseded;
        version.retracted = retracted;
        changes.push({ op: 'update', item: version });
      }
    });
    changes.push({ op: 'add', item });
    return changes;
  }

  private applyCoincidence(seq: number, c: CoincidenceLike): Change[] {
    const key = `c:${c.id}`;
    const existing = this.items.get(key);
    if (existing?.kind === 'coincidence') {
      // An older record of the pair (from an older page) changes nothing.
      if (existing.seq >= seq) return [];
      existing.coincidence = c;
      existing.seq = seq;
      return [{ op: 'update', item: existing }];
    }
    const item: CoincidenceItem = { key, kind: 'coincidence', seq, coincidence: c };
    this.items.set(key, item);
    for (const triggerId of triggerIdsOf(c)) {
      const list = this.coincidencesByTrigger.get(triggerId) ?? [];
      list.push(item);
      this.coincidencesByTrigger.set(triggerId, list);
    }
    return [{ op: 'add', item }];
  }

  /** Every item, newest first. */
  newestFirst(): Item[] {
    return [...this.items.values()].sort((a, b) => b.seq - a.seq);
  }

  /** The latest version of each trigger. */
  latestNotices(): NoticeItem[] {
    const out: NoticeItem[] = [];
    for (const versions of this.byTrigger.values()) {
      const last = versions.at(-1);
      if (last) out.push(last);
    }
    return out;
  }

  isRetracted(triggerId: string): boolean {
    return (this.byTrigger.get(triggerId) ?? []).some((v) => v.retracted);
  }
}

const anyOf = (wanted: string[], values: Array<string | undefined>): boolean =>
  wanted.length === 0 || values.some((v) => v !== undefined && wanted.includes(v.toLowerCase()));

export function matchesFilters(item: Item, f: Filters): boolean {
  if (item.kind === 'notice') {
    const n = item.notice;
    if (!f.showTests && isTestNotice(n)) return false;
    return (
      f.tiers.length === 0 &&
      anyOf(f.messengers, [n.messenger]) &&
      anyOf(f.roles, [n.role]) &&
      anyOf(f.observatories, [n.observatory])
    );
  }
  const c = item.coincidence;
  if (!f.showTests && c.role === 'test') return false;
  const other = c.counterpart;
  const partners = c.partners ?? [];
  return (
    anyOf(f.messengers, [
      c.trigger.messenger,
      isOptical(other) ? 'optical' : other.messenger,
      ...partners.map((p) => p.messenger),
    ]) &&
    anyOf(f.observatories, [
      c.trigger.observatory,
      isOptical(other) ? other.survey : other.observatory,
      ...partners.map((p) => p.observatory),
    ]) &&
    anyOf(f.roles, [c.role]) &&
    anyOf(f.tiers, [c.tier ?? undefined])
  );
}

const LIST_PARAMS = ['messenger', 'tier', 'role', 'observatory'] as const;
const FILTER_KEY = {
  messenger: 'messengers',
  tier: 'tiers',
  role: 'roles',
  observatory: 'observatories',
} as const;

/** Filters from the page URL's query (?messenger=gw,gamma&tier=gold&tests=1). */
export function filtersFromQuery(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters: Filters = { ...EMPTY_FILTERS, showTests: params.get('tests') === '1' };
  for (const name of LIST_PARAMS) {
    const values = params
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== '');
    filters[FILTER_KEY[name]] = values;
  }
  return filters;
}

/** The page URL's query for these filters ('' when none). */
export function filtersToQuery(f: Filters): string {
  const params = new URLSearchParams();
  for (const name of LIST_PARAMS) {
    const values = f[FILTER_KEY[name]];
    if (values.length > 0) params.set(name, values.join(','));
  }
  if (f.showTests) params.set('tests', '1');
  const text = params.toString().replace(/%2C/g, ',');
  return text === '' ? '' : `?${text}`;
}

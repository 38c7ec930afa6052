/**
 * The console's state, without the DOM (tested in Node): stream records in, list items out.
 *
 * Every notice version is one item; when a later version of its trigger arrives it is marked
 * superseded, and a retraction marks every version of the trigger retracted. A coincidence is
 * one item per pair id: a later record of the pair (re-scored, or withdrawn) updates it in place.
 * `apply` returns what changed, so that the views update those rows only.
 */

export interface RegionLike {
  type: 'circle' | 'ellipse' | 'skymap' | 'none';
  raDeg?: number;
  decDeg?: number;
  radiusDeg?: number;
  semiMajorDeg?: number;
  semiMinorDeg?: number;
  posAngleDeg?: number;
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
}

export interface NoticeItem {
  key: string;
  kind: 'notice';
  seq: number;
  notice: NoticeLike;
  superseded: boolean;
  retracted: boolean;
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
    if (record.type === 'notice') return this.applyNotice(record.seq, record.data as NoticeLike);
    if (record.type === 'coincidence' || record.type === 'withdrawn') {
      return this.applyCoincidence(record.seq, record.data as CoincidenceLike);
    }
    return [];
  }

  private applyNotice(seq: number, notice: NoticeLike): Change[] {
    const item: NoticeItem = {
      key: `n:${seq}`,
      kind: 'notice',
      seq,
      notice,
      superseded: false,
      retracted: notice.alertType === 'retraction',
    };
    const changes: Change[] = [];
    const versions = this.byTrigger.get(notice.triggerId) ?? [];
    const retracted = item.retracted || versions.some((v) => v.retracted);
    item.retracted = retracted;
    for (const older of versions) {
      if (!older.superseded || older.retracted !== retracted) {
        older.superseded = true;
        older.retracted = retracted;
        changes.push({ op: 'update', item: older });
      }
    }
    versions.push(item);
    this.byTrigger.set(notice.triggerId, versions);
    this.items.set(item.key, item);
    changes.push({ op: 'add', item });
    return changes;
  }

  private applyCoincidence(seq: number, c: CoincidenceLike): Change[] {
    const key = `c:${c.id}`;
    const existing = this.items.get(key);
    if (existing?.kind === 'coincidence') {
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

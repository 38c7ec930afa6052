/**
 * The console's compact records: a notice without its `params`, citations, source and sky-map
 * URL, a coincidence without its
 * `provenance`, `explanation`, separation and delay, and with only what the list and the sky read
 * of its trigger, partners and counterpart (the trigger page reads the full records from /v1), as the JSON text `{"seq","type","data"}`. With 10,000 coincidences this is
 * about a third of the bytes to send and parse (bench/console.ts). A notice's circle or ellipse
 * comes drawn, as `"outline"`: SVG path data in the console's sky view (src/plot/console-frame.ts),
 * so that the browser does not project every stored region at each load.
 *
 * Compacting is a JSON.parse and a JSON.stringify per record (and a projection per notice),
 * most of the cost of a console load, so each record's compact text is kept in memory by seq
 * (outbox records never change once written), and the newest records are compacted in the
 * background at start-up, so that the first console load after a restart finds them ready.
 */
import { consoleRegionOutline, type RegionFacts } from '../../plot/console-frame.ts';
import type { Outbox, OutboxMessageType, OutboxQuery, OutboxRecord } from '../../sinks/outbox.ts';

/** What the list and the sky read of a notice (not its params, citations, source, sky-map URL). */
const NOTICE_KEPT = [
  'ivorn',
  'role',
  'messenger',
  'observatory',
  'instrument',
  'noticeType',
  'triggerId',
  'eventName',
  'alertType',
  'revision',
  'triggerTime',
  'issuedTime',
  'region',
  'farHz',
  'pAstro',
  'classification',
  'mock',
  'flags',
];
/** A region without its sky map's URL (a `data:` URI can be megabytes; the sky view asks for the contours). */
const REGION_KEPT = [
  'type',
  'raDeg',
  'decDeg',
  'radiusDeg',
  'semiMajorDeg',
  'semiMinorDeg',
  'posAngleDeg',
  'containment',
];
/** What the list and the sky read of a coincidence (not its provenance, explanation, separation, delay). */
const COINCIDENCE_KEPT = [
  'id',
  'status',
  'pairType',
  'role',
  'trigger',
  'counterpart',
  'partners',
  'pChance',
  'farHz',
  'tier',
];
/** What the list and the sky read of a coincidence's trigger and partners. */
const TRIGGER_KEPT = ['triggerId', 'messenger', 'observatory', 'noticeType', 'eventName', 'triggerTime'];
/** What the list and the sky read of a counterpart (an optical object, or another trigger). */
const COUNTERPART_KEPT = [
  'survey',
  'objectId',
  'raDeg',
  'decDeg',
  'triggerId',
  'messenger',
  'observatory',
  'noticeType',
  'eventName',
  'triggerTime',
];

export const CONSOLE_TYPES: readonly OutboxMessageType[] = ['notice', 'coincidence', 'withdrawn'];

function pick(value: unknown, names: readonly string[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const side = value as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const name of names) if (side[name] !== undefined) kept[name] = side[name];
  return kept;
}

function compactCoincidence(data: Record<string, unknown>): Record<string, unknown> {
  const out = pick(data, COINCIDENCE_KEPT) as Record<string, unknown>;
  if (out.trigger !== undefined) out.trigger = pick(out.trigger, TRIGGER_KEPT);
  if (out.counterpart !== undefined) out.counterpart = pick(out.counterpart, COUNTERPART_KEPT);
  if (Array.isArray(out.partners)) out.partners = out.partners.map((p) => pick(p, TRIGGER_KEPT));
  return out;
}

function compactNotice(data: Record<string, unknown>): Record<string, unknown> {
  const out = pick(data, NOTICE_KEPT) as Record<string, unknown>;
  if (out.region !== undefined) out.region = pick(out.region, REGION_KEPT);
  return out;
}

/** A stored notice's region outline; none for sky maps, none when the region is malformed. */
function outlineOf(region: unknown): string | undefined {
  if (region === null || typeof region !== 'object') return undefined;
  try {
    return consoleRegionOutline(region as RegionFacts);
  } catch {
    return undefined;
  }
}

const idOf = (side: unknown): string | undefined => {
  const id = (side as { triggerId?: unknown } | null | undefined)?.triggerId;
  return typeof id === 'string' ? id : undefined;
};

/** The triggers a record is about: a notice's own; a coincidence's trigger, counterpart and partners. */
function triggerIdsOf(type: OutboxMessageType, data: Record<string, unknown>): string[] {
  const ids: Array<string | undefined> =
    type === 'notice'
      ? [idOf(data)]
      : [
          idOf(data.trigger),
          idOf(data.counterpart),
          ...(Array.isArray(data.partners) ? data.partners.map(idOf) : []),
        ];
  return ids.filter((id): id is string => id !== undefined);
}

export interface CompactRecord {
  seq: number;
  type: OutboxMessageType;
  /** `{"seq","type","data"}` with the compact data. */
  text: string;
  /** The triggers it is about (see triggerIdsOf). */
  triggerIds: string[];
}

/** How many compacted records are kept in memory (more than the console loads, MAX_RECORDS in web/main.ts). */
export const COMPACT_CACHE_RECORDS = 50_000;

export interface CompactRecords {
  /** The record compacted (from the cache when it was compacted before). */
  get(record: OutboxRecord): CompactRecord;
  /** The record of this seq if it was compacted before (and is still kept). */
  peek(seq: number): CompactRecord | undefined;
  readonly size: number;
}

export function createCompactRecords(capacity = COMPACT_CACHE_RECORDS): CompactRecords {
  const cache = new Map<number, CompactRecord>();
  let highestSeq = 0;
  return {
    get(record) {
      const cached = cache.get(record.seq);
      if (cached !== undefined) return cached;
      const data = JSON.parse(record.json) as Record<string, unknown>;
      const compact = record.type === 'notice' ? compactNotice(data) : compactCoincidence(data);
      const outline = record.type === 'notice' ? outlineOf(data.region) : undefined;
      const out: CompactRecord = {
        seq: record.seq,
        type: record.type,
        text:
          `{"seq":${record.seq},"type":"${record.type}","data":${JSON.stringify(compact)}` +
          `${outline === undefined ? '' : `,"outline":${JSON.stringify(outline)}`}}`,
        triggerIds: triggerIdsOf(record.type, data),
      };
      highestSeq = Math.max(highestSeq, record.seq);
      if (cache.size >= capacity) {
        // The oldest records go first: keep the newest half (seqs are dense in the outbox).
        const keepFrom = highestSeq - Math.floor(capacity / 2);
        for (const seq of cache.keys()) if (seq < keepFrom) cache.delete(seq);
        if (cache.size >= capacity) cache.clear();
      }
      cache.set(record.seq, out);
      return out;
    },
    peek: (seq) => cache.get(seq),
    get size() {
      return cache.size;
    },
  };
}

/**
 * The triggers that a page's coincidences name (trigger, counterpart, partners) and that have no
 * notice in the page: those whose latest older notice the console's first page brings along.
 */
export function triggersWithoutNotice(page: readonly CompactRecord[]): Set<string> {
  const have = new Set<string>();
  for (const r of page) if (r.type === 'notice') for (const id of r.triggerIds) have.add(id);
  const wanted = new Set<string>();
  for (const r of page) {
    if (r.type === 'notice') continue;
    for (const id of r.triggerIds) if (!have.has(id)) wanted.add(id);
  }
  return wanted;
}

/** The query of the latest notice before `beforeSeq` of each of these triggers (for a token without limits). */
export function latestNoticesQuery(triggerIds: ReadonlySet<string>, beforeSeq: number): OutboxQuery {
  return {
    types: ['notice'],
    triggerIds: [...triggerIds],
    latestPerTrigger: true,
    beforeSeq,
    limit: triggerIds.size,
  };
}

/** Yields to the event loop (requests are served meanwhile). */
const nextTurn = (): Promise<void> =>
  new Promise<void>((resolve) => {
    setImmediate(resolve);
  });

/**
 * The records of the console's first call (`firstPage` newest, and the latest older notice of
 * each trigger they name without one), compacted first: after a restart that call is the first
 * to come, and the notices it brings along are the outbox's oldest records, which the warm-up
 * would reach last (their outlines are most of compacting's cost: 0.4-0.8 ms each, cold).
 */
async function warmFirstPage(
  outbox: Outbox,
  compact: CompactRecords,
  firstPage: number,
  chunk: number,
): Promise<void> {
  const page = outbox.query({ types: CONSOLE_TYPES, newestFirst: true, limit: firstPage });
  const compacted: CompactRecord[] = [];
  for (let from = 0; from < page.length; from += chunk) {
    for (const record of page.slice(from, from + chunk)) compacted.push(compact.get(record));
    await nextTurn();
  }
  const oldest = page.at(-1);
  const wanted = triggersWithoutNotice(compacted);
  if (oldest === undefined || wanted.size === 0) return;
  const notices = outbox.query(latestNoticesQuery(wanted, oldest.seq));
  for (let from = 0; from < notices.length; from += chunk) {
    for (const record of notices.slice(from, from + chunk)) compact.get(record);
    await nextTurn();
  }
}

/**
 * Compacts the newest `maxRecords` records of the outbox into `compact`, `chunk` at a time,
 * newest first, yielding to the event loop between chunks (requests are served meanwhile); with
 * `firstPage`, the records of the console's first call before them (warmFirstPage). Stops early
 * when `signal` aborts or the outbox fails (the database closed at shutdown). Resolves with how
 * many of the newest records it compacted.
 */
export async function warmCompactRecords(
  outbox: Outbox,
  compact: CompactRecords,
  options: { maxRecords: number; chunk?: number; signal?: AbortSignal; firstPage?: number },
): Promise<number> {
  const chunk = options.chunk ?? 250;
  if (options.firstPage !== undefined && options.firstPage > 0) {
    try {
      await warmFirstPage(outbox, compact, options.firstPage, chunk);
    } catch {
      return 0;
    }
  }
  let beforeSeq: number | undefined;
  let done = 0;
  while (done < options.maxRecords && options.signal?.aborted !== true) {
    let page: OutboxRecord[];
    try {
      page = outbox.query({
        types: CONSOLE_TYPES,
        newestFirst: true,
        limit: Math.min(chunk, options.maxRecords - done),
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
      });
    } catch {
      return done;
    }
    for (const record of page) compact.get(record);
    done += page.length;
    const last = page.at(-1);
    if (last === undefined || page.length < chunk) return done;
    beforeSeq = last.seq;
    await nextTurn();
  }
  return done;
}

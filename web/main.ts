/**
 * The web console (served by `coincide serve` at /): asks once for an API token and keeps it in
 * localStorage; loads the newest stored notices and coincidences and shows them, then follows the
 * stream (no handshake, resuming after the newest seq loaded) while the older pages load in the
 * background; shows the live list and the sky; /triggers/{id} is the page of one trigger.
 * Filters live in the URL (?messenger=gw&tier=gold&tests=1).
 */
import { RefusedError, TOKEN_KEY, getJson, getOk, jsonBody, openStream, type Answer } from './api.ts';
import type { ConsoleStatus } from './console-status.ts';
import { el } from './dom.ts';
import { FIRST_PAGE_PATH } from './first-page.ts';
import { encodeSeqListWithin } from '../src/text/seq-list.ts';
import { createListView } from './list-view.ts';
import {
  ConsoleModel,
  filtersFromQuery,
  filtersToQuery,
  isOptical,
  matchesFilters,
  type Change,
  type CoincidenceItem,
  type CoincidenceLike,
  type Filters,
  type NoticeItem,
  type StreamRecord,
} from './model.ts';
import { createSkyView, type SkyContours, type SkyView } from './sky-view.ts';
import { renderTriggerPage } from './trigger-page.ts';

declare global {
  interface Window {
    /** For tests and the benchmark (see ConsoleStatus). */
    coincideConsole?: ConsoleStatus;
  }
}

const app = document.getElementById('app') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

function askForToken(message: string): void {
  const input = el('input', {
    type: 'password',
    id: 'token',
    placeholder: 'cct_…',
    autocomplete: 'off',
    size: '50',
  });
  const form = el(
    'form',
    { id: 'token-form' },
    el('p', {}, message),
    el(
      'p',
      {},
      'Make one on the server with ',
      el('code', {}, 'npx coincide tokens create --name me'),
      ' and paste it here (it stays in this browser).',
    ),
    input,
    el('button', { type: 'submit' }, 'Use token'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem(TOKEN_KEY, input.value.trim());
    void start();
  });
  app.replaceChildren(form);
  status.textContent = 'no token';
}

function filterBar(filters: Filters, onChange: (f: Filters) => void): HTMLElement {
  const field = (
    name: keyof Omit<Filters, 'showTests'>,
    label: string,
    placeholder: string,
  ): HTMLLabelElement => {
    const input = el('input', { name, value: filters[name].join(','), placeholder, size: '14' });
    input.addEventListener('change', () => {
      const values = input.value
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== '');
      onChange({ ...filters, [name]: values });
    });
    return el('label', {}, `${label} `, input);
  };
  const tests = el('input', { type: 'checkbox', name: 'tests' });
  tests.checked = filters.showTests;
  tests.addEventListener('change', () => {
    onChange({ ...filters, showTests: tests.checked });
  });
  return el(
    'form',
    { class: 'filters' },
    field('messengers', 'messenger', 'gw,gamma'),
    field('tiers', 'tier', 'gold,silver'),
    field('roles', 'role', 'observation'),
    field('observatories', 'observatory', 'LVK,Fermi'),
    el('label', {}, tests, ' show tests'),
  );
}

function counterpartPosition(
  model: ConsoleModel,
  c: CoincidenceLike,
): { raDeg: number; decDeg: number } | undefined {
  const other = c.counterpart;
  if (isOptical(other) && other.raDeg !== undefined && other.decDeg !== undefined) {
    return { raDeg: other.raDeg, decDeg: other.decDeg };
  }
  const notice =
    other.triggerId === undefined ? undefined : model.byTrigger.get(other.triggerId)?.at(-1)?.notice;
  const r = notice?.region;
  return r?.raDeg !== undefined && r.decDeg !== undefined ? { raDeg: r.raDeg, decDeg: r.decDeg } : undefined;
}

/**
 * The older records (up to MAX_RECORDS) come in one call, asked for as soon as the first page has
 * come; they are shown this many at a time, the browser drawing and answering the user between.
 */
const OLDER_CHUNK = 2500;
/** The most records the console loads (the newest); older ones are on the trigger pages and /v1. */
const MAX_RECORDS = 20_000;

interface RecordsPage {
  /** Newest first. */
  records: StreamRecord[];
  related: StreamRecord[];
  /** Whether there are older records (the next page is not empty). */
  more: boolean;
  /** The next page's beforeSeq: the page's oldest seq, sent or skipped. */
  nextBeforeSeq: number | null;
}

/** The most characters of the older call's `skip` list (a request head may take 16 KiB). */
const MAX_SKIP_CHARS = 8000;

/**
 * A page of the newest records before `beforeSeq`, with only what the list and sky read
 * (src/http/routes/console-records.ts), without those named in `skip`.
 */
function fetchPage(token: string, limit: number, beforeSeq: number, skip: string): Promise<Answer> {
  const query = `limit=${limit}&beforeSeq=${beforeSeq}${skip === '' ? '' : `&skip=${skip}`}`;
  return getOk(`/console/records?${query}`, token);
}

/** A page's body, parsed, with the times it took (see jsonBody). */
function pageBody(answer: Answer): Promise<{ body: RecordsPage; waitMs: number; bodyMs: number }> {
  return jsonBody(answer) as Promise<{ body: RecordsPage; waitMs: number; bodyMs: number }>;
}

/**
 * The older records' call: the newest records before `beforeSeq`, up to MAX_RECORDS covered in
 * all, without those named in `skip` (held already), and how many it covers.
 */
function fetchOlder(
  token: string,
  covered: number,
  more: boolean,
  beforeSeq: number | null | undefined,
  skip = '',
): { answer: Promise<Answer>; limit: number } | undefined {
  if (!more || beforeSeq === null || beforeSeq === undefined || covered >= MAX_RECORDS) return undefined;
  const limit = MAX_RECORDS - covered;
  const answer = fetchPage(token, limit, beforeSeq, skip);
  // Awaited later (after the first screen): a failure must not be reported as unhandled meanwhile.
  answer.catch(() => undefined);
  return { answer, limit };
}

/** Lets the browser paint and handle input before the next chunk of work. */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, 0);
  });
}

/** Applies records oldest first (a page comes newest first) and returns what changed. */
function applyAll(model: ConsoleModel, records: readonly StreamRecord[]): Change[] {
  const changes: Change[] = [];
  for (const record of [...records].sort((a, b) => a.seq - b.seq)) changes.push(...model.apply(record));
  return changes;
}

async function showConsole(token: string): Promise<void> {
  const startedMs = performance.now();
  // The newest page, with the notices of the triggers its coincidences name (their regions and
  // positions); the older pages come in the background once it is shown.
  const { body: first, waitMs, bodyMs } = await pageBody(await getOk(FIRST_PAGE_PATH, token));
  const fetchedMs = performance.now();
  // The older records are asked for at once: the server answers while the first screen is built,
  // and their body is parsed once it is painted. The related notices came with the first page:
  // they are not sent again.
  const older = fetchOlder(
    token,
    first.records.length,
    first.more,
    first.nextBeforeSeq ?? first.records.at(-1)?.seq,
    encodeSeqListWithin(
      first.related.map((r) => r.seq),
      MAX_SKIP_CHARS,
    ),
  );
  let filters = filtersFromQuery(location.search);
  const model = new ConsoleModel();
  applyAll(model, [...first.related, ...first.records]);
  const modelMs = performance.now();

  const skyBox = el('div', { id: 'sky' });
  const reset = el('button', { type: 'button', id: 'whole-sky' }, 'whole sky');
  const body = el('tbody', { id: 'rows' });
  const table = el(
    'table',
    { id: 'list' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['what', 'trigger', 'trigger time', 'age', 'tier', 'pChance', 'FAR / region', 'state'].map((h) =>
          el('th', {}, h),
        ),
      ),
    ),
    body,
  );
  const sky: SkyView = createSkyView(skyBox, (triggerId) => {
    sky.zoomTo(triggerId);
  });
  const list = createListView(body, (triggerId) => {
    sky.zoomTo(triggerId);
  });
  const bar = filterBar(filters, (next) => {
    filters = next;
    history.replaceState(null, '', `/${filtersToQuery(filters)}`);
    list.render(model.newestFirst(), filters);
    drawSky();
  });
  app.replaceChildren(el('div', { class: 'toolbar' }, bar, reset), skyBox, table);
  reset.addEventListener('click', () => {
    sky.resetZoom();
  });

  const contoursLoaded = new Set<string>();
  /** Fetches a sky-map trigger's contours once per version. */
  const loadContours = (triggerId: string, latest: NoticeItem): void => {
    if (latest.notice.region.type === 'skymap' && !contoursLoaded.has(latest.key) && !latest.retracted) {
      contoursLoaded.add(latest.key);
      void getJson<SkyContours>(`/v1/notices/${encodeURIComponent(triggerId)}/sky.json`, token)
        .then((contours) => {
          sky.setContours(triggerId, contours);
        })
        .catch(() => undefined);
    }
  };
  const drawTrigger = (triggerId: string): void => {
    const latest = model.byTrigger.get(triggerId)?.at(-1);
    if (!latest) return;
    const hidden = !matchesFilters(latest, filters);
    sky.setNotice(latest.notice, { retracted: latest.retracted, hidden }, latest.outline);
    loadContours(triggerId, latest);
  };
  const drawCoincidence = (c: CoincidenceLike, key: string): void => {
    const item = model.items.get(key);
    sky.setCoincidence(
      c,
      counterpartPosition(model, c),
      item === undefined || !matchesFilters(item, filters),
    );
  };
  /**
   * Draws the regions of these triggers (their latest versions) and the markers of these
   * coincidences, and of the pairs whose other messenger is one of these triggers (they are
   * marked at its region: those loaded before it now can be). Returns the regions' time.
   */
  function drawOnSky(
    triggerIds: Iterable<string>,
    coincidences: Map<string, CoincidenceItem>,
    markersWhen: 'now' | 'later' = 'now',
  ): number {
    const regionsStarted = performance.now();
    const regionList = [];
    for (const triggerId of triggerIds) {
      const latest = model.byTrigger.get(triggerId)?.at(-1);
      if (!latest) continue;
      regionList.push({
        notice: latest.notice,
        retracted: latest.retracted,
        hidden: !matchesFilters(latest, filters),
        ...(latest.outline === undefined ? {} : { outline: latest.outline }),
      });
      loadContours(triggerId, latest);
      for (const item of model.coincidencesByTrigger.get(triggerId) ?? []) coincidences.set(item.key, item);
    }
    sky.setNotices(regionList);
    const regionsMs = performance.now() - regionsStarted;
    const batch = [];
    for (const item of coincidences.values()) {
      const c = item.coincidence;
      batch.push({ c, position: counterpartPosition(model, c), hidden: !matchesFilters(item, filters) });
    }
    sky.setCoincidences(batch, markersWhen);
    return regionsMs;
  }
  /** Everything loaded (the first render, a filter change). */
  function drawSky(): number {
    const coincidences = new Map<string, CoincidenceItem>();
    for (const item of model.items.values())
      if (item.kind === 'coincidence') coincidences.set(item.key, item);
    return drawOnSky(model.byTrigger.keys(), coincidences);
  }
  /** What changed (a part of the older records): the triggers and coincidences it brought; markers drawn later (sky.drawMarkers). */
  function drawChanges(changes: readonly Change[]): number {
    const triggers = new Set<string>();
    const coincidences = new Map<string, CoincidenceItem>();
    for (const { item } of changes) {
      if (item.kind === 'notice') triggers.add(item.notice.triggerId);
      else coincidences.set(item.key, item);
    }
    return drawOnSky(triggers, coincidences, 'later');
  }

  list.render(model.newestFirst(), filters);
  const listMs = performance.now();
  const regionsMs = drawSky();
  const skyMs = performance.now();
  const parts = {
    answer: waitMs,
    body: bodyMs,
    model: modelMs - fetchedMs,
    list: listMs - modelMs,
    skyRegions: regionsMs,
    skyMarkers: skyMs - listMs - regionsMs,
  };
  const firstRecords = model.items.size;
  status.textContent = 'connecting';

  const onChanges = (changes: Change[]): void => {
    list.apply(changes, filters);
    for (const { item } of changes) {
      if (item.kind === 'notice') drawTrigger(item.notice.triggerId);
      else drawCoincidence(item.coincidence, item.key);
    }
  };
  openStream(
    token,
    model.lastSeq,
    (record) => {
      onChanges(model.apply(record));
      if (window.coincideConsole) window.coincideConsole.live += 1;
    },
    (state) => {
      status.textContent = state;
    },
  );
  setInterval(() => {
    list.tick();
  }, 10_000);
  // The first screen is on screen when the frame after it has been painted.
  const painted = nextPaint().then(() => {
    const renderedMs = performance.now();
    window.coincideConsole = {
      parts: { ...parts, paint: renderedMs - skyMs },
      renderedMs,
      renderMs: renderedMs - startedMs,
      firstRecords,
      records: model.items.size,
      live: 0,
      markers: () => sky.markers(),
    };
  });
  await painted;
  const complete = await loadOlderPages(first.records.length, older, (page) => {
    const started = performance.now();
    const changes = applyAll(model, page);
    const modelEnded = performance.now();
    list.apply(changes, filters);
    const listEnded = performance.now();
    const pageRegionsMs = drawChanges(changes);
    const ended = performance.now();
    return {
      model: modelEnded - started,
      list: listEnded - modelEnded,
      skyRegions: pageRegionsMs,
      skyMarkers: ended - listEnded - pageRegionsMs,
    };
  }).finally(() => {
    // Their markers, drawn once at the next frame.
    sky.drawMarkers();
  });
  await nextPaint();
  if (window.coincideConsole) {
    window.coincideConsole.complete = { ...complete, renderedMs: performance.now() };
    window.coincideConsole.records = model.items.size;
  }

  /**
   * The older records (normally one call: `answer`), each call's records shown OLDER_CHUNK at a
   * time, newest first, yielding to the browser between chunks (the stream goes on meanwhile);
   * stops at MAX_RECORDS or the first record. Returns how many calls and records, and the parts'
   * totals.
   */
  async function loadOlderPages(
    firstCovered: number,
    call: ReturnType<typeof fetchOlder>,
    show: (records: readonly StreamRecord[]) => Record<string, number>,
  ): Promise<{ pages: number; chunks: number; records: number; parts: Record<string, number> }> {
    const totals: Record<string, number> = {};
    const add = (parts: Record<string, number>): void => {
      for (const [part, ms] of Object.entries(parts)) totals[part] = (totals[part] ?? 0) + ms;
    };
    let covered = firstCovered;
    let pages = 0;
    let chunks = 0;
    let next = call;
    while (next !== undefined) {
      const { body: page, waitMs: pageWaitMs, bodyMs: pageBodyMs } = await pageBody(await next.answer);
      // A page with more after it was full: it covered `limit` records, skipped ones included.
      covered += next.limit;
      next = fetchOlder(token, covered, page.more, page.nextBeforeSeq ?? page.records.at(-1)?.seq);
      add({ answer: pageWaitMs, body: pageBodyMs });
      for (let from = 0; from < page.records.length; from += OLDER_CHUNK) {
        if (from > 0) await yieldToBrowser();
        add(show(page.records.slice(from, from + OLDER_CHUNK)));
        chunks += 1;
      }
      pages += 1;
      if (window.coincideConsole) window.coincideConsole.records = model.items.size;
    }
    return { pages, chunks, records: model.items.size, parts: totals };
  }
}

/** Resolves once the next frame has been painted (what is drawn now is then on screen). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      setTimeout(resolve, 0);
    });
  });
}

async function start(): Promise<void> {
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) {
    askForToken('This console needs an API token.');
    return;
  }
  try {
    const match = /^\/triggers\/(.+)$/.exec(location.pathname);
    if (match?.[1] !== undefined) {
      await renderTriggerPage(app, decodeURIComponent(match[1]), token);
      status.textContent = 'trigger';
    } else await showConsole(token);
  } catch (error) {
    if (error instanceof RefusedError) {
      localStorage.removeItem(TOKEN_KEY);
      askForToken(
        'The server refused the token (revoked, mistyped, or without the notices/coincidences scopes).',
      );
      return;
    }
    status.textContent = `error: ${String(error)}`;
  }
}

void start();

/**
 * The web console (served by `coincide serve` at /): asks once for an API token and keeps it in
 * localStorage; loads the stored notices and coincidences, then follows the stream (no handshake,
 * resuming after the last seq loaded); shows the live list and the sky; /triggers/{id} is the
 * page of one trigger. Filters live in the URL (?messenger=gw&tier=gold&tests=1).
 */
import { RefusedError, TOKEN_KEY, getJson, openStream } from './api.ts';
import { el } from './dom.ts';
import { createListView } from './list-view.ts';
import {
  ConsoleModel,
  filtersFromQuery,
  filtersToQuery,
  isOptical,
  matchesFilters,
  type Change,
  type CoincidenceLike,
  type Filters,
  type NoticeItem,
  type StreamRecord,
} from './model.ts';
import { createSkyView, type SkyContours, type SkyView } from './sky-view.ts';
import { renderTriggerPage } from './trigger-page.ts';

declare global {
  interface Window {
    /** For tests and the benchmark: when the first full render finished (performance.now() ms) and how long it took. */
    coincideConsole?: {
      renderedMs: number;
      renderMs: number;
      /** Parts of renderMs: fetching and parsing, the model, the list, the sky. */
      parts: Record<string, number>;
      records: number;
      live: number;
    };
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

async function showConsole(token: string): Promise<void> {
  const startedMs = performance.now();
  // The records of /v1/notices and /v1/coincidences with only what the list and sky read
  // (src/http/routes/console-records.ts).
  const { notices, coincidences } = await getJson<{
    notices: StreamRecord[];
    coincidences: StreamRecord[];
  }>('/console/records?limit=10000', token);
  const fetchedMs = performance.now();
  let filters = filtersFromQuery(location.search);
  const model = new ConsoleModel();
  for (const record of [...notices, ...coincidences].sort((a, b) => a.seq - b.seq)) model.apply(record);
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
    sky.setNotice(latest.notice, { retracted: latest.retracted, hidden });
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
  let regionsMs = 0;
  function drawSky(): void {
    const regionsStarted = performance.now();
    const regionList = [];
    for (const [triggerId, versions] of model.byTrigger) {
      const latest = versions.at(-1);
      if (!latest) continue;
      regionList.push({
        notice: latest.notice,
        retracted: latest.retracted,
        hidden: !matchesFilters(latest, filters),
      });
      loadContours(triggerId, latest);
    }
    sky.setNotices(regionList);
    regionsMs = performance.now() - regionsStarted;
    const batch = [];
    for (const item of model.items.values()) {
      if (item.kind !== 'coincidence') continue;
      const c = item.coincidence;
      batch.push({ c, position: counterpartPosition(model, c), hidden: !matchesFilters(item, filters) });
    }
    sky.setCoincidences(batch);
  }

  list.render(model.newestFirst(), filters);
  const listMs = performance.now();
  drawSky();
  const skyMs = performance.now();
  const renderMs = skyMs - startedMs;
  window.coincideConsole = {
    parts: {
      fetch: fetchedMs - startedMs,
      model: modelMs - fetchedMs,
      list: listMs - modelMs,
      skyRegions: regionsMs,
      skyMarkers: skyMs - listMs - regionsMs,
    },
    renderedMs: performance.now(),
    renderMs,
    records: notices.length + coincidences.length,
    live: 0,
  };
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

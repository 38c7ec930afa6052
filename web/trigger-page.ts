/**
 * The page of one trigger (/triggers/{triggerId}): every version with what changed, the
 * retraction, the region's figures (50/90 % areas, distance), its picture, its coincidences with
 * tier, pChance, FAR and the provenance of the figures (src/join/explain.ts's sections), links out, and downloads (JSON, original VOEvent).
 */
import { getBlob, getJson } from './api.ts';
import { el, link } from './dom.ts';
import {
  coincidenceTitle,
  describeRegion,
  formatFar,
  formatPChance,
  formatTime,
  noticeChanges,
  noticeLinks,
  opticalLinks,
} from './format.ts';
import { explanationView } from './explanation-view.ts';
import {
  isOptical,
  isTriple,
  triggerIdsOf,
  type CoincidenceLike,
  type NoticeLike,
  type StreamRecord,
} from './model.ts';

interface NoticeSkyJson {
  kind: string;
  areasDeg2?: Record<string, number>;
  distanceMpc?: { mean: number; std: number };
}

function download(label: string, path: string, token: string, filename: string): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'download' }, label);
  button.addEventListener('click', () => {
    void getBlob(path, token).then((blob) => {
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: filename });
      a.click();
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 1000);
    });
  });
  return button;
}

export async function renderTriggerPage(
  container: HTMLElement,
  triggerId: string,
  token: string,
): Promise<void> {
  const id = encodeURIComponent(triggerId);
  const [versions, records] = await Promise.all([
    getJson<NoticeLike[]>(`/v1/notices/${id}`, token),
    getJson<StreamRecord[]>(`/v1/coincidences?limit=10000`, token),
  ]);
  const sky = await getJson<NoticeSkyJson>(`/v1/notices/${id}/sky.json`, token).catch(() => undefined);
  const latest = versions.at(-1);
  if (!latest) {
    container.replaceChildren(el('p', {}, `No notice for ${triggerId}.`));
    return;
  }
  const byId = new Map<string, CoincidenceLike>();
  /** Every record by id (the pair records a triple links to may belong to another trigger's page). */
  const allById = new Map<string, CoincidenceLike>();
  for (const r of records) {
    const c = r.data as CoincidenceLike;
    allById.set(c.id, c);
    if (triggerIdsOf(c).includes(triggerId)) byId.set(c.id, c);
  }
  /** Links to the pair records of a triple: on this page when they are this trigger's, else on theirs. */
  const pairLinks = (c: CoincidenceLike): Array<HTMLElement | string> =>
    (c.pairIds ?? []).flatMap((pid) => {
      const pair = allById.get(pid);
      const label = pair ? coincidenceTitle(pair) : pid;
      const href =
        byId.has(pid) || !pair
          ? `#${encodeURIComponent(pid)}`
          : `/triggers/${encodeURIComponent(pair.trigger.triggerId)}#${encodeURIComponent(pid)}`;
      return [el('a', { href, class: 'pair-link' }, label), ' '];
    });
  const retraction = versions.find((v) => v.alertType === 'retraction');
  const figures: string[] = [];
  if (sky?.areasDeg2) {
    for (const [level, area] of Object.entries(sky.areasDeg2))
      figures.push(`${level} % area ${area.toPrecision(3)} deg²`);
  }
  if (sky?.distanceMpc)
    figures.push(`distance ${sky.distanceMpc.mean.toFixed(0)} ± ${sky.distanceMpc.std.toFixed(0)} Mpc`);
  figures.push(describeRegion(latest.region));

  const history = el(
    'table',
    { class: 'history' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'revision'),
        el('th', {}, 'issued'),
        el('th', {}, 'type'),
        el('th', {}, 'what changed'),
        el('th', {}, 'VOEvent'),
      ),
    ),
    el(
      'tbody',
      {},
      ...versions.map((v, i) =>
        el(
          'tr',
          { class: v.alertType === 'retraction' ? 'retracted' : i < versions.length - 1 ? 'superseded' : '' },
          el('td', {}, String(v.revision ?? i + 1)),
          el('td', {}, v.issuedTime ? formatTime(v.issuedTime) : '—'),
          el('td', {}, `${v.noticeType} (${v.alertType})`),
          el('td', {}, noticeChanges(versions[i - 1], v).join('; ')),
          el(
            'td',
            {},
            download(
              'VOEvent',
              `/v1/events/${encodeURIComponent(v.ivorn)}`,
              token,
              `${v.ivorn.replace(/[^\w.-]+/g, '_')}.xml`,
            ),
          ),
        ),
      ),
    ),
  );
  const coincidences = el(
    'div',
    { class: 'coincidences' },
    ...[...byId.values()].map((c) =>
      el(
        'section',
        {
          class: `coincidence${c.status === 'withdrawn' ? ' withdrawn' : ''} tier-${c.tier ?? 'none'}`,
          id: c.id,
        },
        el(
          'h3',
          {},
          isTriple(c) ? el('span', { class: 'messenger m-triple' }, 'triple') : '',
          isTriple(c) ? ' ' : '',
          coincidenceTitle(c),
          el('span', { class: 'tier' }, ` ${c.tier ?? 'no tier'}`),
          c.status === 'withdrawn' ? ' (withdrawn)' : '',
        ),
        el(
          'p',
          {},
          `pChance ${formatPChance(c.pChance)} · joint FAR ${formatFar(c.farHz)} · Δt ${c.dtSeconds.toFixed(1)} s`,
        ),
        explanationView(c),
        ...(isTriple(c) ? [el('p', { class: 'pairs' }, 'built from the pairs: ', ...pairLinks(c))] : []),
        el(
          'p',
          { class: 'links' },
          ...(isOptical(c.counterpart) ? opticalLinks(c.counterpart) : []).flatMap((l) => [
            link(l.label, l.href),
            ' ',
          ]),
        ),
        el('img', {
          class: 'picture',
          alt: `sky picture of ${c.id}`,
          loading: 'lazy',
          src: `/v1/notices/${encodeURIComponent(c.trigger.triggerId)}/coincidences/${encodeURIComponent(c.id)}/skymap.svg?token=${encodeURIComponent(token)}`,
        }),
      ),
    ),
  );
  container.replaceChildren(
    el('p', {}, el('a', { href: '/' }, '← all triggers')),
    el(
      'h2',
      { class: retraction ? 'retracted' : '' },
      `${latest.eventName ?? triggerId} · ${latest.observatory} ${latest.messenger}`,
      retraction ? ' — RETRACTED' : '',
    ),
    el(
      'p',
      {},
      `trigger time ${formatTime(latest.triggerTime)} · ${versions.length} version(s) · ${figures.join(' · ')}`,
    ),
    el(
      'p',
      { class: 'links' },
      ...noticeLinks(latest).flatMap((l) => [link(l.label, l.href), ' ']),
      download('JSON', `/v1/notices/${id}`, token, `${triggerId.replace(/[^\w.-]+/g, '_')}.json`),
      ' ',
      download(
        'original VOEvent',
        `/v1/events/${encodeURIComponent(latest.ivorn)}`,
        token,
        `${triggerId.replace(/[^\w.-]+/g, '_')}.xml`,
      ),
    ),
    el('img', {
      class: 'picture',
      alt: `sky picture of ${triggerId}`,
      src: `/v1/notices/${id}/skymap.svg?token=${encodeURIComponent(token)}`,
    }),
    el('h3', {}, 'Versions'),
    history,
    el('h3', {}, `Coincidences (${byId.size})`),
    coincidences,
  );
}

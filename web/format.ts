/**
 * Text of the console, without the DOM (tested in Node): ages, probabilities, rates, links out,
 * what changed between two versions of a notice, and a coincidence's provenance in words.
 */
import { isOptical, type CoincidenceLike, type NoticeLike, type RegionLike, type SideLike } from './model.ts';

const SECONDS_PER_YEAR = 365.25 * 86400;

/** "12 s", "5 min", "3.2 h", "4.0 d" ago. */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${(s / 60).toFixed(0)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** "2025-01-01 10:00:00.12 UTC". */
export function formatTime(iso: string): string {
  return iso
    .replace('T', ' ')
    .replace(/(\.\d{2})\d*Z$/, '$1 UTC')
    .replace(/Z$/, ' UTC');
}

export function formatPChance(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p === 0 ? '0' : p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}

/** A false-alarm rate (Hz) as "1 per 3.2 yr" and the rate itself. */
export function formatFar(farHz: number | undefined): string {
  if (farHz === undefined || !Number.isFinite(farHz)) return '—';
  if (farHz <= 0) return '0';
  const years = 1 / (farHz * SECONDS_PER_YEAR);
  const per =
    years >= 1
      ? `1 per ${years.toPrecision(2)} yr`
      : years * 365.25 >= 1
        ? `1 per ${(years * 365.25).toPrecision(2)} d`
        : `${(farHz * 86400).toPrecision(2)} per day`;
  return `${per} (${farHz.toExponential(1)} Hz)`;
}

export function describeRegion(r: RegionLike): string {
  switch (r.type) {
    case 'circle':
      return `circle ${fmt(r.raDeg)}, ${fmt(r.decDeg)} r=${fmt(r.radiusDeg)}°`;
    case 'ellipse':
      return `ellipse ${fmt(r.raDeg)}, ${fmt(r.decDeg)} ${fmt(r.semiMajorDeg)}°×${fmt(r.semiMinorDeg)}°`;
    case 'skymap':
      return 'sky map';
    case 'none':
      return 'no position';
  }
}

function fmt(value: number | undefined): string {
  return value === undefined ? '?' : Number(value.toFixed(3)).toString();
}

export interface Link {
  label: string;
  href: string;
}

/** Where else to look at a trigger: GCN (circulars by event name), GraceDB for LVK. */
export function noticeLinks(n: NoticeLike): Link[] {
  const links: Link[] = [];
  const name = n.eventName ?? n.triggerId.replace(/^[^:]*:/, '');
  links.push({
    label: 'GCN circulars',
    href: `https://gcn.nasa.gov/circulars?query=${encodeURIComponent(name)}`,
  });
  if (n.observatory.toLowerCase() === 'lvk') {
    const superevent = n.eventName ?? n.triggerId.replace(/^LVK:/i, '');
    links.push({
      label: 'GraceDB',
      href: `https://gracedb.ligo.org/superevents/${encodeURIComponent(superevent)}/view/`,
    });
  }
  return links;
}

/** An optical counterpart's object pages (Fink, ALeRCE for ZTF, Fink LSST for Rubin) and TNS at its position. */
export function opticalLinks(side: SideLike): Link[] {
  const links: Link[] = [];
  const id = encodeURIComponent(side.objectId ?? '');
  if (side.survey?.toLowerCase() === 'ztf') {
    links.push({ label: 'Fink', href: `https://fink-portal.org/${id}` });
    links.push({ label: 'ZTF (ALeRCE)', href: `https://alerce.online/object/${id}` });
  } else if (side.survey !== undefined) {
    links.push({ label: 'Rubin (Fink LSST)', href: `https://lsst.fink-portal.org/${id}` });
  }
  if (side.raDeg !== undefined && side.decDeg !== undefined) {
    links.push({
      label: 'TNS',
      href: `https://www.wis-tns.org/search?ra=${side.raDeg}&decl=${side.decDeg}&radius=5&coords_unit=arcsec`,
    });
  }
  return links;
}

function show(value: string | number | undefined): string {
  return value === undefined ? '—' : String(value);
}

const COMPARED: Array<[string, (n: NoticeLike) => string | number | undefined]> = [
  ['alert type', (n) => n.alertType],
  ['revision', (n) => n.revision],
  ['region', (n) => describeRegion(n.region)],
  ['sky map', (n) => (n.region.type === 'skymap' ? n.region.url : undefined)],
  ['FAR', (n) => (n.farHz === undefined ? undefined : formatFar(n.farHz))],
  ['pAstro', (n) => n.pAstro],
  ['class', (n) => n.classification],
  ['event name', (n) => n.eventName],
  ['notice type', (n) => n.noticeType],
  ['flags', (n) => (n.flags ?? []).join(', ') || undefined],
];

/** What changed from one version of a trigger to the next, e.g. ["alert type: preliminary → initial"]. */
export function noticeChanges(previous: NoticeLike | undefined, current: NoticeLike): string[] {
  if (!previous) return ['first version'];
  const changes: string[] = [];
  for (const [label, get] of COMPARED) {
    const a = show(get(previous));
    const b = show(get(current));
    if (a !== b) changes.push(`${label}: ${a} → ${b}`);
  }
  return changes.length > 0 ? changes : ['no change in the compared fields'];
}

export function counterpartName(c: CoincidenceLike): string {
  const other = c.counterpart;
  return isOptical(other) ? `${other.survey ?? ''} ${other.objectId ?? ''}`.trim() : (other.triggerId ?? '?');
}

/** "trigger × counterpart", or for a triple "trigger × partner × object". */
export function coincidenceTitle(c: CoincidenceLike): string {
  return [c.trigger.triggerId, ...(c.partners ?? []).map((p) => p.triggerId), counterpartName(c)].join(' × ');
}

/**
 * The provenance of a score in words: the server's explanation when the record carries one
 * (`coincide explain`), else the fields themselves.
 */
export function provenanceWords(c: CoincidenceLike): string {
  if (typeof c.explanation === 'string' && c.explanation !== '') return c.explanation;
  const p = c.provenance;
  const rates = Object.entries(p.rates)
    .map(([name, value]) => `${name} = ${value.toPrecision(3)}`)
    .join(', ');
  const where =
    c.credibleLevel !== undefined
      ? `at the ${(c.credibleLevel * 100).toFixed(1)} % credible level of the trigger's sky map`
      : c.separationDeg !== null
        ? `${c.separationDeg.toFixed(2)}° from the trigger's position`
        : 'with no position to compare';
  return (
    `${counterpartName(c)} came ${c.dtSeconds.toFixed(1)} s after ${c.trigger.triggerId}, ${where}, inside the window ` +
    `[${p.window.startSec}, ${p.window.endSec}] s. Chance probability ${formatPChance(c.pChance)}` +
    (c.farHz === undefined ? '' : `, joint FAR ${formatFar(c.farHz)}`) +
    `${c.tier ? `, tier ${c.tier}` : ', no tier'}; rates: ${rates || 'none'}; formula ${p.formulaVersion}.`
  );
}

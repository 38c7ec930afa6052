/**
 * The few facts of a notice or a coincidence that a chat line or an SMS shows, shared by the
 * slack and text formats: what happened (kind, tier), the trigger and its counterpart, pChance,
 * FAR, and the console's links (the trigger page and the sky-map picture).
 *
 * Links: `<publicBaseUrl>/triggers/<urlencoded triggerId>` (the console's trigger page) and
 * `<publicBaseUrl>/v1/notices/<urlencoded triggerId>/skymap.svg` (its sky-map picture), the
 * latter only where the trigger has a localisation. No links without webhooks' publicBaseUrl.
 */
import type { Coincidence, OpticalSummary, TriggerSummary } from '../join/coincidence.ts';
import type { Notice } from '../notices/notice.ts';

export interface SideSummary {
  /** Trigger id (multi-messenger side) or object id (optical side). */
  id: string;
  messenger: string;
  observatory: string;
  /** The notice type of a trigger, or the survey's alert id of an optical candidate. */
  detail: string;
}

export interface MessageSummary {
  kind: 'notice' | 'coincidence' | 'withdrawn';
  /** Notice, test or other non-observation role; shown as a prefix. */
  role: string;
  tier: string | null;
  trigger: SideSummary;
  counterpart?: SideSummary;
  triggerTime: string;
  eventName?: string;
  alertType?: string;
  pChance?: number;
  farHz?: number;
  dtSeconds?: number;
  separationDeg?: number | null;
  triggerPageUrl?: string;
  skymapUrl?: string;
}

const isOptical = (side: OpticalSummary | TriggerSummary): side is OpticalSummary => 'survey' in side;

function side(s: OpticalSummary | TriggerSummary): SideSummary {
  return isOptical(s)
    ? { id: s.objectId, messenger: 'optical', observatory: s.survey, detail: s.alertId }
    : { id: s.triggerId, messenger: s.messenger, observatory: s.observatory, detail: s.noticeType };
}

function links(
  baseUrl: string,
  triggerId: string,
  hasRegion: boolean,
): Pick<MessageSummary, 'triggerPageUrl' | 'skymapUrl'> {
  if (baseUrl === '') return {};
  const base = baseUrl.replace(/\/+$/, '');
  const id = encodeURIComponent(triggerId);
  return {
    triggerPageUrl: `${base}/triggers/${id}`,
    ...(hasRegion ? { skymapUrl: `${base}/v1/notices/${id}/skymap.svg` } : {}),
  };
}

export function summariseNotice(notice: Notice, publicBaseUrl: string): MessageSummary {
  return {
    kind: 'notice',
    role: notice.role,
    tier: null,
    trigger: {
      id: notice.triggerId,
      messenger: notice.messenger,
      observatory: notice.observatory,
      detail: notice.noticeType,
    },
    triggerTime: notice.triggerTime,
    ...(notice.eventName === undefined ? {} : { eventName: notice.eventName }),
    alertType: notice.alertType,
    ...(notice.farHz === undefined ? {} : { farHz: notice.farHz }),
    ...links(publicBaseUrl, notice.triggerId, notice.region.type !== 'none'),
  };
}

export function summariseCoincidence(c: Coincidence, publicBaseUrl: string): MessageSummary {
  // An optical pair always matched a localisation; an mm-mm pair had one where it has a separation.
  const hasRegion = c.pairType === 'mm-optical' || c.separationDeg !== null;
  return {
    kind: c.status === 'withdrawn' ? 'withdrawn' : 'coincidence',
    role: c.role,
    tier: c.tier,
    trigger: side(c.trigger),
    counterpart: side(c.counterpart),
    triggerTime: c.trigger.triggerTime,
    pChance: c.pChance,
    ...(c.farHz === undefined ? {} : { farHz: c.farHz }),
    dtSeconds: c.dtSeconds,
    separationDeg: c.separationDeg,
    ...links(publicBaseUrl, c.trigger.triggerId, hasRegion),
  };
}

/** A probability or rate with 3 significant digits (exponent form below 0.001). */
export function formatSmall(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3 ? value.toExponential(2) : value.toPrecision(3);
}

export function formatSigned(value: number, digits: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

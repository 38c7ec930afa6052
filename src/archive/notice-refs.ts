/**
 * What links a notice to other triggers, as (kind, value) pairs: two triggers that share a pair
 * belong to one astrophysical event (src/archive/event-groups.ts).
 *
 * Identities of the notice ('self'):
 *   ivorn    its own ivorn;
 *   trigger  its trigger id (e.g. Fermi:524666471);
 *   name     its public event name, lowercased without spaces (S230518h, GRB 170817A).
 * References to other triggers ('ref'):
 *   ivorn    VOEvent Citations (every cite kind), LVK `External_Ivorn` (VOEvent) and
 *            `external_coinc.ivorn` (igwn.gwalert JSON): the external trigger of a RAVEN coincidence;
 *   trigger  LVK `External_Observatory` + `External_GCN_Notice_Id` (or external_coinc's), as the
 *            trigger id the notice parsers give that observatory's notices ("Fermi:524666471");
 *   name     GCN JSON `ref_ID` (a FollowUp of an LVK event, e.g. IceCube's LVK track search).
 */
import type { Notice, ParamValue } from '../notices/notice.ts';

export type RefKind = 'ivorn' | 'trigger' | 'name';

export interface NoticeRef {
  kind: RefKind;
  value: string;
  role: 'self' | 'ref';
}

export function normaliseName(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

function text(value: ParamValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const t = String(value).trim();
  return t === '' ? undefined : t;
}

export function noticeRefs(notice: Notice): NoticeRef[] {
  const refs: NoticeRef[] = [
    { kind: 'ivorn', value: notice.ivorn, role: 'self' },
    { kind: 'trigger', value: notice.triggerId, role: 'self' },
  ];
  if (notice.eventName !== undefined && notice.eventName.trim() !== '')
    refs.push({ kind: 'name', value: normaliseName(notice.eventName), role: 'self' });
  for (const citation of notice.citations) refs.push({ kind: 'ivorn', value: citation.ivorn, role: 'ref' });
  const p = notice.params;
  for (const key of ['External_Ivorn', 'external_coinc.ivorn']) {
    const ivorn = text(p[key]);
    if (ivorn !== undefined) refs.push({ kind: 'ivorn', value: ivorn, role: 'ref' });
  }
  for (const [observatoryKey, idKey] of [
    ['External_Observatory', 'External_GCN_Notice_Id'],
    ['external_coinc.observatory', 'external_coinc.gcn_notice_id'],
  ] as const) {
    const observatory = text(p[observatoryKey]);
    const id = text(p[idKey]);
    if (observatory !== undefined && id !== undefined)
      refs.push({ kind: 'trigger', value: `${observatory}:${id}`, role: 'ref' });
  }
  const refId = text(p.ref_ID);
  if (refId !== undefined) refs.push({ kind: 'name', value: normaliseName(refId), role: 'ref' });
  // One row per (kind, value): a reference to itself adds nothing.
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.kind}\u0000${r.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

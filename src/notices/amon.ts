/**
 * AMON coincidence and monitor streams (`ivo://nasa.gsfc.gcn/AMON#…` other than IceCube),
 * notices.md §10.
 *
 * - NU_EM_COINC (172): neutrino–EM coincidences. src_err_90/src_err_50 are in arcmin and
 *   the WhereWhen Error2Radius (deg) is src_err_50: containment 0.5.
 * - HAWC_BURST_MONITOR (171): Error2Radius = src_err_90: containment 0.9.
 * - TEST_Event (159): role=test.
 * FAR is in yr⁻¹ and becomes Hz. Retraction: P[retraction] = 1, RetractFlag or Retraction.
 */
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { perYearToHz, trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

function normaliseAmon(view: VoEventView): Notice {
  const pt = view.packetType;
  const isHawc = pt === 171 || view.localId.startsWith('HAWC_');
  const isNuEm = pt === 172 || view.localId.startsWith('NU_EM_');
  const runId = view.str('Run_ID') ?? view.str('run_id');
  const eventId = view.str('Event_ID') ?? view.str('event_id') ?? view.str('TrigID');
  const streamName = isHawc ? 'HAWC' : isNuEm ? 'NU_EM' : gcnNoticeTypeName(pt, view.localId);
  const stream = view.str('Stream') ?? view.str('stream');
  const triggerId =
    eventId === undefined
      ? `AMON:${view.localId}`
      : `AMON:${streamName}_${stream ?? 0}_${Number(runId ?? 0)}_${Number(eventId)}`;
  const flags = trueFlags(view, [
    ['RetractFlag', 'retraction'],
    ['Retraction', 'retraction'],
    ['Test', 'test'],
    ['InternalTest', 'internal-test'],
  ]);
  if (view.num('retraction') === 1 && !flags.includes('retraction')) flags.push('retraction');
  const rev = view.num('Rev') ?? view.num('rev');
  let alertType: AlertType = rev === undefined || rev === 0 ? 'initial' : 'update';
  if (flags.includes('retraction')) alertType = 'retraction';
  const farPerYear = view.num('FAR');
  const base = view.base();
  const eventName = view.str('Event_Date');
  return finishNotice({
    ...base,
    messenger: isHawc ? 'gamma' : 'neutrino',
    observatory: isHawc ? 'HAWC' : 'AMON',
    instrument: isHawc ? 'HAWC' : streamName,
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId,
    ...(eventName === undefined ? {} : { eventName }),
    alertType,
    revision: rev,
    region: view.circle(isNuEm ? 0.5 : 0.9, false),
    ...(farPerYear === undefined ? {} : { farHz: perYearToHz(farPerYear) }),
    mock: base.role === 'test' || flags.includes('test') || flags.includes('internal-test'),
    ...(flags.length > 0 ? { flags: [...new Set(flags)] } : {}),
  });
}

export const amonFamily: VoEventFamily = {
  name: 'amon',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/amon',
  normalise: normaliseAmon,
};

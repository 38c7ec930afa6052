/**
 * SVOM VOEvents (`ivo://org.svom/fsc#<Burst_Id>_<type>`), notices.md §5.
 *
 * Packet types (SVOM's own codes): 201 grm-trigger, 202 eclairs-wakeup, 203 eclairs-catalog
 * (known flaring source), 204 slewing, 205 not-slewing, 209 mxt-initial_qfN,
 * 210 mxt-update_qfN, 219 retraction. One burst is threaded by Burst_Id
 * (`G[Svom_Identifiers]/Burst_Id`), which is the trigger id.
 * - GRM often has no Position2D, or Error2Radius −1: then it is time-only.
 * - ECLAIRs, MXT and VT radii are R90 including systematics (GCN SVOM page).
 * - The ISOTime differs per instrument (MXT gives its own observation time).
 * - The retraction (219) keeps role=observation and cites the retracted notices with
 *   cite="retraction".
 * - Slew decisions become flags: Slew_Status accepted/rejected/not_requested and the
 *   slewing / not-slewing packet types.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { AlertType, Messenger, Notice } from './notice.ts';
import type { VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const SVOM_CONTAINMENT = 0.9;

const INITIAL_TYPES = new Set([201, 202, 203]);

const MESSENGERS: Readonly<Record<string, Messenger>> = {
  GRM: 'gamma',
  ECLAIRS: 'gamma',
  MXT: 'xray',
  VT: 'optical',
};

function svomInstrument(view: VoEventView, noticeType: string): string {
  const stated = view.str('Instrument');
  if (stated !== undefined) return stated;
  const prefix = noticeType.split('-')[0]?.toUpperCase();
  if (prefix === 'GRM' || prefix === 'MXT' || prefix === 'VT') return prefix;
  return 'ECLAIRs';
}

function normaliseSvom(view: VoEventView): Notice {
  const underscore = view.localId.indexOf('_');
  const burstId = view.str('Burst_Id') ?? (underscore > 0 ? view.localId.slice(0, underscore) : undefined);
  if (burstId === undefined) throw new CoincideError('NOTICE_BAD_VALUE', 'the SVOM notice has no Burst_Id');
  const noticeType = underscore > 0 ? view.localId.slice(underscore + 1) : view.localId;
  const pt = view.packetType;
  const instrument = svomInstrument(view, noticeType);
  const flags: string[] = [];
  const slew = view.str('Slew_Status');
  if (slew !== undefined) flags.push(`slew-${slew.toLowerCase().replace(/_/g, '-')}`);
  if (pt === 204 || noticeType === 'slewing') flags.push('slewing');
  if (pt === 205 || noticeType === 'not-slewing') flags.push('not-slewing');
  if (view.bool('Within_ECLAIRs_R90') === true) flags.push('within-eclairs-r90');
  let alertType: AlertType = INITIAL_TYPES.has(pt ?? -1) ? 'initial' : 'update';
  if (pt === 219 || noticeType === 'retraction' || view.citesRetraction()) alertType = 'retraction';
  const base = view.base();
  return finishNotice({
    ...base,
    messenger: MESSENGERS[instrument.toUpperCase()] ?? 'gamma',
    observatory: 'SVOM',
    instrument,
    noticeType,
    triggerId: `SVOM:${burstId}`,
    alertType,
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(SVOM_CONTAINMENT, true),
    mock: base.role === 'test',
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const svomFamily: VoEventFamily = {
  name: 'svom',
  matches: (view) => view.stream.toLowerCase() === 'org.svom/fsc',
  normalise: normaliseSvom,
};

/**
 * Fermi LAT VOEvents (`ivo://nasa.gsfc.gcn/Fermi#LAT_…`), notices.md §2.
 *
 * Initial_Pos (120) then Updated_Pos (121, cites 120); Offline_Pos (128) carries a different
 * TrigID for the same burst; Monitor (125) reports a flaring source, not a burst. The time is
 * the WhereWhen ISOTime: Burst_TJD/SOD and the ivorn date are garbage in the 2026 samples.
 * The notice does not state the containment of Error2Radius; LAT reports quote positions
 * as "90 % containment, statistical error only", which is what is recorded here. The trigger
 * id is namespaced "Fermi-LAT:" because LAT and GBM trigger numbers are both mission elapsed
 * seconds and could coincide for two different triggers.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const LAT_CONTAINMENT = 0.9;

const ALERT_TYPES: Readonly<Record<number, AlertType>> = { 121: 'update', 128: 'update' };

function normaliseFermiLat(view: VoEventView): Notice {
  const trigId = view.str('TrigID');
  if (trigId === undefined) throw new CoincideError('NOTICE_BAD_VALUE', 'the Fermi LAT notice has no TrigID');
  const pt = view.packetType;
  const flags = trueFlags(view, [
    ['Def_NOT_a_GRB', 'not-a-grb'],
    ['Test_Submission', 'test-submission'],
  ]);
  const base = view.base();
  const sourceName = view.str('SourceName');
  return finishNotice({
    ...base,
    messenger: 'gamma',
    observatory: 'Fermi',
    instrument: 'LAT',
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId: `Fermi-LAT:${trigId}`,
    ...(sourceName === undefined ? {} : { eventName: sourceName }),
    alertType: flags.includes('not-a-grb') ? 'retraction' : (ALERT_TYPES[pt ?? -1] ?? 'initial'),
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(LAT_CONTAINMENT, false),
    mock: base.role === 'test' || flags.includes('test-submission'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const fermiLatFamily: VoEventFamily = {
  name: 'fermi-lat',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/fermi' && view.localId.startsWith('LAT_'),
  normalise: normaliseFermiLat,
};

/**
 * INTEGRAL VOEvents (`ivo://nasa.gsfc.gcn/INTEGRAL#…`), notices.md §4.
 *
 * Wakeup (53), Refined (54, cites Wakeup), Offline (55), Weak (56), SPI-ACS (52, no
 * position), Point_Dir (51, utility). The trigger id is the number in the ivorn
 * (`Refined_Pos_010042-1-942` -> 10042): the params' TrigID differs between versions of one
 * trigger (Refined 75578 vs Wakeup 10042), so TrigID is used only when the ivorn has none.
 * Error2Radius: IBAS quotes 90 % containment radii including the systematic error.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const INTEGRAL_CONTAINMENT = 0.9;

const ALERT_TYPES: Readonly<Record<number, AlertType>> = { 54: 'update', 55: 'update' };

/** The trigger number in an INTEGRAL ivorn local part: `<Type>_<number>-<seq>-<serial>`. */
export function integralTriggerFromIvorn(localId: string): string | undefined {
  const m = /_(\d+)-\d+-\d+$/.exec(localId);
  return m?.[1] === undefined ? undefined : String(Number(m[1]));
}

function normaliseIntegral(view: VoEventView): Notice {
  const trigger = integralTriggerFromIvorn(view.localId) ?? view.str('TrigID');
  if (trigger === undefined) {
    throw new CoincideError(
      'NOTICE_BAD_VALUE',
      'the INTEGRAL notice has no trigger number in its ivorn or TrigID',
    );
  }
  const pt = view.packetType;
  const flags = trueFlags(view, [
    ['Def_NOT_a_GRB', 'not-a-grb'],
    ['Test_Notice', 'test-notice'],
  ]);
  const base = view.base();
  return finishNotice({
    ...base,
    messenger: 'gamma',
    observatory: 'INTEGRAL',
    instrument: pt === 52 ? 'SPI-ACS' : 'IBIS',
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId: `INTEGRAL:${trigger}`,
    alertType: flags.includes('not-a-grb') ? 'retraction' : (ALERT_TYPES[pt ?? -1] ?? 'initial'),
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(INTEGRAL_CONTAINMENT, true),
    mock: base.role === 'test' || flags.includes('test-notice'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const integralFamily: VoEventFamily = {
  name: 'integral',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/integral',
  normalise: normaliseIntegral,
};

/**
 * MAXI VOEvents (`ivo://nasa.gsfc.gcn/MAXI#…`): Unknown_Source (134) and Known_Source (135),
 * notices.md §6. TrigID is the trigger id; the WhereWhen radius (0.5° in the samples) is
 * taken at 90 % containment without systematics, as in the MAXI JSON notices;
 * Source_Name (with its leading space trimmed) is the event name.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const MAXI_CONTAINMENT = 0.9;

function normaliseMaxi(view: VoEventView): Notice {
  const trigId = view.str('TrigID');
  if (trigId === undefined) throw new CoincideError('NOTICE_BAD_VALUE', 'the MAXI notice has no TrigID');
  const flags = trueFlags(view, [['Test_Submission', 'test-submission']]);
  const base = view.base();
  const sourceName = view.str('Source_Name');
  return finishNotice({
    ...base,
    messenger: 'xray',
    observatory: 'MAXI',
    instrument: 'GSC',
    noticeType: gcnNoticeTypeName(view.packetType, view.localId),
    triggerId: `MAXI:${trigId}`,
    ...(sourceName === undefined ? {} : { eventName: sourceName }),
    alertType: 'initial',
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(MAXI_CONTAINMENT, false),
    mock: base.role === 'test' || flags.includes('test-submission'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const maxiFamily: VoEventFamily = {
  name: 'maxi',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/maxi',
  normalise: normaliseMaxi,
};

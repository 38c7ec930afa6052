/**
 * IceCube VOEvents, distributed by AMON (`ivo://nasa.gsfc.gcn/AMON#ICECUBE_…`),
 * notices.md §9.
 *
 * - Gold (173), Bronze (174), Cascade (176); legacy HESE (158), EHE (169).
 * - No Citations: versions are linked by run_id + event_id, which make the trigger id
 *   "IceCube:<run>_<event>", the same as the JSON notices' id ("137840_57034692").
 * - `Rev` 0 is the first reconstruction, 1 the refined one (which can grow the error).
 * - Error2Radius is src_error_90 (90 % containment) except EHE, where it is src_error_50.
 * - FAR in yr⁻¹ -> farHz; signalness -> pAstro; energy (TeV) -> energyTeV.
 * - Flags G[Trigger_ID]/Test, Retraction, InternalTest; RADec_valid is false even for valid
 *   positions and is ignored.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { perYearToHz, trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

const STREAM_NAMES: Readonly<Record<number, string>> = {
  24: 'Gold',
  25: 'Bronze',
  26: 'Cascade',
  1: 'HESE',
  2: 'EHE',
};

function normaliseIceCube(view: VoEventView): Notice {
  const pt = view.packetType;
  const runId = view.str('run_id');
  const eventId = view.str('event_id');
  const amonId = view.str('AMON_ID') ?? view.str('ID');
  let triggerId: string;
  if (runId !== undefined && eventId !== undefined) triggerId = `IceCube:${Number(runId)}_${Number(eventId)}`;
  else if (amonId !== undefined) triggerId = `IceCube:${amonId}`;
  else {
    // Legacy HESE notices have only TrigID (sometimes INT_MAX); the ivorn is then the only id.
    const trig = view.str('TrigID');
    if (trig === undefined)
      throw new CoincideError('NOTICE_BAD_VALUE', 'the IceCube notice has no run_id/event_id');
    triggerId = `IceCube:${trig === '2147483647' ? view.localId : trig}`;
  }
  const isEhe = pt === 169 || view.localId.startsWith('ICECUBE_EHE');
  const flags = trueFlags(view, [
    ['Test', 'test'],
    ['InternalTest', 'internal-test'],
    ['Retraction', 'retraction'],
  ]);
  const rev = view.num('Rev');
  let alertType: AlertType = rev === undefined || rev === 0 ? 'initial' : 'update';
  if (flags.includes('retraction') || view.citesRetraction()) alertType = 'retraction';
  const farPerYear = view.num('FAR');
  const signalness = view.num('signalness') ?? view.num('Signalness');
  const energyTeV = view.num('energy');
  const stream = view.num('Stream');
  const eventName = view.str('event_name');
  const base = view.base();
  return finishNotice({
    ...base,
    messenger: 'neutrino',
    observatory: 'IceCube',
    instrument: stream === undefined ? 'IceCube' : (STREAM_NAMES[stream] ?? 'IceCube'),
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId,
    ...(eventName === undefined ? {} : { eventName }),
    alertType,
    revision: rev,
    region: view.circle(isEhe ? 0.5 : 0.9, false),
    ...(farPerYear === undefined ? {} : { farHz: perYearToHz(farPerYear) }),
    ...(signalness === undefined ? {} : { pAstro: signalness }),
    ...(energyTeV === undefined || energyTeV <= 0 ? {} : { energyTeV }),
    mock: base.role === 'test' || flags.includes('test') || flags.includes('internal-test'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const iceCubeFamily: VoEventFamily = {
  name: 'icecube',
  matches: (view) =>
    view.stream.toLowerCase() === 'nasa.gsfc.gcn/amon' && /^(AMON_)?ICECUBE_/i.test(view.localId),
  normalise: normaliseIceCube,
};

/**
 * ParsedVoEvent -> Notice: choose the family from the ivorn stream (and Packet_Type), then
 * normalise. Packets that are valid VOEvents but not notices are refused with
 * NOTICE_UNSUPPORTED: GCN's KILL_SOCKET control packet, and packets with no WhereWhen at all
 * and no Packet_Type (broker test events, predictions without a time).
 */
import { CoincideError } from '../errors.ts';
import type { ParsedVoEvent } from '../voevent/voevent.ts';
import { amonFamily } from './amon.ts';
import { fermiGbmFamily } from './fermi-gbm.ts';
import { fermiLatFamily } from './fermi-lat.ts';
import { genericFamily } from './generic.ts';
import { iceCubeFamily } from './icecube.ts';
import { integralFamily } from './integral.ts';
import { km3netFamily } from './km3net.ts';
import { lvkFamily } from './lvk.ts';
import { maxiFamily } from './maxi.ts';
import type { Notice } from './notice.ts';
import { svomFamily } from './svom.ts';
import { swiftFamily } from './swift.ts';
import type { VoEventFamily } from './voevent-family.ts';
import { VoEventView } from './voevent-view.ts';

/** In order of trial; the generic family matches everything and comes last. */
export const VOEVENT_FAMILIES: readonly VoEventFamily[] = [
  fermiGbmFamily,
  fermiLatFamily,
  swiftFamily,
  integralFamily,
  svomFamily,
  iceCubeFamily,
  amonFamily,
  km3netFamily,
  lvkFamily,
  maxiFamily,
  genericFamily,
];

/** GCN Classic control packets (KILL_SOCKET 4, IM_ALIVE 3): never events. */
const CONTROL_PACKET_TYPES = new Set([3, 4]);

/** The family that handles a parsed VOEvent. */
export function voEventFamilyOf(view: VoEventView): VoEventFamily {
  return VOEVENT_FAMILIES.find((f) => f.matches(view)) ?? genericFamily;
}

export function normaliseVoEvent(parsed: ParsedVoEvent, sourceSha256: string): Notice {
  const view = new VoEventView(parsed, sourceSha256);
  const pt = view.packetType;
  if (pt !== undefined && CONTROL_PACKET_TYPES.has(pt)) {
    throw new CoincideError('NOTICE_UNSUPPORTED', `a GCN control packet (Packet_Type ${pt}), not an event`);
  }
  const ww = parsed.whereWhen;
  if (ww.isoTime === undefined && ww.timeUnixMs === undefined && pt === undefined) {
    throw new CoincideError(
      'NOTICE_UNSUPPORTED',
      `the VOEvent (role ${parsed.role}) has no WhereWhen time: not a notice (e.g. a broker test event)`,
    );
  }
  return voEventFamilyOf(view).normalise(view);
}

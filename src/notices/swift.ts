/**
 * Swift VOEvents (`ivo://nasa.gsfc.gcn/SWIFT#…`), notices.md §3.
 *
 * - BAT_GRB_Pos (61, the "ACK"): Error2Radius 0.05° (3′) at 90 % containment including
 *   the systematic error (GCN Swift docs `swift.html#tc7`).
 * - XRT_Pos (67) and UVOT_Pos (81): arcsecond positions, 90 % containment; their ISOTime is
 *   the XRT/UVOT observation time, not the BAT trigger time (notices.md §0.4).
 * - QuickLook (97), Trans (84), SubSubThresh (140), Known_Src (141) carry BAT positions;
 *   Lightcurve (63) and FOM_Obs (65) repeat the BAT position with radius 0 (time-only here);
 *   Scaledmap (64) gives the pointing direction (Coords_Type 2): time-only.
 * - Swift issues no retraction VOEvent: "not a GRB" is the Def_NOT_a_GRB flag, which makes
 *   the notice a retraction here; StarTrack_Lost_Lock (the position is not trustworthy,
 *   gwcelery vetoes it) and the low-significance flags become `flags`.
 * - BAT_GRB_Test_Pos (82) is role=test; Point_Dir (83) is role=utility.
 */
import { CoincideError } from '../errors.ts';
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const SWIFT_CONTAINMENT = 0.9;

const INSTRUMENTS: Readonly<Record<number, string>> = {
  67: 'XRT',
  71: 'XRT',
  81: 'UVOT',
  65: 'FOM',
  83: 'Swift',
};
const INITIAL_TYPES = new Set([61, 82, 97, 98, 140, 141]);

function normaliseSwift(view: VoEventView): Notice {
  const trigId = view.str('TrigID');
  if (trigId === undefined) throw new CoincideError('NOTICE_BAD_VALUE', 'the Swift notice has no TrigID');
  const pt = view.packetType;
  const flags = trueFlags(view, [
    ['Def_NOT_a_GRB', 'not-a-grb'],
    ['StarTrack_Lost_Lock', 'star-track-lost-lock'],
    ['Test_Submission', 'test-submission'],
    ['Cosmic_Ray', 'cosmic-ray'],
    ['Lo_Image_Signif', 'low-image-significance'],
    ['VERY_Lo_Image_Signif', 'very-low-image-significance'],
    ['Target_in_Flt_Catalog', 'target-in-flight-catalog'],
    ['Target_in_Gnd_Catalog', 'target-in-ground-catalog'],
    ['Target_in_Blk_Catalog', 'target-in-blocked-catalog'],
    ['Delayed_Transmission', 'delayed-transmission'],
  ]);
  const coordsString = view.str('Coords_String');
  if (coordsString === 'pointing_direction') flags.push('pointing-direction');
  let alertType: AlertType = INITIAL_TYPES.has(pt ?? -1) ? 'initial' : 'update';
  if (flags.includes('not-a-grb')) alertType = 'retraction';
  const base = view.base();
  const name = view.event.why.names[0] ?? view.event.why.inferences.flatMap((i) => i.names)[0];
  return finishNotice({
    ...base,
    messenger: pt === 81 ? 'optical' : pt === 67 || pt === 71 ? 'xray' : 'gamma',
    observatory: 'Swift',
    instrument: INSTRUMENTS[pt ?? -1] ?? 'BAT',
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId: `Swift:${trigId}`,
    ...(name !== undefined && /^GRB\s/.test(name) ? { eventName: name.trim() } : {}),
    alertType,
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(SWIFT_CONTAINMENT, true),
    mock: base.role === 'test' || flags.includes('test-submission'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const swiftFamily: VoEventFamily = {
  name: 'swift',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/swift',
  normalise: normaliseSwift,
};

/**
 * The generic fallback: any VOEvent with a WhereWhen time that no family claims (AGILE,
 * GECAM, CALET, Konus, SNEWS, Super-K, ANTARES, MOA, Gaia, ASAS-SN, UTMOST, …).
 *
 * The observatory comes from the ivorn stream; the messenger from the observatory when it is
 * known (neutrino and radio detectors), else from the Why concepts (`em.gamma`, `em.X-ray`, …);
 * the trigger id from TrigID (or GECAM's Trigger_Number), else from the ivorn itself (each
 * packet is then its own trigger).
 * The radius is taken at 90 % containment (the GCN unified-schema default) when the
 * publisher does not state it. gwcelery's LVK-internal repackagings (`ivo://lvk.internal/…`)
 * are test data and are marked as mocks.
 */
import { finishNotice } from './notice-build.ts';
import type { Messenger, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

/** Containment assumed when the publisher does not state one (gcn-schema Localization default). */
export const DEFAULT_CONTAINMENT = 0.9;

const OBSERVATORY_NAMES: Readonly<Record<string, string>> = {
  'nasa.gsfc.gcn/antares_alert': 'ANTARES',
  'nasa.gsfc.gcn/sk_sn': 'Super-Kamiokande',
  'nasa.gsfc.gcn/konus': 'Konus-Wind',
  'nasa.gsfc.gcn/gro': 'GCN',
  'nasa.gsfc.gcn/counterpart': 'GCN-Counterpart',
  'gaia.cam.uk/alerts': 'Gaia',
  'au.edu.swin/utmost': 'UTMOST',
};

const OBSERVATORY_MESSENGERS: Readonly<Record<string, Messenger>> = {
  ANTARES: 'neutrino',
  'Super-Kamiokande': 'neutrino',
  SNEWS: 'neutrino',
  UTMOST: 'radio',
  Gaia: 'optical',
  ASASSN: 'optical',
  MOA: 'optical',
};

const CONCEPT_MESSENGERS: ReadonlyArray<readonly [RegExp, Messenger]> = [
  [/em\.gamma/i, 'gamma'],
  [/em\.x-?ray/i, 'xray'],
  [/em\.(opt|IR|UV)/i, 'optical'],
  [/em\.radio/i, 'radio'],
  [/neutrino/i, 'neutrino'],
  [/grav/i, 'gw'],
];

function observatoryOf(view: VoEventView): string {
  const stream = view.stream;
  const named = OBSERVATORY_NAMES[stream.toLowerCase()];
  if (named !== undefined) return named;
  const segments = stream.split('/').filter((s) => s.length > 0);
  const last = segments[segments.length - 1];
  if (segments.length > 1 && last !== undefined && !/^(voevent|alerts|voevent-receive)$/i.test(last))
    return last;
  return segments[0] ?? 'unknown';
}

function messengerOf(view: VoEventView, observatory: string): Messenger {
  const concepts = [...view.event.why.concepts, ...view.event.why.inferences.flatMap((i) => i.concepts)].join(
    ' ',
  );
  // The detector decides first: ANTARES packets carry an em.gamma concept.
  const known = OBSERVATORY_MESSENGERS[observatory];
  if (known !== undefined) return known;
  for (const [pattern, messenger] of CONCEPT_MESSENGERS) if (pattern.test(concepts)) return messenger;
  return 'other';
}

function normaliseGeneric(view: VoEventView): Notice {
  const observatory = observatoryOf(view);
  const trig = view.str('TrigID') ?? view.str('Trigger_Number');
  const triggerId = trig === undefined ? view.event.ivorn : `${observatory}:${trig}`;
  const flags = trueFlags(view, [
    ['Test_Submission', 'test-submission'],
    ['Test', 'test'],
    ['Def_NOT_a_GRB', 'not-a-grb'],
  ]);
  if (view.str('Coords_String') === 'pointing_direction') flags.push('pointing-direction');
  const base = view.base();
  const internal = /^ivo:\/\/lvk\.internal\//i.test(view.event.ivorn);
  if (internal) flags.push('lvk-internal');
  const name = view.event.why.names[0] ?? view.event.why.inferences.flatMap((i) => i.names)[0];
  return finishNotice({
    ...base,
    messenger: messengerOf(view, observatory),
    observatory,
    instrument: view.str('Instrument') ?? view.str('MISSION') ?? observatory,
    noticeType: gcnNoticeTypeName(view.packetType, view.localId),
    triggerId,
    ...(name === undefined ? {} : { eventName: name.trim() }),
    alertType: flags.includes('not-a-grb') || view.citesRetraction() ? 'retraction' : 'initial',
    revision: view.num('Pkt_Ser_Num'),
    region: view.circle(DEFAULT_CONTAINMENT, false),
    mock: base.role === 'test' || internal || flags.includes('test') || flags.includes('test-submission'),
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const genericFamily: VoEventFamily = {
  name: 'generic',
  matches: () => true,
  normalise: normaliseGeneric,
};

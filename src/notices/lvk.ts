/**
 * LVK (LIGO/Virgo/KAGRA) VOEvents (`ivo://gwnet/LVC#<GraceID>-<serial>-<AlertType>`; O2
 * `ivo://gwnet/gcn_sender#…`), notices.md §11.1.
 *
 * - Types: 163 EarlyWarning, 150 Preliminary, 151 Initial, 152 Update, 164 Retraction, with
 *   the same words in P[AlertType]. A retraction is detected from Packet_Type 164, from
 *   AlertType=Retraction, or from a cite="retraction" citation; genuine retractions cite
 *   their predecessors with "retraction" but the user-guide mock uses "supersedes", which is
 *   why content decides and "supersedes" alone never does (an Update may supersede a
 *   retraction: a reinstatement).
 * - No Position2D: the localisation is the sky map, `G{GW_SKYMAP}/skymap_fits` (O3 groups
 *   are named after the pipeline and have only @type), O2 `skymap_fits_basic`. The ",N"
 *   GraceDB file-version suffix is kept: the URL then names that exact version.
 * - FAR in Hz; Significant 0/1 (O4 onwards); classification = the most probable of
 *   BNS/NSBH/BBH/Terrestrial (+MassGap in O3); pAstro = 1 − P(Terrestrial).
 * - HasNS, HasRemnant, HasMassGap (O2: ProbHasNS, ProbHasRemnant) -> hasNs, hasRemnant,
 *   hasMassGap (also in params as "Properties.HasNS" and "HasNS").
 * - Mocks: GraceID "MS…", Search=MDC, role=test or HardwareInj=1 (a hardware injection, also
 *   flagged "hardware-injection") -> mock: true.
 */
import { CoincideError } from '../errors.ts';
import { alertTypeFromWord } from './alert-type.ts';
import { finishNotice, mostProbableClass } from './notice-build.ts';
import type { AlertType, Notice, NoticeRegion } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import type { VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

const ALERT_TYPES: Readonly<Record<number, AlertType>> = {
  163: 'preliminary',
  150: 'preliminary',
  151: 'initial',
  152: 'update',
  164: 'retraction',
};
const CLASSES = ['BNS', 'NSBH', 'BBH', 'Terrestrial', 'MassGap'] as const;

function skymapUrl(view: VoEventView): string | undefined {
  const groups = view.event.groups.filter((g) => g.type === 'GW_SKYMAP' || g.name === 'GW_SKYMAP');
  for (const group of groups) {
    for (const name of ['skymap_fits', 'skymap_fits_basic', 'skymap_fits_shib', 'skymap_fits_x509']) {
      const p = group.params.find((q) => q.name === name);
      const url = p?.rawValue?.trim() ?? (typeof p?.value === 'string' ? p.value.trim() : undefined);
      if (url !== undefined && url.length > 0) return url;
    }
  }
  return view.str('skymap_fits') ?? view.str('skymap_fits_basic');
}

function classification(view: VoEventView): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of CLASSES) {
    const p = view.num(name, 'Classification') ?? view.num(name);
    if (p !== undefined) out[name] = p;
  }
  return out;
}

function normaliseLvk(view: VoEventView): Notice {
  const graceId = view.str('GraceID') ?? /^([A-Za-z]+\d+[a-z]*)-/.exec(view.localId)?.[1];
  if (graceId === undefined) throw new CoincideError('NOTICE_BAD_VALUE', 'the LVK notice has no GraceID');
  const pt = view.packetType;
  let alertType: AlertType = ALERT_TYPES[pt ?? -1] ?? alertTypeFromWord(view.str('AlertType')) ?? 'update';
  if (pt === 164 || view.str('AlertType')?.toLowerCase() === 'retraction' || view.citesRetraction()) {
    alertType = 'retraction';
  }
  const classes = classification(view);
  const url = alertType === 'retraction' ? undefined : skymapUrl(view);
  const region: NoticeRegion = url === undefined ? { type: 'none' } : { type: 'skymap', url };
  const far = view.num('FAR');
  const significant = view.bool('Significant');
  const base = view.base();
  const search = view.str('Search');
  const flags: string[] = [];
  const hardwareInjection = view.bool('HardwareInj') === true;
  if (hardwareInjection) flags.push('hardware-injection');
  if (view.bool('internal') === true) flags.push('internal');
  const mock = base.role === 'test' || graceId.startsWith('MS') || search === 'MDC' || hardwareInjection;
  const terrestrial = classes.Terrestrial;
  const best = mostProbableClass(classes);
  return finishNotice({
    ...base,
    messenger: 'gw',
    observatory: 'LVK',
    instrument: view.str('Instruments') ?? 'LVK',
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId: `LVK:${graceId}`,
    eventName: graceId,
    alertType,
    revision: view.num('Pkt_Ser_Num'),
    region,
    ...(far === undefined ? {} : { farHz: far }),
    ...(terrestrial === undefined ? {} : { pAstro: 1 - terrestrial }),
    ...(best === undefined ? {} : { classification: best, classificationProbabilities: classes }),
    hasNs: view.num('HasNS', 'Properties') ?? view.num('HasNS') ?? view.num('ProbHasNS'),
    hasRemnant: view.num('HasRemnant', 'Properties') ?? view.num('HasRemnant') ?? view.num('ProbHasRemnant'),
    hasMassGap: view.num('HasMassGap', 'Properties') ?? view.num('HasMassGap'),
    ...(significant === undefined ? {} : { significant }),
    mock,
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const lvkFamily: VoEventFamily = {
  name: 'lvk',
  matches: (view) => /^gwnet\//i.test(view.stream),
  normalise: normaliseLvk,
};

/**
 * Fermi GBM VOEvents (`ivo://nasa.gsfc.gcn/Fermi#GBM_…`), notices.md §1.
 *
 * - Alert (110) carries no position (RA = Dec = Error2Radius = 0, Coords_Type 0): time-only.
 * - Flt_Pos (111), Gnd_Pos (112), Fin_Pos (115): WhereWhen position; Error2Radius is the
 *   statistical error only, at about 68 % containment (gwcelery treats it as 1σ and adds
 *   the systematic), so `containment` 0.68 and `systematicIncluded` false.
 * - SubThresh (131, role=test as issued): id from Trans_Num, its own search, so its trigger
 *   id is namespaced apart ("Fermi-GBM-SubThresh:…"); HealPix_URL names its sky map.
 * - Test_Pos (119): role=test.
 * The classification comes from Most_Likely_Index (Def_NOT_a_GRB is false even for a TGF).
 */
import { finishNotice } from './notice-build.ts';
import type { AlertType, Notice } from './notice.ts';
import { gcnNoticeTypeName } from './gcn-packet-types.ts';
import { trueFlags, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';
import { CoincideError } from '../errors.ts';

/** GBM `Most_Likely_Index` codes (GCN Fermi notice description), named as in the JSON notices. */
export const GBM_SOURCE_CLASSES: Readonly<Record<number, string>> = {
  0: 'ERROR',
  1: 'UNRELIABLE_LOCATION',
  2: 'LOCAL_PARTICLES',
  3: 'BELOW_HORIZON',
  4: 'GRB',
  5: 'GENERIC_SGR',
  6: 'GENERIC_TRANSIENT',
  7: 'DISTANT_PARTICLES',
  8: 'SOLAR_FLARE',
  9: 'CYG_X1',
  10: 'SGR_1806_20',
  11: 'GROJ_0422_32',
  19: 'TGF',
};

/** The published GBM VOEvent radius: ~68 % containment, statistical only. */
export const GBM_VOEVENT_CONTAINMENT = 0.68;

const ALERT_TYPES: Readonly<Record<number, AlertType>> = { 110: 'initial', 131: 'initial', 119: 'initial' };

function normaliseFermiGbm(view: VoEventView): Notice {
  const pt = view.packetType;
  const isSubThresh = pt === 131 || view.localId.startsWith('GBM_SubThresh');
  const trigNum = isSubThresh ? view.str('Trans_Num') : view.str('TrigID');
  if (trigNum === undefined) {
    throw new CoincideError('NOTICE_BAD_VALUE', 'the Fermi GBM notice has no TrigID (or Trans_Num)');
  }
  const mostLikely = view.num('Most_Likely_Index');
  const classification = mostLikely === undefined ? undefined : GBM_SOURCE_CLASSES[mostLikely];
  // The two most likely classes with their probabilities (published in per cent).
  const probabilities: Record<string, number> = {};
  for (const [index, prob] of [
    ['Most_Likely_Index', 'Most_Likely_Prob'],
    ['Sec_Most_Likely_Index', 'Sec_Most_Likely_Prob'],
  ] as const) {
    const name = GBM_SOURCE_CLASSES[view.num(index) ?? -1];
    const percent = view.num(prob);
    if (name !== undefined && percent !== undefined && !(name in probabilities))
      probabilities[name] = percent / 100;
  }
  const flags = trueFlags(view, [
    ['Def_NOT_a_GRB', 'not-a-grb'],
    ['Test_Submission', 'test-submission'],
    ['Target_in_Blk_Catalog', 'target-in-blocked-catalog'],
  ]);
  const base = view.base();
  const region = view.circle(GBM_VOEVENT_CONTAINMENT, false);
  const healpix = view.str('HealPix_URL');
  const notice = finishNotice({
    ...base,
    messenger: 'gamma',
    observatory: 'Fermi',
    instrument: 'GBM',
    noticeType: gcnNoticeTypeName(pt, view.localId),
    triggerId: isSubThresh ? `Fermi-GBM-SubThresh:${trigNum}` : `Fermi:${trigNum}`,
    alertType: flags.includes('not-a-grb') ? 'retraction' : (ALERT_TYPES[pt ?? -1] ?? 'update'),
    revision: view.num('Sequence_Num') ?? view.num('Pkt_Ser_Num'),
    region: region.type === 'none' && healpix !== undefined ? { type: 'skymap', url: healpix } : region,
    ...(classification === undefined ? {} : { classification, classificationProbabilities: probabilities }),
    mock: base.role === 'test' || flags.includes('test-submission'),
    ...(flags.length > 0 ? { flags } : {}),
  });
  return notice;
}

export const fermiGbmFamily: VoEventFamily = {
  name: 'fermi-gbm',
  matches: (view) => view.stream.toLowerCase() === 'nasa.gsfc.gcn/fermi' && view.localId.startsWith('GBM_'),
  normalise: normaliseFermiGbm,
};

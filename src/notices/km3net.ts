/**
 * KM3NeT VOEvents (`ivo://KM3NeT_Neutrino#KM3-240901A_1_…`, Kafka
 * `gcn.notices.km3net.voevent`), notices.md §8.
 *
 * TrigID and Event_Name identify the alert; the position radius is src_error_90 (90 %);
 * FAR is labelled yr⁻¹ and becomes Hz (a value labelled Hz is kept as is); Alert_Type and
 * record_number give the version; Alert_Tense "test" marks a mock.
 */
import { CoincideError } from '../errors.ts';
import { alertTypeFromWord } from './alert-type.ts';
import { finishNotice } from './notice-build.ts';
import type { Notice } from './notice.ts';
import { perYearToHz, type VoEventFamily } from './voevent-family.ts';
import type { VoEventView } from './voevent-view.ts';

export const KM3NET_CONTAINMENT = 0.9;

/** A FAR param in Hz: yr⁻¹ (or no unit, as KM3NeT documents yr⁻¹) is divided by a Julian year. */
export function farParamToHz(value: number, unit: string | undefined): number {
  const u = (unit ?? 'yr^-1').replace(/\s/g, '').toLowerCase();
  if (u === 'hz' || u === 's^-1' || u === '1/s') return value;
  return perYearToHz(value);
}

function normaliseKm3net(view: VoEventView): Notice {
  const eventName = view.str('Event_Name') ?? view.str('event_name');
  const trigId = view.str('TrigID') ?? view.str('id');
  const id = trigId ?? eventName;
  if (id === undefined)
    throw new CoincideError('NOTICE_BAD_VALUE', 'the KM3NeT notice has no TrigID or Event_Name');
  const far = view.num('FAR');
  const radius90 = view.num('src_error_90');
  const tense = view.str('Alert_Tense')?.toLowerCase();
  const base = view.base();
  const flags = view.bool('potential_counterpart') === true ? ['potential-counterpart'] : [];
  return finishNotice({
    ...base,
    messenger: 'neutrino',
    observatory: 'KM3NeT',
    instrument: view.str('Instrument') ?? 'KM3NeT',
    noticeType: view.str('Pipeline') ?? 'KM3NeT_alert',
    triggerId: `KM3NeT:${id}`,
    ...(eventName === undefined ? {} : { eventName }),
    alertType: view.citesRetraction()
      ? 'retraction'
      : (alertTypeFromWord(view.str('Alert_Type')) ?? 'initial'),
    revision: view.num('record_number'),
    region: view.circle(KM3NET_CONTAINMENT, false, radius90),
    ...(far === undefined ? {} : { farHz: farParamToHz(far, view.param('FAR')?.unit) }),
    mock: base.role === 'test' || tense === 'test',
    ...(flags.length > 0 ? { flags } : {}),
  });
}

export const km3netFamily: VoEventFamily = {
  name: 'km3net',
  matches: (view) => /km3net/i.test(view.stream),
  normalise: normaliseKm3net,
};

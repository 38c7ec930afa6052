/** Coincidence records for the Avro and Kafka sink tests (shaped like the join engine's output). */
import type { Coincidence } from '../../../src/join/coincidence.ts';

export const OPTICAL_COINCIDENCE: Coincidence = {
  kind: 'coincidence',
  id: 'c-0123456789abcdef',
  status: 'candidate',
  pairType: 'mm-optical',
  role: 'observation',
  trigger: {
    triggerId: 'Fermi:537755817',
    ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2018-01-16T22:23:33.00_537755817_46-152',
    revision: 46,
    messenger: 'gamma',
    observatory: 'Fermi',
    noticeType: 'FERMI_GBM_FLT_POS',
    triggerTime: '2018-01-16T22:23:33.000Z',
  },
  counterpart: {
    survey: 'ZTF',
    objectId: 'ZTF18aaaaaaa',
    alertId: '2461330520015015012',
    raDeg: 120.5,
    decDeg: -3.25,
    timeMjd: 58134.5,
    firstDetectionMjd: 58134.5,
  },
  separationDeg: 1.2,
  dtSeconds: 3600.5,
  pChance: 0.0123,
  tier: 'gold',
  provenance: {
    triggerIvorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2018-01-16T22:23:33.00_537755817_46-152',
    triggerRevision: 46,
    alertIds: ['2461330520015015012'],
    window: { startSec: 0, endSec: 86400 },
    rates: { opticalRatePerDeg2PerDay: 0.5, triggerRatePerYear: 325 },
    regionHash: 'f'.repeat(64),
    formulaVersion: 'p-chance/1',
  },
};

export const MM_COINCIDENCE: Coincidence = {
  ...OPTICAL_COINCIDENCE,
  id: 'c-mm',
  pairType: 'mm-mm',
  status: 'withdrawn',
  counterpart: {
    triggerId: 'IceCube:138599-51304716',
    ivorn: 'ivo://nasa.gsfc.gcn/AMON#ICECUBE_GOLD_Event2023-05-20T11:05:18.56_138599_051304716-042',
    messenger: 'neutrino',
    observatory: 'IceCube',
    noticeType: 'ICECUBE_ASTROTRACK_GOLD',
    triggerTime: '2023-05-20T11:05:18.560Z',
  },
  separationDeg: null,
  credibleLevel: 0.42,
  farHz: 3e-8,
  tier: null,
  provenance: { ...OPTICAL_COINCIDENCE.provenance, counterpartIvorn: 'ivo://x#y', alertIds: [] },
};

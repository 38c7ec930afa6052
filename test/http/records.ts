/**
 * Small, realistic Notice and Coincidence records for the serve-area tests (WebSocket, HTTP,
 * VOEvent out). Values follow a Fermi GBM GRB and a ZTF counterpart.
 */
import type { Coincidence } from '../../src/join/coincidence.ts';
import type { Notice } from '../../src/notices/notice.ts';

export function makeNotice(overrides: Partial<Notice> = {}): Notice {
  return {
    ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2025-01-01T10:00:00.00_757418405_0-123',
    role: 'observation',
    messenger: 'gamma',
    observatory: 'Fermi',
    instrument: 'GBM',
    noticeType: 'Fermi_GBM_Gnd_Pos',
    triggerId: 'Fermi:757418405',
    alertType: 'update',
    revision: 123,
    triggerTime: '2025-01-01T10:00:00.000Z',
    triggerTimeMjd: 60676.416666666664,
    region: {
      type: 'circle',
      raDeg: 150.1,
      decDeg: 2.2,
      radiusDeg: 3.5,
      containment: 0.68,
      systematicIncluded: false,
    },
    params: { Trig_ID: 757418405 },
    citations: [],
    source: { format: 'voevent', sha256: 'a'.repeat(64) },
    ...overrides,
  };
}

export function makeCoincidence(overrides: Partial<Coincidence> = {}): Coincidence {
  return {
    kind: 'coincidence',
    id: 'c-757418405-ZTF25aaaaaaa',
    status: 'candidate',
    pairType: 'mm-optical',
    role: 'observation',
    trigger: {
      triggerId: 'Fermi:757418405',
      ivorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2025-01-01T10:00:00.00_757418405_0-123',
      revision: 123,
      messenger: 'gamma',
      observatory: 'Fermi',
      noticeType: 'Fermi_GBM_Gnd_Pos',
      triggerTime: '2025-01-01T10:00:00.000Z',
    },
    counterpart: {
      survey: 'ZTF',
      objectId: 'ZTF25aaaaaaa',
      alertId: '2345678901234567891',
      raDeg: 150.3,
      decDeg: 2.1,
      timeMjd: 60676.6,
      firstDetectionMjd: 60676.6,
    },
    separationDeg: 0.22,
    dtSeconds: 15840,
    pChance: 0.004,
    tier: 'silver',
    provenance: {
      triggerIvorn: 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2025-01-01T10:00:00.00_757418405_0-123',
      triggerRevision: 123,
      alertIds: ['2345678901234567891'],
      window: { startSec: 0, endSec: 259200 },
      rates: { backgroundRatePerDeg2PerDay: 0.05 },
      regionHash: 'b'.repeat(64),
      formulaVersion: 'pchance-poisson-1',
    },
    ...overrides,
  };
}

/** A triple GW + GRB + optical (pairType mm-mm-optical), as src/join/triples.ts builds it. */
export function makeTriple(overrides: Partial<Coincidence> = {}): Coincidence {
  const base = makeCoincidence();
  return {
    ...base,
    id: 't-S250101a-757418405-ZTF25aaaaaaa',
    pairType: 'mm-mm-optical',
    trigger: {
      triggerId: 'LVK:S250101a',
      ivorn: 'ivo://gwnet/LVC#S250101a-1-Preliminary',
      messenger: 'gw',
      observatory: 'LVK',
      noticeType: 'LVC_PRELIMINARY',
      triggerTime: '2025-01-01T09:59:58.300Z',
      revision: 1,
    },
    partners: [{ ...base.trigger }],
    pairIds: ['p-S250101a-757418405', 'c-757418405-ZTF25aaaaaaa'],
    pChance: 0.02,
    farHz: 3.5e-12,
    tier: 'gold',
    credibleLevel: 0.31,
    provenance: {
      ...base.provenance,
      triggerIvorn: 'ivo://gwnet/LVC#S250101a-1-Preliminary',
      triggerRevision: 1,
      window: { startSec: 0, endSec: 14 * 86_400 },
      rates: {
        backgroundPerDeg2PerDay: 0.02,
        searchedAreaDeg2: 12.5,
        maxDelayDays: 14,
        candidateAreaDeg2: 3.1,
        candidateDelayDays: 0.18,
        statisticDeg2Day: 0.558,
        pairFarHz: 2e-11,
        maxPairFarHz: 1 / 86_400,
        opticalPChance: 0.02,
        productStatisticHz: 4e-13,
        tripleFarHz: 3.5e-12,
        combinedLocalisation: 1,
        trialsFactor: 6,
        farThresholdHz: 1 / (30 * 86_400),
        publishingStatisticHz: 1.05e-10,
        goldMargin: 100,
        bronzeFactor: 10,
        pairOverlapIntegral: 8.2,
        triggerSearchedAreaDeg2: 420,
      },
      formulaVersion: 'coincide-score/2 search=Triple formula=pair-far-times-optical-p',
    },
    ...overrides,
  };
}

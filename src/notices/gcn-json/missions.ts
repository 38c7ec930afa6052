/**
 * Missions of the GCN unified JSON notices, keyed by the first path segment of the $schema
 * after `/gcn/notices/` (or by the `mission` field when there is no $schema, as in gwcelery's
 * copies): the observatory name used in Notice.observatory and in trigger ids, the messenger,
 * and the instrument when the notice does not name one.
 */
import type { Messenger } from '../notice.ts';

export interface MissionInfo {
  observatory: string;
  messenger: Messenger;
  instrument: string;
}

export const GCN_JSON_MISSIONS: Readonly<Record<string, MissionInfo>> = {
  fermi: { observatory: 'Fermi', messenger: 'gamma', instrument: 'GBM' },
  swift: { observatory: 'Swift', messenger: 'gamma', instrument: 'BAT-GUANO' },
  icecube: { observatory: 'IceCube', messenger: 'neutrino', instrument: 'IC86' },
  km3net: { observatory: 'KM3NeT', messenger: 'neutrino', instrument: 'KM3NeT' },
  svom: { observatory: 'SVOM', messenger: 'gamma', instrument: 'ECLAIRs' },
  einstein_probe: { observatory: 'EinsteinProbe', messenger: 'xray', instrument: 'WXT' },
  maxi: { observatory: 'MAXI', messenger: 'xray', instrument: 'GSC' },
  superk: { observatory: 'Super-Kamiokande', messenger: 'neutrino', instrument: 'Super-Kamiokande' },
  'super-kamiokande': {
    observatory: 'Super-Kamiokande',
    messenger: 'neutrino',
    instrument: 'Super-Kamiokande',
  },
  chime: { observatory: 'CHIME', messenger: 'radio', instrument: 'CHIME/FRB' },
  dsa110: { observatory: 'DSA-110', messenger: 'radio', instrument: 'DSA-110' },
  burstcube: { observatory: 'BurstCube', messenger: 'gamma', instrument: 'BurstCube' },
  glowbug: { observatory: 'Glowbug', messenger: 'gamma', instrument: 'Glowbug' },
};

/** Instruments whose messenger differs from their mission's (SVOM's MXT and VT). */
export const INSTRUMENT_MESSENGERS: Readonly<Record<string, Messenger>> = {
  MXT: 'xray',
  VT: 'optical',
  LAT: 'gamma',
  FXT: 'xray',
  WXT: 'xray',
};

/**
 * `.../gcn/notices/fermi/gbm/trigger.schema.json` -> "fermi/gbm/trigger"; undefined when the
 * $schema is not a GCN one.
 */
export function schemaPath(schema: string): string | undefined {
  const m = /\/gcn\/(notices\/.+|circulars)\.schema\.json$/.exec(schema);
  if (!m?.[1]) return undefined;
  return m[1].replace(/^notices\//, '');
}

/**
 * Generated VOEvents: the shape of real notices (Who, What with Params and Groups, WhereWhen
 * with a position and a time, Why, Citations) with ivorns of the known authorities, Param names
 * the notice families read, and values at their boundaries (NaN, 1e309, out-of-range angles,
 * impossible dates).
 */
import fc from 'fast-check';
import { BOUNDARY_NUMBERS } from '../mutate.ts';

const IVORNS = [
  'ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_2017-08-17T12:41:06.47_524666471-0-118',
  'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2017-08-17T12:41:06.47_524666471-0-118',
  'ivo://nasa.gsfc.gcn/Fermi#LAT_Pos_Upd_2017-08-17T12:41:06.47_524666471-0-118',
  'ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1234567-890',
  'ivo://nasa.gsfc.gcn/AMON#ICECUBE_GOLD_Event2019-04-25T08:18:05.00_1_132910_0',
  'ivo://nasa.gsfc.gcn/INTEGRAL#SPIACS_2019-04-25T08:18:05_1',
  'ivo://nasa.gsfc.gcn/MAXI#Known_Source_1',
  'ivo://gwnet/LVC#S190425z-1-Preliminary',
  'ivo://gwnet/LVC#MS181101ab-2-Initial',
  'ivo://gwnet/LVC#S190425z-3-Retraction',
  'ivo://KM3NeT_Neutrino/alert#1',
  'ivo://org.svom/fsc#sb123',
  'ivo://x/y#',
  'ivo://x',
  '',
];

const PARAM_NAMES = [
  'Packet_Type',
  'TrigID',
  'Sequence_Num',
  'Burst_Id',
  'Event_ID',
  'AMON_ID',
  'GraceID',
  'AlertType',
  'Alert_Type',
  'Alert_Tense',
  'FAR',
  'Significant',
  'Instruments',
  'Group',
  'Pipeline',
  'Search',
  'BNS',
  'NSBH',
  'BBH',
  'Terrestrial',
  'HasNS',
  'HasRemnant',
  'HasMassGap',
  'skymap_fits',
  'HealPix_URL',
  'Trig_Signif',
  'Data_Signif',
  'Burst_Signif',
  'Error2Radius',
  'Most_Likely_Index',
  'Most_Likely_Prob',
  'Sec_Most_Likely_Index',
  'Hardness_Ratio',
  'Trig_Timescale',
  'Signalness',
  'Energy',
  'FOM',
  'Retraction',
  'Coords_String',
  'Coords_Type',
  'Event_Date',
  'Event_Name',
  'Instrument',
  'Test',
  'Classification',
];

const PARAM_VALUES = [
  ...BOUNDARY_NUMBERS,
  '1',
  '0',
  'true',
  'false',
  '115',
  '61',
  '150',
  '173',
  'Preliminary',
  'Initial',
  'Update',
  'Retraction',
  'H1,L1,V1',
  'https://gracedb.ligo.org/api/superevents/S190425z/files/bayestar.fits.gz',
  'http://127.0.0.1:1/x.fits',
  'file:///etc/passwd',
  '',
  '&lt;x&gt;',
  '\u00e9',
];

const number = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.double().map(String),
  fc.integer({ min: -400, max: 400 }).map(String),
);

const isoTime = fc.oneof(
  fc.constantFrom(
    '2017-08-17T12:41:04.446',
    '2017-08-17T12:41:04.446Z',
    '2017-08-17T12:41:04+05:30',
    '2017-02-30T00:00:00',
    '2016-12-31T23:59:60',
    '9999-12-31T23:59:59.999999999',
    '0000-01-01T00:00:00',
    '-0001-01-01T00:00:00',
    '2017-08-17',
    'yesterday',
    '',
  ),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'NaT' : d.toISOString())),
);

const escape = (s: string): string =>
  s
    .replace(/&(?![a-z#0-9]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;');

const param = fc
  .tuple(
    fc.constantFrom(...PARAM_NAMES),
    fc.oneof(fc.constantFrom(...PARAM_VALUES), fc.string({ maxLength: 12 })),
    fc.constantFrom('', ' dataType="float"', ' dataType="int"', ' dataType="string"', ' unit="deg"'),
  )
  .map(([name, value, extra]) => `<Param name="${name}" value="${escape(value)}"${extra}/>`);

const group = fc
  .tuple(
    fc.constantFrom(
      'Classification',
      'Properties',
      'Trigger_ID',
      'GW_SKYMAP',
      'External_Coinc',
      'Misc_Flags',
      '',
    ),
    fc.array(param, { maxLength: 5 }),
  )
  .map(([name, params]) => `<Group name="${name}" type="${name}">${params.join('')}</Group>`);

const whereWhen = fc
  .tuple(
    number,
    number,
    number,
    isoTime,
    fc.constantFrom('UTC-FK5-GEO', 'UTC-ICRS-TOPO', 'TT-ICRS-GEO', 'GPS-FK5-GEO', 'bogus'),
    fc.constantFrom('deg', 'rad', ''),
    fc.boolean(),
  )
  .map(
    ([ra, dec, err, time, system, unit, withPosition]) =>
      `<WhereWhen><ObsDataLocation><ObservatoryLocation id="GEOLUN"/><ObservationLocation>` +
      `<AstroCoordSystem id="${system}"/><AstroCoords coord_system_id="${system}">` +
      `<Time unit="s"><TimeInstant><ISOTime>${escape(time)}</ISOTime></TimeInstant></Time>` +
      (withPosition
        ? `<Position2D unit="${unit}"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>${ra}</C1><C2>${dec}</C2></Value2><Error2Radius>${err}</Error2Radius></Position2D>`
        : '') +
      `</AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>`,
  );

const citations = fc
  .tuple(fc.constantFrom(...IVORNS), fc.constantFrom('followup', 'supersedes', 'retraction', 'bogus'))
  .map(
    ([ivorn, cite]) =>
      `<Citations><EventIVORN cite="${cite}">${escape(ivorn)}</EventIVORN><Description>x</Description></Citations>`,
  );

export const generatedVoEvent: fc.Arbitrary<Uint8Array> = fc
  .record({
    version: fc.constantFrom('2.0', '1.1'),
    role: fc.constantFrom('observation', 'test', 'utility', 'prediction', 'ack', ''),
    ivorn: fc.constantFrom(...IVORNS),
    params: fc.array(fc.oneof(param, group), { maxLength: 12 }),
    whereWhen: fc.option(whereWhen, { freq: 6 }),
    citations: fc.option(citations, { freq: 3 }),
    date: isoTime,
    why: fc.option(
      fc.tuple(number, fc.constantFrom('process.variation.burst;em.gamma', 'Gravitational Wave', '')),
      { freq: 2 },
    ),
  })
  .map(({ version, role, ivorn, params, whereWhen, citations, date, why }) => {
    const ns =
      version === '2.0' ? 'http://www.ivoa.net/xml/VOEvent/v2.0' : 'http://www.ivoa.net/xml/VOEvent/v1.1';
    return Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<voe:VOEvent xmlns:voe="${ns}" version="${version}" role="${role}" ivorn="${escape(ivorn)}">` +
        `<Who><AuthorIVORN>ivo://nasa.gsfc.tan/gcn</AuthorIVORN><Date>${escape(date)}</Date></Who>` +
        `<What>${params.join('')}</What>${whereWhen ?? ''}<How><Description>fuzz</Description></How>` +
        (why
          ? `<Why importance="${why[0]}"><Inference probability="${why[0]}"><Concept>${why[1]}</Concept></Inference></Why>`
          : '') +
        `${citations ?? ''}</voe:VOEvent>`,
      'utf8',
    );
  });

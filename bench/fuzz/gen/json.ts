/**
 * Generated GCN JSON notices and IGWN alerts: objects with the keys the normalisers read
 * ($schema of every known mission, times, positions, error radii, event blocks, embedded sky
 * maps) holding values of every JSON type and boundary numbers; and deep nesting.
 */
import fc from 'fast-check';

const KEYS = [
  'alert_datetime',
  'alert_tense',
  'alert_type',
  'trigger_time',
  'observation_start',
  'time_created',
  'time',
  'ra',
  'dec',
  'ra_dec_error',
  'ra_dec_error_68',
  'containment_probability',
  'systematic_included',
  'healpix_url',
  'healpix_file',
  'mission',
  'instrument',
  'messenger',
  'id',
  'event_name',
  'record_number',
  'superevent_id',
  'event',
  'far',
  'significant',
  'classification',
  'properties',
  'skymap',
  'combined_skymap',
  'external_coinc',
  'urls',
  'search',
  'group',
  'pipeline',
  'instruments',
  'localization',
  'most_probable_direction',
  'coincident_events',
  'nu_energy',
  'p_astro',
  'subject',
  'slew_status',
  '__proto__',
  'constructor',
];

const STRINGS = [
  'PRELIMINARY',
  'INITIAL',
  'UPDATE',
  'RETRACTION',
  'EARLYWARNING',
  'initial',
  'update',
  'retraction',
  'S230914ak',
  'MS181101ab',
  '2023-09-14T11:49:16.526Z',
  '2023-09-14T11:49:16',
  '2023-02-30T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  'IceCube',
  'Fermi',
  'Swift',
  'SVOM',
  'Einstein Probe',
  'GBM',
  'BAT',
  'WXT',
  'Neutrino',
  'Gamma',
  'https://gracedb.ligo.org/api/superevents/S1/files/bayestar.fits.gz',
  'http://127.0.0.1:1/',
  'U0lNUExFID0',
  '',
  '\u0000',
  '\ud800',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  90,
  -90,
  90.0000001,
  360,
  360.0000001,
  180,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  1e21,
];

const leaf = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 10 }),
);

const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A JSON notice text: a known $schema (or none) and known keys with random values. */
export function generatedJson(schemas: readonly string[]): fc.Arbitrary<Uint8Array> {
  const notice = fc
    .record({
      schema: fc.option(
        fc.constantFrom(...schemas, 'https://gcn.nasa.gov/schema/v9/gcn/notices/nope.schema.json', ''),
        { freq: 8 },
      ),
      fields: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 12 }),
    })
    .map(({ schema, fields }) => (schema === null ? fields : { $schema: schema, ...fields }));
  return fc.oneof(
    { weight: 8, arbitrary: notice.map((n) => Buffer.from(JSON.stringify(n), 'utf8')) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v), 'utf8')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('[', '{"event":'))
        .map(([depth, open]) =>
          Buffer.from(`${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`, 'utf8'),
        ),
    },
  );
}

export const JSON_TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  'null',
  '"\\u0000"',
  '"\\ud800"',
  '1e999',
  '"__proto__":',
  '{"$schema":',
];

/**
 * fink-filters' tier cuts (rb, fink_class, observatory, gcn_loc_error, rate) evaluated with pandas
 * on coincide's tier records, by the same column names (test/sinks/fink_filters_cuts.py), on the
 * bytes as they go on the topic.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { encodeValue } from '../../src/sinks/avro/versioned-schema.ts';
import { FINK_MM_TIER_SCHEMA, finkMmRecord } from '../../src/sinks/fink-mm-record.ts';
import { schemaKeyText } from '../../src/sinks/kafka-framing.ts';
import { skipUnlessVenvModules, venvExecutable } from '../helpers/python.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { FINK_COINCIDENCE, OPTICAL_COINCIDENCE } from './avro/coincidence-fixtures.ts';

const fink = FINK_COINCIDENCE.counterpart as Extract<Coincidence['counterpart'], { alertId: string }>;

const CASES: Array<{
  name: string;
  c: Coincidence;
  grb_bronze: boolean;
  gw_bronze: boolean;
  gold_cuts: boolean;
}> = [
  // Swift BAT (3′), rb 0.93, SN candidate, |mag_rate| 0.45 mag/day: every cut passes.
  {
    name: 'Fink-enriched GRB pair',
    c: FINK_COINCIDENCE,
    grb_bronze: true,
    gw_bronze: false,
    gold_cuts: true,
  },
  // A raw ZTF alert: no fink_class, no rb, no rate: null fails every cut, as in fink-mm.
  { name: 'raw ZTF alert', c: OPTICAL_COINCIDENCE, grb_bronze: false, gw_bronze: false, gold_cuts: false },
  {
    name: 'GW pair (observatory LVK, sky map)',
    c: {
      ...FINK_COINCIDENCE,
      trigger: {
        triggerId: 'LVK:S230518h',
        ivorn: 'ivo://gwnet/LVC#S230518h-2-Initial',
        messenger: 'gw',
        observatory: 'LVK',
        noticeType: 'LVC_INITIAL',
        triggerTime: '2023-05-18T12:59:08.167Z',
      },
      counterpart: { ...fink, rb: 0.8, fink: { ...fink.fink, fink_class: 'Unknown' } },
    },
    grb_bronze: false,
    gw_bronze: true,
    gold_cuts: false,
  },
  {
    name: 'GRB pair with a 10° error and rb 0.75',
    c: {
      ...FINK_COINCIDENCE,
      trigger: { ...FINK_COINCIDENCE.trigger, observatory: 'Fermi', errorRadiusDeg: 10 },
      counterpart: { ...fink, rb: 0.75 },
    },
    grb_bronze: true,
    gw_bronze: false,
    gold_cuts: false,
  },
  {
    name: 'a solar-system object',
    c: {
      ...FINK_COINCIDENCE,
      counterpart: { ...fink, fink: { ...fink.fink, fink_class: 'Solar System MPC' } },
    },
    grb_bronze: false,
    gw_bronze: false,
    gold_cuts: true,
  },
];

describe('fink-filters cuts on tier records', { skip: skipUnlessVenvModules(['fastavro', 'pandas']) }, () => {
  test('evaluate by fink-mm column names to the expected tiers', () => {
    const values = CASES.map((k) =>
      encodeValue(FINK_MM_TIER_SCHEMA, finkMmRecord(k.c), 'avro').value.toString('hex'),
    );
    const run = spawnSync(
      venvExecutable('python'),
      [join(PROJECT_ROOT, 'test', 'sinks', 'fink_filters_cuts.py')],
      {
        input: JSON.stringify({ key: schemaKeyText(FINK_MM_TIER_SCHEMA), values }),
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, boolean>);
    assert.equal(results.length, CASES.length);
    CASES.forEach((k, i) => {
      assert.deepEqual(
        results[i],
        { grb_bronze: k.grb_bronze, gw_bronze: k.gw_bronze, gold_cuts: k.gold_cuts },
        k.name,
      );
    });
  });
});

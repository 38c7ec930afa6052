/**
 * Time-only notices (issue 10): GCN placeholders for "no position" — RA/Dec −1, an error
 * radius of −1 or 0, Coords_String "unavailable/inappropriate" — give a Notice with region
 * `none`, never a parse error; `coincide parse` accepts them; the join pairs them in time with
 * other messengers (temporal FAR only) and never with optical alerts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { circle, makeAlert, makeNotice } from '../join/make-records.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-time-only-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('time-only notices', { skip: skipUnlessShared() }, () => {
  const bat = () => readFileSync(samplePath('voevent/grb/BAT_GRB_Pos_655721-214.xml'), 'utf8');
  const position = '<C1>319.7309</C1><C2>-34.8537</C2></Value2><Error2Radius>0.0500</Error2Radius>';
  const variants: Record<string, () => string> = {
    'RA/Dec −1, radius −1': () =>
      bat().replace(position, '<C1>-1</C1><C2>-1</C2></Value2><Error2Radius>-1</Error2Radius>'),
    'radius 0': () => bat().replace('<Error2Radius>0.0500</Error2Radius>', '<Error2Radius>0</Error2Radius>'),
    'Coords_String unavailable/inappropriate': () =>
      bat().replace(
        '<Param name="Coords_Type" value="1" unit="dn"/><Param name="Coords_String" value="source_object"/>',
        '<Param name="Coords_String" value="unavailable/inappropriate"/>',
      ),
    'JSON ra/dec −1': () => {
      const json = JSON.parse(
        readFileSync(samplePath('gcn-json/gwcelery/kafka_alert_swift.json'), 'utf8'),
      ) as object;
      return JSON.stringify({ ...json, ra: -1, dec: -1 });
    },
    'JSON error −1': () => {
      const json = JSON.parse(
        readFileSync(samplePath('gcn-json/gwcelery/kafka_alert_swift.json'), 'utf8'),
      ) as object;
      return JSON.stringify({ ...json, ra_uncertainty: [-1] });
    },
  };

  for (const [name, make] of Object.entries(variants)) {
    test(`${name}: a Notice with region none, and coincide parse exits 0`, () => {
      const text = make();
      assert.ok(text !== bat() || name.startsWith('JSON'), 'the variant changed the sample');
      const notice = parseNoticeDocument(text);
      assert.deepEqual(notice.region, { type: 'none' });
      const file = join(dir, `${name.replace(/\W+/g, '-')}${name.startsWith('JSON') ? '.json' : '.xml'}`);
      writeFileSync(file, text);
      const result = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'parse', file], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { region: { type: string } }).region.type, 'none');
    });
  }
});

describe('time-only notices in the join', () => {
  test('pair with a GW in time only (temporal FAR), never with optical alerts', () => {
    const t0 = 60_200.25;
    const engine = createJoinEngine();
    const grb = makeNotice({ triggerId: 'Fermi:77', timeMjd: t0 + 2 / 86_400 });
    assert.deepEqual(grb.region, { type: 'none' });
    // An optical alert at the GW position after the GRB: the time-only GRB never pairs with it.
    engine.onNotice(grb);
    const gw = makeNotice({
      triggerId: 'LVK:S3',
      messenger: 'gw',
      timeMjd: t0,
      farHz: 1e-10,
      region: circle(30, 10, 5),
    });
    const out = engine.onNotice(gw);
    assert.equal(out.length, 1);
    const pair = out[0]!;
    assert.equal(pair.pairType, 'mm-mm');
    assert.equal(pair.separationDeg, null);
    assert.equal(pair.farHz, pair.provenance.rates.temporalFarHz);
    assert.equal(pair.provenance.rates.overlapIntegral, undefined);
    const optical = engine.onOpticalAlert(
      makeAlert({ objectId: 'o1', raDeg: 30, decDeg: 10, timeMjd: t0 + 0.3 }),
    );
    assert.ok(optical.every((c) => c.trigger.triggerId !== 'Fermi:77'));
    assert.equal(optical.length, 1, 'the GW pairs with the alert; the time-only GRB does not');
  });
});

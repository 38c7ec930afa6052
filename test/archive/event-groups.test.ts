/**
 * Event groups on real linked samples (../shared/upstream-samples):
 * - the LVK mock superevent MS181101ab (six VOEvent revisions, igwn.gwalert JSON alerts) whose
 *   update carries an external coincidence with Fermi GBM trigger 524666471 (External_Ivorn /
 *   External_GCN_Notice_Id in VOEvent, external_coinc in JSON), and a real GBM notice of
 *   that trigger (externaltrigger_original_data.xml);
 * - a GCN JSON FollowUp: IceCube's LVK track search (ref_ID S230914ak), with the real
 *   igwn.gwalert preliminary alert renamed to S230914ak (no real S230914ak alert is in the
 *   samples; the renaming is the only change);
 * - a GRB and its revisions (GBM 716111594: Alert, four Flt_Pos, Gnd_Pos, Fin_Pos);
 * - significant MM×MM coincidences linking two triggers until withdrawn.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { before, describe, it } from 'node:test';
import { createArchiveIndex, type ArchiveIndex } from '../../src/archive/archive-index.ts';
import {
  createEventGroups,
  eventGroupJson,
  founderOf,
  type EventGroups,
} from '../../src/archive/event-groups.ts';
import { createArchiveImporter } from '../../src/archive/import.ts';
import { readInputs } from '../../src/replay/inputs.ts';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.ts';
import { listFiles, samplePath, skipUnlessShared } from '../helpers/shared.ts';

let db: SqliteDatabase;
let index: ArchiveIndex;
let groups: EventGroups;

const followUpLvk = (): Buffer => {
  const json = JSON.parse(
    readFileSync(samplePath('gcn-json/igwn/MS181101ab-preliminary.json'), 'utf8'),
  ) as Record<string, unknown>;
  json.superevent_id = 'S230914ak';
  return Buffer.from(JSON.stringify(json));
};

function appendOutbox(type: string, data: Record<string, unknown>, createdMs: number): void {
  db.prepare('INSERT INTO serve_outbox (type, json, trigger_id, created_ms) VALUES (?, ?, ?, ?)').run(
    type,
    JSON.stringify(data),
    (data.trigger as { triggerId: string }).triggerId,
    createdMs,
  );
}

const mmCoincidence = (status: string, tier: string | null): Record<string, unknown> => ({
  kind: 'coincidence',
  id: 'mm-test-1',
  status,
  pairType: 'mm-mm',
  role: 'observation',
  trigger: {
    triggerId: 'Fermi:716111594',
    ivorn: 'x',
    messenger: 'gamma',
    observatory: 'Fermi',
    noticeType: 'n',
    triggerTime: '2023-09-11T07:53:09.730Z',
  },
  counterpart: {
    triggerId: 'LVK:S230518h',
    ivorn: 'y',
    messenger: 'gw',
    observatory: 'LVK',
    noticeType: 'n',
    triggerTime: '2023-09-11T07:53:08.000Z',
  },
  separationDeg: 1,
  dtSeconds: 1.7,
  pChance: 1e-4,
  tier,
  provenance: {
    triggerIvorn: 'x',
    alertIds: [],
    window: { startSec: -1, endSec: 5 },
    rates: {},
    regionHash: '',
    formulaVersion: 't',
  },
});

describe('event groups on real linked samples', { skip: skipUnlessShared() }, () => {
  before(async () => {
    db = openDatabase({ path: ':memory:' });
    const importer = createArchiveImporter({
      db,
      nowMs: () => Date.parse('2026-01-01T00:00:00Z'),
      source: 'test',
    });
    const paths = [
      ...listFiles(samplePath('voevent/gw'), ['.xml']).filter((p) => /MS181101ab|S230518h/.test(basename(p))),
      ...listFiles(samplePath('gcn-json/igwn'), ['.json']),
      samplePath('voevent/grb/externaltrigger_original_data.xml'),
      ...listFiles(samplePath('voevent/grb'), ['.xml']).filter((p) => p.includes('716111594')),
      samplePath('gcn-json/gcn-schema/notices/icecube/lvk_nu_track_search.example.json'),
    ];
    for await (const doc of readInputs(paths)) await importer.add(doc);
    await importer.add({ name: 'S230914ak-preliminary.json', bytes: followUpLvk() });
    const summary = await importer.finish();
    assert.equal(summary.failures, 0);
    index = createArchiveIndex({ db });
    await index.catchUp();
    groups = createEventGroups(db);
  });

  it('links the LVK superevent and its external GRB (VOEvent External_* and JSON external_coinc)', () => {
    const group = groups.ofTrigger('LVK:MS181101ab');
    assert.ok(group);
    assert.deepEqual(group.triggers.map((t) => t.triggerId).sort(), ['Fermi:524666471', 'LVK:MS181101ab']);
    const kinds = new Set(group.links.map((l) => l.kind));
    assert.ok(kinds.has('trigger'), JSON.stringify(group.links));
    // Every stored notice of both triggers, in time order.
    const notices = group.timeline.filter((e) => e.type === 'notice');
    const stored = Number(
      db
        .prepare("SELECT count(*) FROM notices WHERE trigger_id IN ('LVK:MS181101ab', 'Fermi:524666471')")
        .pluck()
        .get(),
    );
    assert.equal(notices.length, stored);
    assert.ok(stored >= 8);
    const times = group.timeline.map((e) => Date.parse(e.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    // The same group, with the same id, from either trigger and from its id.
    assert.equal(groups.ofTrigger('Fermi:524666471')?.id, group.id);
    assert.equal(groups.byId(group.id)?.id, group.id);
    assert.ok(['LVK:MS181101ab', 'Fermi:524666471'].includes(founderOf(group.id)));
  });

  it('links a GCN JSON FollowUp (ref_ID) to the event it follows', () => {
    const group = groups.ofTrigger('IceCube:LVK-S230914ak');
    assert.ok(group);
    assert.deepEqual(group.triggers.map((t) => t.triggerId).sort(), [
      'IceCube:LVK-S230914ak',
      'LVK:S230914ak',
    ]);
    assert.deepEqual(
      group.links.map((l) => [l.kind, l.value]),
      [['name', 's230914ak']],
    );
  });

  it('lists a GRB and every revision of it, in time order, and nothing else', () => {
    const group = groups.ofTrigger('Fermi:716111594');
    assert.ok(group);
    assert.deepEqual(
      group.triggers.map((t) => t.triggerId),
      ['Fermi:716111594'],
    );
    assert.equal(group.triggers[0]?.notices, 7);
    const ivorns = group.timeline.map((e) => (JSON.parse(e.json) as { ivorn: string }).ivorn);
    assert.equal(ivorns.length, 7);
    assert.match(ivorns[0] ?? '', /GBM_Alert/);
    assert.match(ivorns[6] ?? '', /GBM_Fin_Pos/);
    const body = JSON.parse(eventGroupJson(group)) as { id: string; timeline: Array<{ type: string }> };
    assert.equal(body.id, group.id);
    assert.equal(body.timeline.length, 7);
  });

  it('links triggers by a significant MM×MM coincidence, until it is withdrawn', async () => {
    assert.equal(groups.ofTrigger('LVK:S230518h')?.triggers.length, 1);
    appendOutbox('coincidence', mmCoincidence('candidate', 'bronze'), Date.parse('2023-09-11T08:00:00Z'));
    await index.catchUp();
    assert.equal(groups.ofTrigger('LVK:S230518h')?.triggers.length, 1, 'a bronze pair does not link');
    appendOutbox('coincidence', mmCoincidence('candidate', 'gold'), Date.parse('2023-09-11T08:01:00Z'));
    await index.catchUp();
    const linked = groups.ofTrigger('LVK:S230518h');
    assert.deepEqual(linked?.triggers.map((t) => t.triggerId).sort(), ['Fermi:716111594', 'LVK:S230518h']);
    assert.equal(groups.ofTrigger('Fermi:716111594')?.id, linked?.id);
    assert.deepEqual(
      linked?.timeline.filter((e) => e.type === 'coincidence').length,
      2,
      'both coincidence records are in the timeline',
    );
    appendOutbox('withdrawn', mmCoincidence('withdrawn', 'gold'), Date.parse('2023-09-11T09:00:00Z'));
    await index.catchUp();
    assert.equal(groups.ofTrigger('LVK:S230518h')?.triggers.length, 1);
  });

  it('answers unknown triggers and ids with nothing / NOT_FOUND', () => {
    assert.equal(groups.ofTrigger('Nope:1'), undefined);
    assert.equal(groups.byId(Buffer.from('Nope:1').toString('base64url')), undefined);
    assert.throws(() => groups.byId('!!'), { code: 'NOT_FOUND' });
  });
});

/**
 * Token limits (ivorn authorities, observatories, roles) on the newer routes of the real app:
 * event groups, the sky pictures (skymap.svg, sky.json, a coincidence's skymap.svg) and the
 * routes the web console reads (/v1/notices search in every format, /v1/coincidences,
 * /v1/events). Two real notices go in through the VTP receiver: the LVK mock superevent
 * MS181101ab (authority gwnet, role test) and the Fermi GBM GRB 524666471 (nasa.gsfc.gcn,
 * observation), which MS181101ab's update names as its external coincidence, so the archive
 * puts both in one event group whose id names its founder, the LVK trigger. A token limited to
 * the Fermi side in any of the three ways must learn nothing of MS181101ab through any of them:
 * not its notices, not its name in a group, not the group's founder id, not that it exists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { groupIdOf } from '../../src/archive/event-groups.ts';
import type { TokenLimits } from '../../src/auth/scopes.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken, startTestApp, type TestApp } from '../http/start-app.ts';

const LVK = 'voevent/gw/MS181101ab-6-Update.xml';
const FERMI = 'voevent/grb/externaltrigger_original_data.xml';
const PRIVATE = 'MS181101ab';
const LVK_TRIGGER = 'LVK:MS181101ab';
const FERMI_TRIGGER = 'Fermi:524666471';

interface Group {
  id: string;
  triggers: Array<{ triggerId: string; notices: number }>;
  links: unknown[];
  timeline: Array<{ type: string; data: { triggerId?: string } }>;
}

describe(
  'token limits on event groups, sky pictures and the console routes',
  { skip: skipUnlessShared() },
  () => {
    let t: TestApp;
    let full: string;
    before(async () => {
      t = await startTestApp();
      full = createTestToken(t.dbPath, 'everything', { scopes: ['notices', 'coincidences', 'events'] });
      for (const sample of [LVK, FERMI]) {
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: t.ports.vtpReceiver,
          bytes: readFileSync(samplePath(sample)),
        });
        assert.equal(receipt.role, 'ack', `${sample}: ${receipt.result}`);
      }
      // The archive index catches up in the background: wait for the group of both triggers.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const response = await fetch(`${t.httpUrl}/v1/event-groups?triggerId=${FERMI_TRIGGER}`, auth(full));
        if (response.status === 200 && ((await response.json()) as Group).triggers.length === 2) break;
        assert.ok(Date.now() < deadline, 'the event group of both triggers');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    after(async () => {
      await t.stop();
    });

    const auth = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

    it('an unlimited token sees the whole group, founded by the LVK trigger', async () => {
      const group = (await (
        await fetch(`${t.httpUrl}/v1/event-groups?triggerId=${LVK_TRIGGER}`, auth(full))
      ).json()) as Group;
      assert.equal(group.id, groupIdOf(LVK_TRIGGER));
      assert.deepEqual(group.triggers.map((x) => x.triggerId).sort(), [FERMI_TRIGGER, LVK_TRIGGER]);
      assert.ok(group.links.length > 0);
      const sky = await fetch(`${t.httpUrl}/v1/notices/${LVK_TRIGGER}/sky.json`, auth(full));
      assert.notEqual(sky.status, 404, 'the LVK trigger has a sky route for an unlimited token');
    });

    const limited: ReadonlyArray<{ name: string; limits: TokenLimits }> = [
      { name: 'authority nasa.gsfc.gcn', limits: { authorities: ['nasa.gsfc.gcn'] } },
      { name: 'observatory Fermi', limits: { observatories: ['fermi'] } },
      { name: 'role observation', limits: { roles: ['observation'] } },
    ];
    for (const c of limited) {
      it(`${c.name}: nothing of ${PRIVATE} through any route`, async () => {
        const token = createTestToken(t.dbPath, c.name, {
          scopes: ['notices', 'coincidences', 'events'],
          limits: c.limits,
        });
        const get = (path: string): Promise<Response> => fetch(`${t.httpUrl}${path}`, auth(token));

        // Event groups: asked by the private trigger or by the id naming it, as if there were none.
        for (const path of [
          `/v1/event-groups?triggerId=${LVK_TRIGGER}`,
          `/v1/event-groups/${groupIdOf(LVK_TRIGGER)}`,
        ]) {
          const response = await get(path);
          assert.equal(response.status, 404, path);
          assert.ok(!(await response.text()).includes(PRIVATE) || path.includes(PRIVATE), path);
        }
        // By the visible trigger: only that trigger, under an id that names it, and it resolves.
        const response = await get(`/v1/event-groups?triggerId=${FERMI_TRIGGER}`);
        assert.equal(response.status, 200);
        const text = await response.text();
        assert.ok(!text.includes(PRIVATE), `no trace of ${PRIVATE}: ${text.slice(0, 300)}`);
        const group = JSON.parse(text) as Group;
        assert.deepEqual(
          group.triggers.map((x) => x.triggerId),
          [FERMI_TRIGGER],
        );
        assert.deepEqual(group.links, []);
        assert.equal(group.id, groupIdOf(FERMI_TRIGGER));
        assert.ok(group.timeline.every((e) => e.type !== 'notice' || e.data.triggerId === FERMI_TRIGGER));
        const byId = await get(`/v1/event-groups/${group.id}`);
        assert.equal(byId.status, 200);
        assert.equal(await byId.text(), text);

        // Sky pictures of the private trigger: 404, as for an unknown trigger.
        for (const path of [
          `/v1/notices/${LVK_TRIGGER}/skymap.svg`,
          `/v1/notices/${LVK_TRIGGER}/sky.json`,
          `/v1/notices/${LVK_TRIGGER}/coincidences/anything/skymap.svg`,
        ]) {
          assert.equal((await get(path)).status, 404, path);
        }
        assert.equal((await get(`/v1/notices/${FERMI_TRIGGER}/sky.json`)).status, 200, 'the visible trigger');

        // The console's data routes: the archive search in every format, its history, raw events.
        for (const path of [
          '/v1/notices',
          '/v1/notices?format=csv',
          '/v1/notices?format=voevent',
          `/v1/notices?q=${PRIVATE}`,
          `/v1/notices?eventName=${PRIVATE}`,
          '/v1/coincidences',
          '/console/records',
        ]) {
          const answer = await get(path);
          const body = await answer.text();
          assert.ok(!body.includes(PRIVATE), `${path} (${answer.status}): ${body.slice(0, 200)}`);
        }
        assert.equal((await get(`/v1/notices/${LVK_TRIGGER}`)).status, 404);
        assert.equal(
          (await get(`/v1/events/${encodeURIComponent(`ivo://gwnet/LVC#${PRIVATE}-6-Update`)}`)).status,
          404,
        );
      });
    }
  },
);

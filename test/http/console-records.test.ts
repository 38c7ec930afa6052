/**
 * GET /console/records: the records of /v1/notices and /v1/coincidences, in the same order, with
 * only the fields the console's list and sky read; each half needs its scope; a token is required.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeCoincidence, makeNotice } from './records.ts';
import { createTestToken, startTestApp } from './start-app.ts';

const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

interface Rec {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

describe('GET /console/records', () => {
  it('is /v1/notices and /v1/coincidences without params, provenance and alert details', async () => {
    const t = await startTestApp();
    try {
      t.app.publishNotice(makeNotice({ params: { Packet_Type: 112, Long_Param: 'x'.repeat(500) } }));
      t.app.publishCoincidence(makeCoincidence());
      const compact = (await (await fetch(`${t.httpUrl}/console/records`, bearer(t.token))).json()) as {
        notices: Rec[];
        coincidences: Rec[];
      };
      const notices = (await (await fetch(`${t.httpUrl}/v1/notices`, bearer(t.token))).json()) as Rec[];
      const coincidences = (await (
        await fetch(`${t.httpUrl}/v1/coincidences`, bearer(t.token))
      ).json()) as Rec[];
      assert.deepEqual(
        compact.notices.map((r) => r.seq),
        notices.map((r) => r.seq),
      );
      assert.deepEqual(
        compact.coincidences.map((r) => r.seq),
        coincidences.map((r) => r.seq),
      );
      const noticeRest = { ...notices[0]!.data };
      delete noticeRest.params;
      assert.deepEqual(compact.notices[0]?.data, noticeRest);
      const full = coincidences[0]!.data;
      const c = compact.coincidences[0]!.data;
      assert.equal(c.provenance, undefined);
      assert.deepEqual(c.trigger, full.trigger);
      assert.equal(c.tier, full.tier);
      assert.equal(c.pChance, full.pChance);
      const counterpart = full.counterpart as Record<string, unknown>;
      assert.deepEqual(c.counterpart, {
        survey: counterpart.survey,
        objectId: counterpart.objectId,
        raDeg: counterpart.raDeg,
        decDeg: counterpart.decDeg,
      });

      assert.equal((await fetch(`${t.httpUrl}/console/records`)).status, 401);
      const noticesOnly = createTestToken(t.dbPath, 'notices-only', { scopes: ['notices'] });
      const partial = (await (await fetch(`${t.httpUrl}/console/records`, bearer(noticesOnly))).json()) as {
        notices: Rec[];
        coincidences: Rec[];
      };
      assert.equal(partial.notices.length, 1);
      assert.deepEqual(partial.coincidences, []);
    } finally {
      await t.stop();
    }
  });
});

/**
 * Scopes and limits enforced on every REST route and on the WebSocket stream, through a real
 * server (fastify, ws) on a real SQLite file. The route table must name every route of the
 * OpenAPI document, so a route added without a row here fails this test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { canSeeCoincidence } from '../../src/auth/access.ts';
import { SCOPES, scopesInclude, type Scope, type TokenLimits } from '../../src/auth/scopes.ts';
import type { Coincidence } from '../../src/join/coincidence.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { makeCoincidence, makeNotice, makeTriple } from '../http/records.ts';
import { startServer, type ServerFixture } from '../http/server-fixture.ts';

const LVK_IVORN = 'ivo://gwnet/LVC#S250101a-1-Preliminary';
const FERMI_IVORN = 'ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2025-01-01T10:00:00.00_757418405_0-123';
const FERMI_TEST_IVORN = 'ivo://nasa.gsfc.gcn/Fermi#GBM_Test_757418406';

const lvkNotice = makeNotice({
  ivorn: LVK_IVORN,
  observatory: 'LVK',
  messenger: 'gw',
  instrument: 'H1L1V1',
  noticeType: 'LVK_PRELIMINARY',
  triggerId: 'LVK:S250101a',
});
const fermiNotice = makeNotice({ ivorn: FERMI_IVORN });
const fermiTestNotice = makeNotice({ ivorn: FERMI_TEST_IVORN, role: 'test', triggerId: 'Fermi:757418406' });

/** Fermi × ZTF: public. */
const fermiOptical = makeCoincidence({ id: 'c-fermi-ztf' });
/** LVK × Fermi (mm-mm): private, since one side is. */
const lvkFermi = makeCoincidence({
  id: 'c-lvk-fermi',
  pairType: 'mm-mm',
  trigger: {
    triggerId: 'LVK:S250101a',
    ivorn: LVK_IVORN,
    messenger: 'gw',
    observatory: 'LVK',
    noticeType: 'LVK_PRELIMINARY',
    triggerTime: '2025-01-01T10:00:00.000Z',
  },
  counterpart: {
    triggerId: 'Fermi:757418405',
    ivorn: FERMI_IVORN,
    messenger: 'gamma',
    observatory: 'Fermi',
    noticeType: 'Fermi_GBM_Gnd_Pos',
    triggerTime: '2025-01-01T10:00:01.000Z',
  },
});
/** Fermi × LVK with the private side as the counterpart. */
const fermiLvk = makeCoincidence({
  ...lvkFermi,
  id: 'c-fermi-lvk',
  trigger: fermiOptical.trigger,
  counterpart: lvkFermi.trigger,
});
/** LVK × ZTF, withdrawn. */
const lvkOptical = makeCoincidence({ id: 'c-lvk-ztf', status: 'withdrawn', trigger: lvkFermi.trigger });

const auth = (token: string | undefined): RequestInit =>
  token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } };

/** Every route: its path (with real data behind it) and the scope it needs (undefined = open). */
const ROUTES: ReadonlyArray<{ template: string; path: string; scope: Scope | undefined }> = [
  { template: '/healthz', path: '/healthz', scope: undefined },
  { template: '/metrics', path: '/metrics', scope: 'metrics' },
  { template: '/v1/notices', path: '/v1/notices', scope: 'notices' },
  { template: '/v1/notices/{triggerId}', path: '/v1/notices/Fermi%3A757418405', scope: 'notices' },
  { template: '/v1/coincidences', path: '/v1/coincidences', scope: 'coincidences' },
  { template: '/v1/events/{ivorn}', path: `/v1/events/${encodeURIComponent(FERMI_IVORN)}`, scope: 'events' },
];

async function streamed(
  s: ServerFixture,
  token: string,
): Promise<Array<{ type: string; seq: number; data: unknown }>> {
  const ws = new WebSocket(`${s.wsUrl}?token=${token}&since=0`);
  const got: Array<{ type: string; seq: number; data: unknown }> = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw) => {
      const message = JSON.parse((raw as Buffer).toString('utf8')) as {
        type: string;
        seq: number;
        data: unknown;
      };
      // The heartbeat after the replay carries the seq served up to: everything up to it is in.
      if (message.type === 'heartbeat') {
        if (message.seq >= s.outbox.lastSeq()) resolve();
      } else got.push(message);
    });
    ws.once('error', reject);
  });
  ws.close();
  return got;
}

async function upgradeStatus(url: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('access: scopes on every route and on the stream', () => {
  let s: ServerFixture;
  before(async () => {
    s = await startServer();
    s.notices.push(fermiNotice, lvkNotice, fermiTestNotice);
    s.events.set(FERMI_IVORN, Buffer.from('<voe:VOEvent/>'));
    s.events.set(LVK_IVORN, Buffer.from('<voe:VOEvent ivorn="lvk"/>'));
    s.events.set(FERMI_TEST_IVORN, Buffer.from('<voe:VOEvent ivorn="test"/>'));
  });
  after(async () => {
    await s.close();
  });

  it('has a row for every route of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(doc.paths).sort(), ROUTES.map((r) => r.template).sort());
  });

  for (const route of ROUTES) {
    it(`${route.path}: ${route.scope === undefined ? 'open' : `401 without a token, 403 without scope ${route.scope}`}`, async () => {
      const none = await fetch(`${s.url}${route.path}`);
      assert.equal(none.status, route.scope === undefined ? 200 : 401);
      const wrong = await fetch(`${s.url}${route.path}`, auth('cct_not-a-token'));
      assert.equal(wrong.status, route.scope === undefined ? 200 : 401);
      for (const scope of SCOPES) {
        const token = s.tokens.create(`only-${scope}`, { scopes: [scope] }).token;
        const response = await fetch(`${s.url}${route.path}`, auth(token));
        const allowed = route.scope === undefined || scopesInclude([scope], route.scope);
        assert.equal(response.status, allowed ? 200 : 403, `${route.path} with scope ${scope}`);
        if (!allowed)
          assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
      }
      const revoked = s.tokens.create('revoked', { scopes: [...SCOPES] });
      s.tokens.revoke(revoked.info.id);
      const afterRevoke = await fetch(`${s.url}${route.path}`, auth(revoked.token));
      assert.equal(afterRevoke.status, route.scope === undefined ? 200 : 401);
    });
  }

  it('/v1/stream: 401 without a valid token, 403 without the stream scope', async () => {
    assert.equal(await upgradeStatus(s.wsUrl), 401);
    assert.equal(await upgradeStatus(`${s.wsUrl}?token=cct_not-a-token`), 401);
    for (const scope of SCOPES) {
      const token = s.tokens.create(`ws-${scope}`, { scopes: [scope] }).token;
      assert.equal(await upgradeStatus(`${s.wsUrl}?token=${token}`), scope === 'stream' ? 101 : 403, scope);
    }
  });
});

describe('access: a limited token never sees what its limits exclude', () => {
  let s: ServerFixture;
  const records: Array<{ type: 'notice' | 'coincidence' | 'withdrawn'; data: Notice | Coincidence }> = [
    { type: 'notice', data: fermiNotice },
    { type: 'notice', data: lvkNotice },
    { type: 'notice', data: fermiTestNotice },
    { type: 'coincidence', data: fermiOptical },
    { type: 'coincidence', data: lvkFermi },
    { type: 'coincidence', data: fermiLvk },
    { type: 'withdrawn', data: lvkOptical },
  ];
  before(async () => {
    // Heartbeats every 50 ms: each carries the seq up to which its client was served.
    s = await startServer({ heartbeatMs: 50 });
    s.notices.push(fermiNotice, lvkNotice, fermiTestNotice);
    s.events.set(FERMI_IVORN, Buffer.from('<voe:VOEvent/>'));
    s.events.set(LVK_IVORN, Buffer.from('<voe:VOEvent ivorn="lvk"/>'));
    s.events.set(FERMI_TEST_IVORN, Buffer.from('<voe:VOEvent ivorn="test"/>'));
    // Stored before the clients come (replayed); published again live in each case.
    for (const r of records) s.publish(r.type, r.data, (r.data as Notice).triggerId);
  });
  after(async () => {
    await s.close();
  });

  /** What the items are (each record appears once per case, as each case publishes them again). */
  const distinct = (items: string[]): string[] => [...new Set(items)].sort();
  const ivornsOf = (items: Array<{ data: unknown }>): string[] =>
    items.map((r) => {
      const d = r.data as { ivorn?: string; id?: string };
      return d.ivorn ?? d.id ?? '?';
    });

  const cases: ReadonlyArray<{ name: string; limits: TokenLimits; visible: string[] }> = [
    {
      name: 'public-alert token (authority nasa.gsfc.gcn)',
      limits: { authorities: ['nasa.gsfc.gcn'] },
      visible: [FERMI_IVORN, FERMI_TEST_IVORN, 'c-fermi-ztf'],
    },
    {
      name: 'authority pattern *.gcn excludes gwnet',
      limits: { authorities: ['*.gcn'] },
      visible: [FERMI_IVORN, FERMI_TEST_IVORN, 'c-fermi-ztf'],
    },
    {
      name: 'observation role only',
      limits: { roles: ['observation'] },
      visible: [FERMI_IVORN, LVK_IVORN, 'c-fermi-ztf', 'c-lvk-fermi', 'c-fermi-lvk', 'c-lvk-ztf'],
    },
    {
      name: 'observatory LVK only',
      limits: { observatories: ['lvk'] },
      visible: [LVK_IVORN, 'c-lvk-ztf'],
    },
    {
      name: 'no limits',
      limits: {},
      visible: [
        FERMI_IVORN,
        LVK_IVORN,
        FERMI_TEST_IVORN,
        'c-fermi-ztf',
        'c-lvk-fermi',
        'c-fermi-lvk',
        'c-lvk-ztf',
      ],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: REST lists, per-trigger history, raw events and the stream agree`, async () => {
      const token = s.tokens.create(c.name, { limits: c.limits }).token;
      const get = async (path: string): Promise<Response> => fetch(`${s.url}${path}`, auth(token));
      const notices = (await (await get('/v1/notices')).json()) as Array<{ data: unknown }>;
      const coincidences = (await (await get('/v1/coincidences')).json()) as Array<{ data: unknown }>;
      assert.deepEqual(distinct([...ivornsOf(notices), ...ivornsOf(coincidences)]), [...c.visible].sort());

      for (const notice of [fermiNotice, lvkNotice, fermiTestNotice]) {
        const visible = c.visible.includes(notice.ivorn);
        const history = await get(`/v1/notices/${encodeURIComponent(notice.triggerId)}`);
        assert.equal(history.status, visible ? 200 : 404, `history of ${notice.triggerId}`);
        const raw = await get(`/v1/events/${encodeURIComponent(notice.ivorn)}`);
        assert.equal(raw.status, visible ? 200 : 404, `raw ${notice.ivorn}`);
      }

      const fromStream = await streamed(s, token);
      assert.deepEqual(distinct(ivornsOf(fromStream)), [...c.visible].sort());
      // The limits hold for live messages too, not only for the replay. A heartbeat carries the
      // seq up to which the client was served (sent or skipped), so one at the last seq ends it.
      const ws = new WebSocket(`${s.wsUrl}?token=${token}`);
      const live: Array<{ type: string; data: unknown }> = [];
      let servedUpTo = -1;
      ws.on('message', (raw) => {
        const m = JSON.parse((raw as Buffer).toString('utf8')) as {
          type: string;
          data: unknown;
          seq: number;
        };
        if (m.type === 'heartbeat') servedUpTo = m.seq;
        else live.push(m);
      });
      const until = async (predicate: () => boolean): Promise<void> => {
        while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      await until(() => servedUpTo >= 0);
      for (const r of records) s.publish(r.type, r.data, (r.data as Notice).triggerId);
      const last = s.outbox.lastSeq();
      await until(() => servedUpTo >= last);
      assert.deepEqual(ivornsOf(live).sort(), [...c.visible].sort());
      ws.close();
    });
  }
});

describe('triples and token limits', () => {
  it('a triple is visible only to a token that may see its trigger and every partner', () => {
    const triple = makeTriple(); // LVK (gwnet) trigger, Fermi (nasa.gsfc.gcn) partner, ZTF object
    assert.equal(canSeeCoincidence({}, triple), true);
    assert.equal(canSeeCoincidence({ authorities: ['gwnet', 'nasa.gsfc.gcn'] }, triple), true);
    // The trigger is visible, the partner is not: the triple stays hidden.
    assert.equal(canSeeCoincidence({ authorities: ['gwnet'] }, triple), false);
    assert.equal(canSeeCoincidence({ observatories: ['lvk'] }, triple), false);
    assert.equal(canSeeCoincidence({ observatories: ['lvk', 'fermi'] }, triple), true);
  });
});

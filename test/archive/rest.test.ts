/**
 * GET /v1/notices archive queries on a running app (real HTTP on port 0, real SQLite file):
 * notices submitted over VTP are indexed and found by filter and position, in JSON, CSV and raw
 * (multipart) form, paged by cursor; the old outbox listing still answers without archive
 * parameters; malformed queries are 400 with a code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendEvent } from '../../src/vtp/sender.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';

function gbmNotice(i: number, raDeg: number, decDeg: number, radiusDeg: number): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2024-01-0${i}T00:00:00.00_70000000${i}_0-00${i}" role="observation" version="2.0">
  <Who><AuthorIVORN>ivo://nasa.gsfc.tan/gcn</AuthorIVORN><Date>2024-01-0${i}T00:01:00</Date></Who>
  <What>
    <Param name="Packet_Type" value="112" />
    <Param name="TrigID" value="70000000${i}" />
    <Param name="Sequence_Num" value="1" />
  </What>
  <WhereWhen>
    <ObsDataLocation><ObservatoryLocation id="GEOLUN" />
      <ObservationLocation>
        <AstroCoordSystem id="UTC-FK5-GEO" />
        <AstroCoords coord_system_id="UTC-FK5-GEO">
          <Time unit="s"><TimeInstant><ISOTime>2024-01-0${i}T00:00:00.00</ISOTime></TimeInstant></Time>
          <Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2>
            <Value2><C1>${raDeg}</C1><C2>${decDeg}</C2></Value2><Error2Radius>${radiusDeg}</Error2Radius>
          </Position2D>
        </AstroCoords>
      </ObservationLocation>
    </ObsDataLocation>
  </WhereWhen>
  <How><Description>Fermi Satellite, GBM Instrument</Description></How>
  <Why><Inference probability="1.0"><Concept>process.variation.burst;em.gamma</Concept></Inference></Why>
</voe:VOEvent>
`);
}

let t: TestApp;
const get = (query: string): Promise<Response> =>
  fetch(`${t.httpUrl}/v1/notices?${query}`, { headers: { authorization: `Bearer ${t.token}` } });

describe('GET /v1/notices archive search', () => {
  before(async () => {
    t = await startTestApp();
    const port = t.ports.vtpReceiver;
    await sendEvent({ host: '127.0.0.1', port, bytes: gbmNotice(1, 10, 20, 3) });
    await sendEvent({ host: '127.0.0.1', port, bytes: gbmNotice(2, 200, -40, 5) });
    await sendEvent({ host: '127.0.0.1', port, bytes: gbmNotice(3, 12, 21, 2) });
    // Indexing runs after each stored notice: wait until all three are searchable.
    for (let k = 0; k < 200; k++) {
      const body = (await (await get('messenger=gamma')).json()) as { notices: unknown[] };
      if (body.notices.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(async () => {
    await t.stop();
  });

  it('filters, pages by cursor and gives a Link to the next page', async () => {
    const first = await get('observatory=fermi&limit=2');
    assert.equal(first.status, 200);
    const page = (await first.json()) as {
      notices: Array<{ notice: { ivorn: string } }>;
      nextCursor: string;
    };
    assert.equal(page.notices.length, 2);
    assert.match(first.headers.get('link') ?? '', /rel="next"/);
    const second = (await (await get(`observatory=fermi&limit=2&cursor=${page.nextCursor}`)).json()) as {
      notices: Array<{ notice: { ivorn: string } }>;
      nextCursor?: string;
    };
    assert.equal(second.notices.length, 1);
    assert.equal(second.nextCursor, undefined);
    assert.match(second.notices[0]?.notice.ivorn ?? '', /GBM_Gnd_Pos_2024-01-03/);
  });

  it('answers position queries: point, cone and MOC', async () => {
    const ids = async (q: string): Promise<string[]> =>
      ((await (await get(q)).json()) as { notices: Array<{ notice: { triggerId: string } }> }).notices.map(
        (n) => n.notice.triggerId,
      );
    assert.deepEqual(await ids('ra=11&dec=20.5'), ['Fermi:700000001', 'Fermi:700000003']);
    assert.deepEqual(await ids('ra=200&dec=-40&level=50'), ['Fermi:700000002']);
    assert.deepEqual(await ids('ra=100&dec=0&radius=5'), []);
    assert.deepEqual(await ids('ra=190&dec=-40&radius=6'), ['Fermi:700000002']);
    // Order-1 cells 0-47 are the whole sky; order-3 cell 0 is near RA 45°, Dec 5°.
    assert.deepEqual((await ids(`moc=${encodeURIComponent('1/0-47')}`)).length, 3);
  });

  it('returns CSV and the raw events (multipart, byte-identical)', async () => {
    const csv = await get('format=csv&q=700000002');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^noticeId,triggerId,/);
    assert.match(lines[1] ?? '', /Fermi:700000002/);
    const raw = await get('format=voevent&q=700000002');
    const type = raw.headers.get('content-type') ?? '';
    assert.match(type, /^multipart\/mixed; boundary=/);
    const body = Buffer.from(await raw.arrayBuffer());
    assert.ok(body.includes(gbmNotice(2, 200, -40, 5)));
  });

  it('keeps the outbox listing without archive parameters', async () => {
    const response = await get('after=0&limit=10');
    const records = (await response.json()) as Array<{ seq: number; type: string }>;
    assert.ok(Array.isArray(records));
    assert.equal(records.filter((r) => r.type === 'notice').length, 3);
  });

  it('takes the MOC as the body of a POST', async () => {
    const response = await fetch(`${t.httpUrl}/v1/notices?moc=`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/plain' },
      body: '1/0-47',
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { notices: unknown[] }).notices.length, 3);
  });

  it('serves the event group of a trigger, by trigger and by id', async () => {
    const auth = { headers: { authorization: `Bearer ${t.token}` } };
    const byTrigger = await fetch(`${t.httpUrl}/v1/event-groups?triggerId=Fermi%3A700000002`, auth);
    assert.equal(byTrigger.status, 200);
    const group = (await byTrigger.json()) as {
      id: string;
      triggers: Array<{ triggerId: string }>;
      timeline: Array<{ type: string; data: { triggerId: string } }>;
    };
    assert.deepEqual(
      group.triggers.map((x) => x.triggerId),
      ['Fermi:700000002'],
    );
    assert.deepEqual(
      group.timeline.map((e) => [e.type, e.data.triggerId]),
      [['notice', 'Fermi:700000002']],
    );
    const byId = await fetch(`${t.httpUrl}/v1/event-groups/${group.id}`, auth);
    assert.deepEqual(await byId.json(), group);
    assert.equal((await fetch(`${t.httpUrl}/v1/event-groups?triggerId=Nope%3A1`, auth)).status, 404);
    assert.equal((await fetch(`${t.httpUrl}/v1/event-groups/${group.id}`)).status, 401);
  });

  it('answers malformed queries with 400 and a code', async () => {
    for (const q of [
      'ra=10',
      'ra=10&dec=100',
      'format=xml',
      'level=90',
      'cursor=zzz',
      'bogus=1&q=x',
      'moc=9/x',
    ]) {
      const response = await get(q);
      assert.equal(response.status, 400, q);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'BAD_REQUEST', q);
    }
  });
});

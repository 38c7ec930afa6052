import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStreamClient, type StreamMessage } from '../src/sinks/websocket-client.ts';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createEventIngestor } from '../src/ingest/ingest-event.ts';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { EventStore } from '../src/store/event-store.ts';
import { parseVoEvent } from '../src/voevent/parse.ts';
import { createReceiver } from '../src/vtp/receiver.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from './helpers/shared.ts';
import { makeCoincidence } from './http/records.ts';
import { startTestApp } from './http/start-app.ts';

const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';

let subscribed = false;

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('app', { skip: skipUnlessShared() }, () => {
  it('turns a VOEvent submitted by VTP into a Notice on the WebSocket stream and in the REST API', async () => {
    const t = await startTestApp();
    try {
      const got: StreamMessage[] = [];
      const client = createStreamClient({ url: t.wsUrl, token: t.token, onMessage: (m) => got.push(m) });
      await client.ready;
      const bytes = readFileSync(samplePath(GBM_GND));
      const receipt = await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
      assert.equal(receipt.role, 'ack');
      await until(() => got.some((m) => m.type === 'notice'));
      const notice = got.find((m) => m.type === 'notice')?.data as { triggerId: string; ivorn: string };
      assert.equal(notice.triggerId, 'Fermi:716111594');
      await client.close();

      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      const versions = (await (
        await fetch(`${t.httpUrl}/v1/notices/Fermi%3A716111594`, auth)
      ).json()) as unknown[];
      assert.equal(versions.length, 1);
      const raw = await fetch(`${t.httpUrl}/v1/events/${encodeURIComponent(notice.ivorn)}`, auth);
      assert.equal(raw.status, 200);
      assert.ok(Buffer.from(await raw.arrayBuffer()).equals(bytes), 'raw event is byte-identical');
      const list = (await (await fetch(`${t.httpUrl}/v1/notices`, auth)).json()) as Array<{ seq: number }>;
      assert.deepEqual(
        list.map((r) => r.seq),
        [1],
      );
      const admin = { headers: { Authorization: `Bearer ${t.adminToken}` } };
      const metrics = await (await fetch(`${t.httpUrl}/metrics`, admin)).text();
      assert.match(metrics, /coincide_events_in_total\{outcome="accepted",source="vtp-receiver"\} 1/);
      assert.match(metrics, /coincide_events_out_total\{sink="websocket"\} 1/);
      const health = (await (await fetch(`${t.httpUrl}/healthz`, admin)).json()) as {
        status: string;
        inputs: Record<string, { lagSec: number }>;
      };
      assert.equal(health.status, 'ok');
      assert.ok((health.inputs['vtp-receiver']?.lagSec ?? -1) >= 0);
    } finally {
      await t.stop();
    }
  });

  it('naks a schema-invalid submission and counts it as a parse error, publishing nothing', async () => {
    const t = await startTestApp();
    try {
      const bytes = Buffer.from(
        readFileSync(samplePath(GBM_GND), 'utf8').replace('<What>', '<Bogus>not in the schema</Bogus><What>'),
      );
      const receipt = await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
      assert.equal(receipt.role, 'nak');
      assert.equal(t.app.metrics.parseErrors.get({ source: 'vtp-receiver' }), 1);
      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      assert.deepEqual(await (await fetch(`${t.httpUrl}/v1/notices`, auth)).json(), []);
    } finally {
      await t.stop();
    }
  });

  it('subscribes to a remote broker (--remote): events relayed by it become Notices here, relayed on once', async () => {
    const upstream = await startTestApp();
    const downstream = await startTestApp({
      flags: { remote: [`127.0.0.1:${upstream.ports.vtpBroadcaster}`] },
    });
    try {
      const got: StreamMessage[] = [];
      const client = createStreamClient({
        url: downstream.wsUrl,
        token: downstream.token,
        onMessage: (m) => got.push(m),
      });
      await client.ready;
      // Wait until the downstream subscriber is connected to the upstream broadcaster.
      await until(() => {
        void fetch(`${upstream.httpUrl}/healthz`, {
          headers: { Authorization: `Bearer ${upstream.adminToken}` },
        })
          .then((r) => r.json())
          .then((h: { vtpSubscribers?: number }) => {
            subscribed = (h.vtpSubscribers ?? 0) >= 1;
          });
        return subscribed;
      }, 15_000);
      const bytes = readFileSync(samplePath(GBM_GND));
      const receipt = await sendEvent({ host: '127.0.0.1', port: upstream.ports.vtpReceiver, bytes });
      assert.equal(receipt.role, 'ack');
      await until(() => got.some((m) => m.type === 'notice'), 15_000);
      const stored = await fetch(
        `${downstream.httpUrl}/v1/events/${encodeURIComponent('ivo://nasa.gsfc.gcn/Fermi#GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491')}`,
        {
          headers: { Authorization: `Bearer ${downstream.token}` },
        },
      );
      assert.ok(Buffer.from(await stored.arrayBuffer()).equals(bytes), 'relayed byte-identical');
      assert.equal(downstream.app.metrics.eventsIn.get({ source: 'vtp-subscriber', outcome: 'accepted' }), 1);
      await client.close();
    } finally {
      await downstream.stop();
      await upstream.stop();
    }
  });

  it('acknowledges a resubmitted event as a duplicate without publishing it twice', async () => {
    const t = await startTestApp();
    try {
      const bytes = readFileSync(samplePath(GBM_GND));
      await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
      await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
      // The notice is published after the ack (normalisation runs after it): wait for it.
      await until(() => t.app.metrics.outboxSeq.get() >= 1, 30_000);
      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      const list = (await (await fetch(`${t.httpUrl}/v1/notices`, auth)).json()) as unknown[];
      assert.equal(list.length, 1);
    } finally {
      await t.stop();
    }
  });
});

describe('app outputs', () => {
  it('sends each coincidence as a VOEvent to a remote VTP receiver, a withdrawal citing it, and writes JSONL', async () => {
    const remoteDir = (await import('node:fs')).mkdtempSync(
      join((await import('node:os')).tmpdir(), 'coincide-remote-'),
    );
    const remoteDb = openDatabase({ path: join(remoteDir, 'remote.db') });
    const remoteStore = new EventStore({ db: remoteDb });
    const remote = createReceiver({
      ingestor: createEventIngestor({ store: remoteStore, logger: silentLogger, clock: systemClock }),
      localIvo: 'ivo://remote.test/node',
      logger: silentLogger,
      clock: systemClock,
      port: 0,
      host: '127.0.0.1',
    });
    const { port } = await remote.start();
    const jsonlPath = join(remoteDir, 'out.jsonl');
    const t = await startTestApp({ flags: { 'send-to': [`127.0.0.1:${port}`], jsonl: jsonlPath } });
    try {
      const first = t.app.publishCoincidence(makeCoincidence());
      const second = t.app.publishCoincidence(makeCoincidence({ status: 'withdrawn' }));
      const ivornOf = (seq: number): string =>
        `ivo://coincide.local/broker#coincidence-c-757418405-ZTF25aaaaaaa-${seq}`;
      await until(() => remoteStore.eventsByIvorn(ivornOf(second.seq)).length === 1);
      const withdrawal = parseVoEvent(remoteStore.eventsByIvorn(ivornOf(second.seq))[0]?.bytes ?? '');
      assert.deepEqual(withdrawal.citations[1], { ivorn: ivornOf(first.seq), cite: 'retraction' });
      assert.equal(remoteStore.eventsByIvorn(ivornOf(first.seq)).length, 1);
      await until(() => t.app.metrics.eventsOut.get({ sink: 'vtp-sender' }) === 2);
      const lines = readFileSync(jsonlPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; seq: number });
      assert.deepEqual(
        lines.map((l) => [l.type, l.seq]),
        [
          ['coincidence', 1],
          ['withdrawn', 2],
        ],
      );
    } finally {
      await t.stop();
      await remote.stop();
      remoteStore.close();
      remoteDb.close();
      rmSync(remoteDir, { recursive: true, force: true });
    }
  });
});

describe('app REST API', () => {
  it('answers JSON errors with a code: 401 without a token, 404 for unknown resources, 400 for bad queries', async () => {
    const t = await startTestApp();
    try {
      const noToken = await fetch(`${t.httpUrl}/v1/notices`);
      assert.equal(noToken.status, 401);
      assert.deepEqual(((await noToken.json()) as { error: { code: string } }).error.code, 'AUTH_REQUIRED');
      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      const missing = await fetch(`${t.httpUrl}/v1/notices/Nobody%3A1`, auth);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
      const badTier = await fetch(`${t.httpUrl}/v1/coincidences?tier=platinum`, auth);
      assert.equal(badTier.status, 400);
      assert.equal(((await badTier.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
      assert.equal((await fetch(`${t.httpUrl}/nothing`)).status, 404);
    } finally {
      await t.stop();
    }
  });

  it('lists coincidences and withdrawals after a seq or a time, filtered by tier', async () => {
    const t = await startTestApp();
    try {
      t.app.publishCoincidence(makeCoincidence({ tier: 'gold' }));
      t.app.publishCoincidence(makeCoincidence({ tier: 'bronze' }));
      t.app.publishCoincidence(makeCoincidence({ tier: 'gold', status: 'withdrawn' }));
      const auth = { headers: { Authorization: `Bearer ${t.token}` } };
      const get = async (query: string): Promise<Array<{ seq: number; type: string }>> =>
        (await (await fetch(`${t.httpUrl}/v1/coincidences${query}`, auth)).json()) as Array<{
          seq: number;
          type: string;
        }>;
      assert.deepEqual(
        (await get('')).map((r) => r.seq),
        [1, 2, 3],
      );
      assert.deepEqual(
        (await get('?since=1')).map((r) => r.seq),
        [2, 3],
      );
      assert.deepEqual(
        (await get('?tier=gold')).map((r) => [r.seq, r.type]),
        [
          [1, 'coincidence'],
          [3, 'withdrawn'],
        ],
      );
      assert.deepEqual(
        (await get('?since=2000-01-01T00:00:00Z')).map((r) => r.seq),
        [1, 2, 3],
      );
      assert.deepEqual(await get('?since=2999-01-01T00:00:00Z'), []);
    } finally {
      await t.stop();
    }
  });

  it('exposes Prometheus metrics with HELP and TYPE lines, including the WebSocket client gauge', async () => {
    const t = await startTestApp();
    try {
      const response = await fetch(`${t.httpUrl}/metrics`, {
        headers: { Authorization: `Bearer ${t.adminToken}` },
      });
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      assert.match(text, /# TYPE coincide_join_latency_seconds histogram/);
      assert.match(text, /# TYPE coincide_websocket_clients gauge/);
      assert.match(text, /# HELP coincide_events_in_total /);
    } finally {
      await t.stop();
    }
  });
});

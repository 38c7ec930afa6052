import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '../../src/logger.ts';
import { createStreamClient, type StreamMessage } from '../../src/sinks/websocket-client.ts';
import { writeMultiOrderSkyMap } from '../../src/sky/fits-writer.ts';
import { unixMsToMjd } from '../../src/time/mjd.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';
import { makeAlert } from '../join/make-records.ts';
import { syntheticCells } from '../sky/synthetic-maps.ts';

/** An LVK Update VOEvent whose sky map is a GraceDB https URL (replaced by a loopback one). */
const LVK_UPDATE = 'voevent/gw/S230518h-3-Update.xml';
const GRACEDB_URL = 'https://gracedb.ligo.org/api/superevents/S230518h/files/Bilby.multiorder.fits,0';
const T0_MJD = unixMsToMjd(Date.parse('2023-05-18T12:59:08Z'));
/** The synthetic map: a Gaussian blob of σ = 3° at (RA 150°, Dec −30°). */
const MAP = { raDeg: 150, decDeg: -30 };

async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface MapServer {
  server: Server;
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function serveMap(bytes: Uint8Array): Promise<MapServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/fits', 'content-length': bytes.length });
    res.end(Buffer.from(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}/api/superevents/S230518h/files/Bilby.multiorder.fits,0`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function mapBytes(): Uint8Array {
  return writeMultiOrderSkyMap(
    syntheticCells({ name: 'app', ...MAP, sigmaDeg: 3, baseOrder: 3, fineOrder: 6, refineWithinDeg: 20 }),
  );
}

function lvkEventWithMap(url: string): Buffer {
  const xml = readFileSync(samplePath(LVK_UPDATE), 'utf8');
  assert.ok(xml.includes(GRACEDB_URL));
  return Buffer.from(xml.replace(GRACEDB_URL, url));
}

interface CoincidenceData {
  status: string;
  trigger: { triggerId: string };
  counterpart: { objectId: string };
  credibleLevel?: number;
}

/** The value of coincide_skymap_loads_total{outcome} on the service's /metrics page. */
async function skymapLoads(t: TestApp, outcome: 'loaded' | 'failed'): Promise<number> {
  const auth = { headers: { Authorization: `Bearer ${t.adminToken}` } };
  const text = await (await fetch(`${t.httpUrl}/metrics`, auth)).text();
  const match = new RegExp(`^coincide_skymap_loads_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

async function untilAsync(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const coincidencesOf = (got: StreamMessage[]): CoincidenceData[] =>
  got.filter((m) => m.type === 'coincidence').map((m) => m.data as CoincidenceData);

describe('app: sky-map notices', { skip: skipUnlessShared() }, () => {
  it('loads the sky map of an LVK VOEvent from its URL and matches optical alerts inside the 90% region, before and after the notice', async () => {
    const maps = await serveMap(mapBytes());
    const dir = mkdtempSync(join(tmpdir(), 'coincide-skymap-app-'));
    const logger = createMemoryLogger();
    try {
      const t = await startTestApp({ dir, logger, flags: { 'skymap-allow-loopback-http': 'true' } });
      try {
        const got: StreamMessage[] = [];
        const client = createStreamClient({ url: t.wsUrl, token: t.token, onMessage: (m) => got.push(m) });
        await client.ready;
        // Buffered before the notice: found by the backward join once the map is loaded.
        t.app.onOpticalAlerts([
          makeAlert({
            objectId: 'early-inside',
            raDeg: MAP.raDeg + 1,
            decDeg: MAP.decDeg,
            timeMjd: T0_MJD + 0.5,
          }),
        ]);
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: t.ports.vtpReceiver,
          bytes: lvkEventWithMap(maps.url),
        });
        assert.equal(receipt.role, 'ack');
        await until(() => coincidencesOf(got).length >= 1);
        // After the notice: matched by the forward join; the one 60° away is not.
        t.app.onOpticalAlerts([
          makeAlert({
            objectId: 'late-inside',
            raDeg: MAP.raDeg,
            decDeg: MAP.decDeg - 2,
            timeMjd: T0_MJD + 2,
          }),
          makeAlert({ objectId: 'outside', raDeg: MAP.raDeg, decDeg: MAP.decDeg + 60, timeMjd: T0_MJD + 2 }),
        ]);
        await until(() => coincidencesOf(got).length >= 2);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const found = coincidencesOf(got);
        assert.deepEqual(found.map((c) => c.counterpart.objectId).sort(), ['early-inside', 'late-inside']);
        for (const c of found) {
          assert.equal(c.trigger.triggerId, 'LVK:S230518h');
          assert.equal(c.status, 'candidate');
          assert.ok(
            c.credibleLevel !== undefined && c.credibleLevel < 0.9,
            `credible level ${c.credibleLevel}`,
          );
        }
        const notice = got.find((m) => m.type === 'notice')?.data as {
          region: { type: string; url: string };
        };
        assert.deepEqual(notice.region, { type: 'skymap', url: maps.url });
        assert.equal(maps.requests.length, 1);
        assert.equal(await skymapLoads(t, 'loaded'), 1);
        assert.ok(logger.records.some((r) => r.msg === 'sky map loaded' && r.triggerId === 'LVK:S230518h'));
        // The default cache directory is next to the database.
        assert.ok(readdirSync(join(dir, 'coincide-skymaps')).some((f) => f.endsWith('.fits')));
        await client.close();
      } finally {
        await t.stop();
      }

      // Restart with the map server gone: the warm start takes the map from the disk cache.
      await maps.close();
      const again = await startTestApp({ dir, flags: { 'skymap-allow-loopback-http': 'true' } });
      try {
        const got: StreamMessage[] = [];
        const client = createStreamClient({
          url: again.wsUrl,
          token: again.token,
          onMessage: (m) => got.push(m),
        });
        await client.ready;
        await untilAsync(async () => (await skymapLoads(again, 'loaded')) === 1);
        again.app.onOpticalAlerts([
          makeAlert({
            objectId: 'after-restart',
            raDeg: MAP.raDeg - 1,
            decDeg: MAP.decDeg,
            timeMjd: T0_MJD + 3,
          }),
        ]);
        await until(() => coincidencesOf(got).some((c) => c.counterpart.objectId === 'after-restart'));
        await client.close();
      } finally {
        await again.stop();
      }
    } finally {
      await maps.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes the notice but joins it without a region when its sky map cannot be loaded, and says so in the log and metrics', async () => {
    const maps = await serveMap(mapBytes());
    const logger = createMemoryLogger();
    // Plain http is refused without skymap.allowLoopbackHttp.
    const t = await startTestApp({ logger });
    try {
      const got: StreamMessage[] = [];
      const client = createStreamClient({ url: t.wsUrl, token: t.token, onMessage: (m) => got.push(m) });
      await client.ready;
      const receipt = await sendEvent({
        host: '127.0.0.1',
        port: t.ports.vtpReceiver,
        bytes: lvkEventWithMap(maps.url),
      });
      assert.equal(receipt.role, 'ack');
      await until(() => got.some((m) => m.type === 'notice'));
      await untilAsync(async () => (await skymapLoads(t, 'failed')) === 1);
      t.app.onOpticalAlerts([
        makeAlert({ objectId: 'inside', raDeg: MAP.raDeg, decDeg: MAP.decDeg, timeMjd: T0_MJD + 1 }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(coincidencesOf(got), []);
      assert.equal(maps.requests.length, 0);
      const warning = logger.records.find((r) => r.code === 'FETCH_FAILED');
      assert.ok(warning, 'a log line names the error code');
      assert.equal(warning.triggerId, 'LVK:S230518h');
      assert.equal(warning.level, 'warn');
      await client.close();
    } finally {
      await t.stop();
      await maps.close();
    }
  });

  it('refuses plain http to a non-loopback host even with skymap.allowLoopbackHttp', async () => {
    const logger = createMemoryLogger();
    const t = await startTestApp({ logger, flags: { 'skymap-allow-loopback-http': 'true' } });
    try {
      const receipt = await sendEvent({
        host: '127.0.0.1',
        port: t.ports.vtpReceiver,
        bytes: lvkEventWithMap('http://gracedb.example.org/S230518h/Bilby.multiorder.fits'),
      });
      assert.equal(receipt.role, 'ack');
      await until(() => logger.records.some((r) => r.code === 'FETCH_FAILED'));
      const warning = logger.records.find((r) => r.code === 'FETCH_FAILED');
      assert.match(String(warning?.error), /protocol http: is not allowed/);
      assert.ok(
        !existsSync(join(t.dir, 'coincide-skymaps')) ||
          readdirSync(join(t.dir, 'coincide-skymaps')).length === 0,
      );
    } finally {
      await t.stop();
    }
  });
});

/**
 * End to end, with the real service process (`node bin/coincide.js serve`, ports 0, a temp
 * database): a WebSocket client with a token, a GRB VOEvent submitted by VTP, an optical alert
 * dropped into a watched folder, the coincidence received on the WebSocket and, as a VOEvent,
 * by a real Comet 3.1.0 subscribed to our broadcaster; then SIGKILL, restart, and the client
 * resumes with no gap and no duplicate.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { readAlertFile } from '../../src/optical/file-source.ts';
import { createStreamClient, type StreamMessage } from '../../src/sinks/websocket-client.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { skipUnlessVenv } from '../helpers/python.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { startComet, type CometBroker } from '../peers/processes.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const LOCAL_IVO = 'ivo://coincide.e2e/broker';
const LSST_ALERT = 'lsst-avro/v10_0/fakeAlert.avro';
const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';
const SVOM_ECLAIRS = 'voevent/grb/eclairs_296.xml';
const skip = skipUnlessShared() || skipUnlessVenv('twistd');

const dir = mkdtempSync(join(tmpdir(), 'coincide-e2e-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A Fermi GBM ground position built from a real notice, moved to a given trigger time,
 * position and trigger number (every other byte as GCN wrote it).
 */
function gbmNotice(options: {
  timeMjd: number;
  raDeg: number;
  decDeg: number;
  trigId: number;
  seq: number;
}): Buffer {
  const iso = new Date(mjdToUnixMs(options.timeMjd)).toISOString().slice(0, 22);
  const ivornId = `GBM_Gnd_Pos_${iso}_${options.trigId}_${options.seq}-491`;
  const xml = readFileSync(samplePath(GBM_GND), 'utf8')
    .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, ivornId)
    .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${options.trigId}"`)
    .replace(/name="Sequence_Num" value="58"/, `name="Sequence_Num" value="${options.seq}"`)
    .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
    .replace(/<C1>[^<]+<\/C1>/, `<C1>${options.raDeg.toFixed(4)}</C1>`)
    .replace(/<C2>[^<]+<\/C2>/, `<C2>${options.decDeg.toFixed(4)}</C2>`);
  return Buffer.from(xml, 'utf8');
}

/** An SVOM ECLAIRs wake-up built from a real notice, moved to a given time, position and burst id. */
function svomNotice(options: { timeMjd: number; raDeg: number; decDeg: number; burstId: string }): Buffer {
  const iso = new Date(mjdToUnixMs(options.timeMjd)).toISOString().slice(0, 23);
  const xml = readFileSync(samplePath(SVOM_ECLAIRS), 'utf8')
    .replace(/sb26021102/g, options.burstId)
    .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
    .replace(/<C1>[^<]+<\/C1>/, `<C1>${options.raDeg.toFixed(4)}</C1>`)
    .replace(/<C2>[^<]+<\/C2>/, `<C2>${options.decDeg.toFixed(4)}</C2>`);
  return Buffer.from(xml, 'utf8');
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('coincide serve end to end', { skip, timeout: 300_000 }, () => {
  it('delivers a GRB x optical coincidence on the WebSocket and to a Comet subscriber, and resumes after SIGKILL with no gap', async () => {
    const dbPath = join(dir, 'coincide.db');
    const opticalDir = join(dir, 'optical');
    mkdirSync(opticalDir);
    const token = createTestToken(dbPath, 'e2e');
    const adminAuth = {
      headers: { Authorization: `Bearer ${createTestToken(dbPath, 'e2e-admin', { scopes: ['admin'] })}` },
    };
    const serveArgs = ['--local-ivo', LOCAL_IVO, '--optical-path', opticalDir, '--optical-poll-ms', '100'];
    let serve: ServeProcess = await startServe({ dbPath, args: serveArgs, timeoutMs: 120_000 });
    const httpPort = serve.ports.http ?? 0;
    let comet: CometBroker | undefined;
    const messages: StreamMessage[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${httpPort}/v1/stream`,
      token,
      since: 0,
      minBackoffMs: 50,
      maxBackoffMs: 500,
      onMessage: (m) => {
        if (m.type !== 'heartbeat') messages.push(m);
      },
    });
    try {
      comet = await startComet(
        [
          '--remote',
          `127.0.0.1:${serve.ports['vtp-broadcaster'] ?? 0}`,
          '--local-ivo',
          'ivo://test.comet/e2e',
          '--save-event',
          '--save-event-directory',
          '{SAVE_DIR}',
        ],
        /Starting factory|starting up/,
      );
      await client.ready;
      const healthz = `http://127.0.0.1:${httpPort}/healthz`;
      let subscribed = false;
      await until('Comet to subscribe to our broadcaster', () => {
        void fetch(healthz, adminAuth)
          .then((r) => r.json())
          .then((h: { vtpSubscribers?: number }) => {
            subscribed = (h.vtpSubscribers ?? 0) >= 1;
          });
        return subscribed ? true : undefined;
      });

      // The optical candidate: a real Rubin/LSST alert; the GRB is placed 0.5 deg away, 12 h before
      // the object's first detection.
      const [alert] = await readAlertFile(samplePath(LSST_ALERT), new OpticalAlertDecoder());
      assert.ok(alert);
      const t0Mjd = alert.firstDetectionMjd - 0.5;
      const grb = gbmNotice({
        timeMjd: t0Mjd,
        raDeg: alert.raDeg + 0.5,
        decDeg: alert.decDeg,
        trigId: 990000001,
        seq: 58,
      });
      const receipt = await sendEvent({
        host: '127.0.0.1',
        port: serve.ports['vtp-receiver'] ?? 0,
        bytes: grb,
      });
      assert.equal(receipt.role, 'ack');
      const notice = await until('the notice', () => messages.find((m) => m.type === 'notice'));
      assert.equal((notice.data as { triggerId: string }).triggerId, 'Fermi:990000001');

      copyFileSync(samplePath(LSST_ALERT), join(dir, 'alert.tmp'));
      renameSync(join(dir, 'alert.tmp'), join(opticalDir, 'alert.avro'));
      const coincidence = await until('the coincidence', () =>
        messages.find((m) => m.type === 'coincidence'),
      );
      const data = coincidence.data as {
        trigger: { triggerId: string };
        counterpart: { alertId: string; survey: string };
        pChance: number;
      };
      assert.equal(data.trigger.triggerId, 'Fermi:990000001');
      assert.equal(data.counterpart.survey, 'LSST');
      assert.equal(data.counterpart.alertId, alert.alertId);
      assert.ok(data.pChance >= 0 && data.pChance <= 1);

      // The same coincidence, as a VOEvent, saved by the Comet subscriber.
      const cometDir = comet.saveDir;
      const saved = await until('the VOEvent at Comet', () => {
        for (const name of readdirSync(cometDir)) {
          const text = readFileSync(join(cometDir, name), 'utf8');
          if (text.includes(`${LOCAL_IVO}#coincidence-`)) return text;
        }
        return undefined;
      });
      assert.match(saved, /<EventIVORN cite="followup">ivo:\/\/nasa\.gsfc\.gcn\/Fermi#GBM_Gnd_Pos_/);
      assert.match(saved, /name="p_chance"/);

      // An SVOM ECLAIRs trigger over the same candidate: its coincidence VOEvent reaches Comet too.
      const svom = svomNotice({
        timeMjd: alert.firstDetectionMjd - 0.3,
        raDeg: alert.raDeg + 0.02,
        decDeg: alert.decDeg,
        burstId: 'sb99000001',
      });
      const svomReceipt = await sendEvent({
        host: '127.0.0.1',
        port: serve.ports['vtp-receiver'] ?? 0,
        bytes: svom,
      });
      assert.equal(svomReceipt.role, 'ack', svomReceipt.result);
      await until('the SVOM coincidence', () =>
        messages.find(
          (m) =>
            m.type === 'coincidence' &&
            (m.data as { trigger: { triggerId: string } }).trigger.triggerId === 'SVOM:sb99000001',
        ),
      );
      await until('the SVOM coincidence VOEvent at Comet', () => {
        for (const name of readdirSync(cometDir)) {
          const text = readFileSync(join(cometDir, name), 'utf8');
          if (
            text.includes(
              '<EventIVORN cite="followup">ivo://org.svom/fsc#sb99000001_eclairs-wakeup</EventIVORN>',
            )
          )
            return text;
        }
        return undefined;
      });

      // SIGKILL, then a restart on the same database and HTTP port: the client resumes by itself.
      assert.equal(await serve.stop('SIGKILL'), null);
      serve = await startServe({ dbPath, args: serveArgs, httpPort, timeoutMs: 120_000 });
      const update = gbmNotice({
        timeMjd: t0Mjd,
        raDeg: alert.raDeg + 0.4,
        decDeg: alert.decDeg,
        trigId: 990000002,
        seq: 1,
      });
      const again = await sendEvent({
        host: '127.0.0.1',
        port: serve.ports['vtp-receiver'] ?? 0,
        bytes: update,
      });
      assert.equal(again.role, 'ack');
      await until('the notice after the restart', () =>
        messages.find(
          (m) => m.type === 'notice' && (m.data as { triggerId: string }).triggerId === 'Fermi:990000002',
        ),
      );
      const seqs = messages.map((m) => m.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
        'every seq once, in order, none missing',
      );
    } finally {
      await client.close();
      await comet?.stop();
      comet?.removeDir();
      await serve.stop();
    }
  });
});

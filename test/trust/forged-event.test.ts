/**
 * Authors you can trust (issue 12): a forged GW event from a source that is not trusted makes
 * no coincidence, while the same pair from a trusted author does; a protected authority is
 * nak'ed, with a reason, from any source its rules do not name. The second loopback address
 * (127.0.0.2) plays the untrusted author: the receiver's whitelist lets it in (127.0.0.0/8),
 * the trusted sources do not include it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';

const LVK = 'voevent/gw/LVC_real_preliminary.xml';
const GBM = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';
const skip = skipUnlessShared();
const T0_MJD = 61_000.5;

function isoOf(mjd: number): string {
  return new Date(mjdToUnixMs(mjd)).toISOString().slice(0, 23);
}

/** A GW preliminary VOEvent of superevent `id` at `mjd` (real LVK bytes, renamed and moved). */
function gwEvent(id: string, mjd: number): Buffer {
  const xml = readFileSync(samplePath(LVK), 'utf8')
    .replace(/S230518h/g, id)
    .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${isoOf(mjd)}</ISOTime>`);
  return Buffer.from(xml, 'utf8');
}

/** A Fermi GBM ground position of trigger `trigId` at `mjd` (real GCN bytes, renamed and moved). */
function gbmEvent(trigId: number, mjd: number): Buffer {
  const xml = readFileSync(samplePath(GBM), 'utf8')
    .replace(
      /GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/,
      `GBM_Gnd_Pos_${isoOf(mjd)}_${trigId}_58-491`,
    )
    .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${trigId}"`)
    .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${isoOf(mjd)}</ISOTime>`);
  return Buffer.from(xml, 'utf8');
}

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The outbox rows of one type, as [triggerId of the row, json]. */
function outboxRows(t: TestApp, type: string): Array<{ triggerId: string; json: string }> {
  const db = openDatabase({ path: t.dbPath, readonly: true });
  try {
    return db
      .prepare('SELECT trigger_id AS triggerId, json FROM serve_outbox WHERE type = ? ORDER BY seq')
      .all(type) as Array<{
      triggerId: string;
      json: string;
    }>;
  } finally {
    db.close();
  }
}

const send = (t: TestApp, bytes: Buffer, localAddress = '127.0.0.1') =>
  sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes, localAddress, timeoutMs: 30_000 });

describe('authors you can trust', { skip }, () => {
  it('a forged GW event from an untrusted author makes no coincidence; from a trusted one it does', async () => {
    const t = await startTestApp({
      flags: {
        'receive-whitelist': ['127.0.0.0/8'],
        'trusted-source': ['127.0.0.1/32'],
        // The LVK map URL is not reachable here: the GW joins on its notice's own region.
        'skymap-timeout-ms': '2000',
      },
    });
    try {
      // Trusted: GW at T0 and GBM 1 s later, both from 127.0.0.1 -> a GW x GRB coincidence.
      assert.equal((await send(t, gwEvent('S990101a', T0_MJD))).role, 'ack');
      assert.equal((await send(t, gbmEvent(900_000_001, T0_MJD + 1 / 86_400))).role, 'ack');
      await until('the trusted coincidence', () =>
        outboxRows(t, 'coincidence').some((r) => r.json.includes('S990101a')),
      );

      // Forged: GW from 127.0.0.2 (accepted, stored, published), GBM from 127.0.0.1.
      const forged = await send(t, gwEvent('S990101b', T0_MJD + 0.1), '127.0.0.2');
      assert.equal(forged.role, 'ack', 'an unprotected authority is accepted from a whitelisted author');
      assert.equal((await send(t, gbmEvent(900_000_002, T0_MJD + 0.1 + 1 / 86_400))).role, 'ack');
      await until('both notices published', () => {
        const notices = outboxRows(t, 'notice').map((r) => r.json);
        return notices.some((j) => j.includes('S990101b')) && notices.some((j) => j.includes('900000002'));
      });
      // Anything the GBM notice could join has been committed with it (one transaction).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const coincidences = outboxRows(t, 'coincidence');
      assert.deepEqual(
        coincidences.filter((r) => r.json.includes('S990101b')).map((r) => r.triggerId),
        [],
        'no coincidence with the forged GW event',
      );
      // Its source is recorded with it.
      const db = openDatabase({ path: t.dbPath, readonly: true });
      try {
        const row = db
          .prepare(
            "SELECT input, peer, trusted FROM events WHERE ivorn = 'ivo://gwnet/LVC#S990101b-1-Preliminary'",
          )
          .get() as { input: string; peer: string; trusted: number };
        assert.equal(row.input, 'vtp-receiver');
        assert.match(row.peer, /^127\.0\.0\.2:\d+$/);
        assert.equal(row.trusted, 0);
      } finally {
        db.close();
      }
    } finally {
      await t.stop();
    }
  });

  it('naks a protected authority from a source its rules do not name, with the reason', async () => {
    const t = await startTestApp({
      flags: {
        'receive-whitelist': ['127.0.0.0/8'],
        'trust-authority': ['gwnet@127.0.0.1/32'],
        'skymap-timeout-ms': '2000',
      },
    });
    try {
      const forged = await send(t, gwEvent('S990102a', T0_MJD), '127.0.0.2');
      assert.equal(forged.role, 'nak');
      assert.match(forged.result ?? '', /ivorn authority gwnet is not accepted from 127\.0\.0\.2/);
      // Other authorities from the same author are accepted; gwnet from its own source too.
      assert.equal((await send(t, gbmEvent(900_000_003, T0_MJD), '127.0.0.2')).role, 'ack');
      assert.equal((await send(t, gwEvent('S990102b', T0_MJD))).role, 'ack');
    } finally {
      await t.stop();
    }
  });

  it('refuses every author that is not on loopback by default', async () => {
    const t = await startTestApp();
    try {
      assert.deepEqual(t.app.config.vtp.receiveWhitelist, ['127.0.0.0/8', '::1/128']);
    } finally {
      await t.stop();
    }
  });
});

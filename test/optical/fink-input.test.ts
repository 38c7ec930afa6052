/**
 * Fink's enriched alerts as an optical input: a message made the way Fink publishes and
 * fink-client reads (schema JSON as the key, schemaless Avro value; Fink's ZTF distribution
 * schema, test/helpers/fink_peer.py) decodes with Fink's added values kept, and those values go
 * through the join (forward and backward, over the SQLite buffer) into the coincidence record
 * (Avro v2) and the tier record, by fink-mm's names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Coincidence, OpticalSummary } from '../../src/join/coincidence.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { COINCIDENCE_SCHEMA, COINCIDENCE_SCHEMAS } from '../../src/sinks/avro/coincidence-avro.ts';
import { decodeValue, encodeValue } from '../../src/sinks/avro/versioned-schema.ts';
import { finkMmRecord } from '../../src/sinks/fink-mm-record.ts';
import { openDatabase } from '../../src/store/database.ts';
import { SqliteOpticalBuffer } from '../../src/store/optical-buffer.ts';
import { FINK_VALUES, finkAlertParams, runFinkPeer } from '../helpers/fink-alert.ts';
import { skipUnlessVenvModules } from '../helpers/python.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';

const skip = skipUnlessShared() || skipUnlessVenvModules(['fastavro']);
const dir = mkdtempSync(join(tmpdir(), 'coincide-fink-input-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const T0_MS = Date.UTC(2022, 6, 30, 15, 48, 54, 890);
const T0_JD = T0_MS / 86_400_000 + 2440587.5;
const RA = 225.0208;
const DEC = -69.4969;

function finkMessage(candid: bigint): { key: Buffer; value: Buffer } {
  const [out] = runFinkPeer([
    'encode',
    finkAlertParams({ candid, triggerJd: T0_JD, raDeg: RA + 0.001, decDeg: DEC }),
  ]);
  return { key: Buffer.from(out?.key as string), value: Buffer.from(out?.value as string, 'hex') };
}

function swiftNotice() {
  const iso = new Date(T0_MS).toISOString().slice(0, 22);
  const xml = readFileSync(samplePath('voevent/grb/voevent_number=392.xml'), 'utf8').replace(
    /<ISOTime>[^<]+<\/ISOTime>/,
    `<ISOTime>${iso}</ISOTime>`,
  );
  return parseNoticeDocument(xml);
}

function checkCarried(c: Coincidence | undefined, alert: OpticalAlert): void {
  assert.ok(c, 'a coincidence');
  const o = c.counterpart as OpticalSummary;
  assert.deepEqual(o.fink, alert.fink);
  assert.equal(o.rb, alert.rb);
  assert.equal(o.magnitude, alert.magnitude);
  // Through Avro (coincidence v2) unchanged …
  const encoded = encodeValue(COINCIDENCE_SCHEMA, c, 'avro');
  assert.deepStrictEqual(decodeValue(COINCIDENCE_SCHEMAS, encoded.value, encoded.headers), c);
  // … and into the tier record by fink-mm's names.
  const r = finkMmRecord(c);
  assert.equal(r.fink_class, FINK_VALUES.fink_class);
  assert.equal(r.rate, FINK_VALUES.mag_rate);
  assert.equal(r.snn_sn_vs_all, FINK_VALUES.snn_sn_vs_all);
  assert.equal(r.candid, BigInt(alert.alertId));
  assert.equal(r.rb, alert.rb);
  assert.equal(r.gcn_loc_error, 3);
  assert.equal(r.observatory, 'SWIFT');
}

describe('Fink-format optical input', { skip }, () => {
  test('decodes with the schema from the key and keeps Fink’s added values', () => {
    const candid = 2475433850015015123n;
    const { key, value } = finkMessage(candid);
    for (const projected of [true, false]) {
      const [alert] = new OpticalAlertDecoder({ projected }).decodeSchemaKeyed(key, value);
      assert.ok(alert);
      assert.equal(alert.alertId, candid.toString());
      assert.equal(alert.objectId, 'ZTF18abvcdqu');
      assert.equal(alert.timeMjd, T0_JD + 0.25 - 2400000.5);
      assert.ok(Math.abs((alert.rb ?? 0) - 0.93) < 1e-6);
      for (const [name, v] of Object.entries(FINK_VALUES)) assert.equal(alert.fink?.[name], v, name);
      assert.equal(alert.fink?.fink_broker_version, null); // in Fink's schema, null in this alert
    }
  });

  test('refuses a message without its schema key, and one whose key is not a schema', () => {
    const { value } = finkMessage(1n);
    const decoder = new OpticalAlertDecoder();
    assert.throws(() => decoder.decodeSchemaKeyed(null, value), { code: 'AVRO_UNKNOWN_SCHEMA' });
    assert.throws(() => decoder.decodeSchemaKeyed(Buffer.from('Fermi:1'), value), { code: 'AVRO_MALFORMED' });
  });

  test('carries Fink’s values into coincidence and tier records, forward and backward joins', () => {
    const { key, value } = finkMessage(2475433850015015124n);
    const [alert] = new OpticalAlertDecoder().decodeSchemaKeyed(key, value);
    assert.ok(alert);
    const notice = swiftNotice();
    // Forward: the notice, then the alert.
    const db1 = openDatabase({ path: join(dir, 'forward.sqlite') });
    const forward = createJoinEngine({ buffer: new SqliteOpticalBuffer(db1) });
    forward.onNotice(notice);
    checkCarried(forward.onOpticalAlert(alert)[0], alert);
    db1.close();
    // Backward: the alert waits in the SQLite buffer, then the notice.
    const db2 = openDatabase({ path: join(dir, 'backward.sqlite') });
    const backward = createJoinEngine({ buffer: new SqliteOpticalBuffer(db2) });
    assert.deepEqual(backward.onOpticalAlert(alert), []);
    checkCarried(backward.onNotice(notice)[0], alert);
    db2.close();
  });
});

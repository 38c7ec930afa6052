import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { CoincideError } from '../../src/errors.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import { HttpSchemaRegistry, LocalSchemaRegistry, rubinSchemaId } from '../../src/optical/schema-registry.ts';
import { encodeConfluentMessage } from '../../src/optical/wire-format.ts';
import { buildLsstRecords, LSST_SCHEMA_ID } from '../../scripts/optical/packets.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { sampleRecords } from './avro-fixtures.ts';
import { startRegistry } from './registry-server.ts';

function lsstMessage(schemaId: number): Buffer {
  const { compiled, records } = sampleRecords('lsst-avro/v11_0/fakeAlert.avro');
  return encodeConfluentMessage(schemaId, compiled.writerType.toBuffer(records[0]));
}

describe('schema registries and Confluent-framed LSST alerts', { skip: skipUnlessShared() }, () => {
  it("loads alert_packet's split schemas by version folder under Rubin ids (MAJOR*100+MINOR)", async () => {
    const registry = LocalSchemaRegistry.fromDirectory(samplePath('lsst-avro'));
    assert.deepEqual(registry.ids(), [704, 900, 1000, 1100]);
    assert.equal(rubinSchemaId(13, 10), 1310);
    const decoder = new OpticalAlertDecoder({ registry });
    const alert = await decoder.decodeConfluent(lsstMessage(1100));
    assert.equal(alert.alertId, '281323062375219200');
    assert.equal(alert.objectId, '281323062375219201');
    await assert.rejects(decoder.decodeConfluent(lsstMessage(1200)), { code: 'AVRO_UNKNOWN_SCHEMA' });
  });

  it('decodes synchronously once the schema id is known, and asks for the async path before', async () => {
    const registry = LocalSchemaRegistry.fromDirectory(samplePath('lsst-avro'));
    const decoder = new OpticalAlertDecoder({ registry });
    const message = lsstMessage(1100);
    assert.equal(decoder.decodeMessageSync(message), undefined);
    const [viaPromise] = await decoder.decodeMessage(message);
    assert.deepEqual(decoder.decodeMessageSync(message), [viaPromise]);
    assert.throws(() => decoder.decodeMessageSync(Buffer.from('not avro')), { code: 'AVRO_MALFORMED' });
  });

  it('decodes a full-size Confluent message the same as the container holding the same record', async () => {
    const registry = LocalSchemaRegistry.fromDirectory(samplePath('lsst-avro'));
    const { writerType, records } = buildLsstRecords({ count: 2, seed: 7 });
    for (const projected of [true, false]) {
      const decoder = new OpticalAlertDecoder({ registry, projected });
      const message = encodeConfluentMessage(LSST_SCHEMA_ID, writerType.toBuffer(records[1]));
      assert.ok(message.length > 80_000);
      const alert = await decoder.decodeConfluent(message);
      assert.equal(alert.alertId, '313853035123001000');
      assert.equal(alert.objectId, '313853035123999001');
      assert.equal(alert.nPreviousDetections, 31);
    }
  });

  it('fetches a schema from a registry URL once and caches it', async () => {
    const { compiled } = sampleRecords('lsst-avro/v11_0/fakeAlert.avro');
    const { url, requests, server } = await startRegistry(new Map([[1100, compiled.writerType.schema()]]));
    try {
      const decoder = new OpticalAlertDecoder({ registry: new HttpSchemaRegistry({ url }) });
      const message = lsstMessage(1100);
      const alerts = await Promise.all([decoder.decodeConfluent(message), decoder.decodeConfluent(message)]);
      await decoder.decodeConfluent(message);
      assert.deepEqual(requests, ['/schemas/ids/1100']);
      assert.equal(alerts[0].alertId, '281323062375219200');
      await assert.rejects(decoder.decodeConfluent(lsstMessage(4242)), { code: 'AVRO_UNKNOWN_SCHEMA' });
    } finally {
      server.close();
    }
  });

  it('reports a failing registry as retriable FETCH_FAILED and retries on the next message', async () => {
    const { compiled } = sampleRecords('lsst-avro/v11_0/fakeAlert.avro');
    const { url, requests, server } = await startRegistry(new Map([[1100, compiled.writerType.schema()]]), {
      failFirst: 1,
    });
    try {
      const decoder = new OpticalAlertDecoder({ registry: new HttpSchemaRegistry({ url }) });
      await assert.rejects(decoder.decodeConfluent(lsstMessage(1100)), {
        code: 'FETCH_FAILED',
        retriable: true,
      });
      assert.equal((await decoder.decodeConfluent(lsstMessage(1100))).alertId, '281323062375219200');
      assert.equal(requests.length, 2);
    } finally {
      server.close();
    }
  });

  it('follows no redirect: a 3xx answer fails, not retried, and the other host is never asked', async () => {
    const { compiled } = sampleRecords('lsst-avro/v11_0/fakeAlert.avro');
    const elsewhere = await startRegistry(new Map([[1100, compiled.writerType.schema()]]));
    const redirecting = createServer((req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${req.url ?? ''}` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const decoder = new OpticalAlertDecoder({
        registry: new HttpSchemaRegistry({ url: `http://127.0.0.1:${String(port)}` }),
      });
      await assert.rejects(decoder.decodeConfluent(lsstMessage(1100)), (error: CoincideError) => {
        assert.equal(error.code, 'FETCH_FAILED');
        assert.equal(error.retriable, false);
        assert.match(error.message, /HTTP 302 to http:\/\/127\.0\.0\.1:\d+\/schemas\/ids\/1100 not followed/);
        return true;
      });
      assert.deepEqual(elsewhere.requests, []);
    } finally {
      redirecting.close();
      elsewhere.server.close();
    }
  });

  it('refuses a Confluent message with no registry configured', async () => {
    await assert.rejects(new OpticalAlertDecoder().decodeConfluent(lsstMessage(1100)), {
      code: 'AVRO_UNKNOWN_SCHEMA',
    });
  });
});

/**
 * The sky-map bus (src/cluster/skymap-bus.ts) on the real broker: a 1.5 MB flat HEALPix map
 * (the real GBM sub-threshold sample, three 512 KiB chunks, over the broker's 1 MB default
 * message size whole) and a load failure, published by one bus and read back by another (another
 * instance, its own group): the same bytes (sha256), and the failure with its code. A reference
 * nothing was published for runs out of its wait with FETCH_FAILED.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { CoincideError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { CHUNK_BYTES, createSkyMapBus, needsSkyMapBus } from '../../src/cluster/skymap-bus.ts';
import { sha256Hex } from '../../src/sky/skymap-fetch.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { skipUnlessKafka, testKafka, uniqueName } from '../kafka/kafka-env.ts';

const skip = skipUnlessShared() || skipUnlessKafka();
const FLAT_MAP = 'skymaps/gbm_subthresh_546126856.048000_healpix.fits';

describe('cluster sky-map bus', { skip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'coincide-skymap-bus-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries a multi-MB map in chunks and a load failure to another instance', async () => {
    const topic = uniqueName('skymaps');
    const bus = (name: string) =>
      createSkyMapBus({
        kafka: testKafka(`skymap-bus-${name}`),
        topic,
        groupId: uniqueName(`skymaps-${name}`),
        lookbackMs: 3_600_000,
        dir: join(dir, name),
        clock: systemClock,
        logger: silentLogger,
      });
    const ingesting = bus('a');
    const other = bus('b');
    await ingesting.start();
    await other.start();
    try {
      const bytes = new Uint8Array(readFileSync(samplePath(FLAT_MAP)));
      assert.ok(bytes.length > 2 * CHUNK_BYTES, `the map needs several chunks (${bytes.length} bytes)`);
      const url = 'https://gracedb.ligo.org/api/superevents/S261207c/files/gbm.fits';
      const embedded = `embedded:sha256:${sha256Hex(bytes)}`;
      const refused = 'https://example.org/not-allowed.fits';
      await ingesting.publish(url, bytes);
      await ingesting.publish(embedded, bytes);
      await ingesting.publish(refused, new CoincideError('FETCH_FAILED', `${refused}: host not allowed`));

      const received = await other.bytesFor(url, 60_000);
      assert.equal(sha256Hex(received), sha256Hex(bytes));
      assert.equal(received.length, bytes.length);
      assert.equal(sha256Hex(await other.bytesFor(embedded, 60_000)), sha256Hex(bytes));
      await assert.rejects(other.bytesFor(refused, 60_000), (error: unknown) => {
        assert.ok(error instanceof CoincideError);
        assert.equal(error.code, 'FETCH_FAILED');
        assert.match(error.message, /host not allowed/);
        return true;
      });
      await assert.rejects(other.bytesFor('https://example.org/never.fits', 500), (error: unknown) => {
        assert.ok(error instanceof CoincideError);
        assert.equal(error.code, 'FETCH_FAILED');
        return true;
      });
      // The ingesting instance reads its own publications too (it joins from the bus as well).
      assert.equal(sha256Hex(await ingesting.bytesFor(url, 60_000)), sha256Hex(bytes));
      const health = other.health();
      assert.equal(health.maps, 2);
      assert.equal(health.waiting, 0);
      assert.equal(needsSkyMapBus('data:application/fits;base64,AAAA'), false);
      assert.equal(needsSkyMapBus(url), true);
    } finally {
      await ingesting.stop();
      await other.stop();
    }
  });
});

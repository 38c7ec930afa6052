/**
 * A real Fink stream, end to end on the project's broker (COINCIDE_TEST_KAFKA_BROKERS) with the
 * service process, fink-client 12.3 and confluent-kafka from .venv:
 * - a Fink-enriched ZTF alert, published as Fink distributes them (schema as the key, schemaless
 *   Avro value; test/helpers/fink_peer.py), is read with --optical-kafka-format fink and joined
 *   with a Swift GRB notice from a GCN topic;
 * - fink-client's AlertConsumer.poll and poll_and_write, given only bootstrap.servers and
 *   group.id, decode the notice topic, the coincidence topic (both --kafka-out-key schema) and
 *   the tier topic (fink_grb_<tier>, schema-keyed by default), and the tier record's fields are
 *   fink-mm's names with the expected values, Fink's added values carried through.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { finkTierTopic } from '../../src/sinks/kafka-coincidences.ts';
import { createStreamClient, type StreamMessage } from '../../src/sinks/websocket-client.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { FINK_VALUES, finkAlertCandidate, finkAlertParams, runFinkPeer } from '../helpers/fink-alert.ts';
import { skipUnlessVenvModules } from '../helpers/python.ts';
import { createTestToken } from '../http/start-app.ts';
import { createTopics, skipUnlessKafka, testBrokers, testKafka, uniqueName } from '../kafka/kafka-env.ts';
import { startServe, until } from './serve-process.ts';

const SWIFT_BAT = 'voevent/grb/voevent_number=392.xml';
const skip =
  skipUnlessShared() || skipUnlessKafka() || skipUnlessVenvModules(['fink_client', 'confluent_kafka']);

const dir = mkdtempSync(join(tmpdir(), 'coincide-e2e-fink-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fink-client reads coincide serve, fed by a Fink topic', { skip, timeout: 400_000 }, () => {
  it('decodes the notice, coincidence and tier topics with no schema file, tier fields in fink-mm form', async () => {
    const t0Ms = Date.UTC(2022, 6, 30, 15, 48, 54, 890);
    const t0Jd = t0Ms / 86_400_000 + 2440587.5;
    const candid = 2475433850015015000n + BigInt(Math.floor(Math.random() * 999));
    const raDeg = 225.0208;
    const decDeg = -69.4969;
    const spec = { candid, triggerJd: t0Jd, raDeg: raDeg + 0.001, decDeg };
    const candidate = finkAlertCandidate(spec) as Record<string, number>;
    const params = finkAlertParams(spec);

    const iso = new Date(t0Ms).toISOString().slice(0, 22);
    const grb = readFileSync(samplePath(SWIFT_BAT), 'utf8')
      .replace(/BAT_GRB_Pos_1118357-182/, 'BAT_GRB_Pos_1918357-182')
      .replace(/name="TrigID"(\s+)value="1118357"/, 'name="TrigID"$1value="1918357"')
      .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`);

    const gcnTopic = `gcn.classic.voevent.${uniqueName('FINK').replace(/-/g, '_')}`;
    const finkTopic = uniqueName('fink-ztf-in');
    const noticeTopic = uniqueName('fink-notices-out');
    const coincidenceTopic = uniqueName('fink-coincidences-out');
    const kafka = testKafka();
    await createTopics(kafka, [
      { topic: gcnTopic },
      { topic: finkTopic },
      { topic: noticeTopic, numPartitions: 3 },
      { topic: coincidenceTopic, numPartitions: 3 },
      { topic: 'fink_grb_gold' },
      { topic: 'fink_grb_silver' },
      { topic: 'fink_grb_bronze' },
    ]);

    const dbPath = join(dir, 'fink.db');
    const token = createTestToken(dbPath);
    const brokers = testBrokers().join(',');
    const serve = await startServe({
      dbPath,
      args: [
        ...['--gcn-brokers', brokers, '--gcn-topic', `^${gcnTopic.replace(/\./g, '\\.')}$`],
        ...['--gcn-group', uniqueName('fink-gcn')],
        ...['--optical-kafka-brokers', brokers, '--optical-kafka-topic', finkTopic],
        ...['--optical-kafka-group', uniqueName('fink-optical'), '--optical-kafka-from-beginning', 'true'],
        ...['--optical-kafka-format', 'fink'],
        ...['--kafka-out-brokers', brokers, '--kafka-out-key', 'schema'],
        ...['--kafka-out-notice-topic', noticeTopic, '--kafka-out-coincidence-topic', coincidenceTopic],
      ],
      timeoutMs: 120_000,
    });
    const messages: StreamMessage[] = [];
    const client = createStreamClient({
      url: `ws://127.0.0.1:${serve.ports.http ?? 0}/v1/stream`,
      token,
      since: 0,
      onMessage: (m) => {
        if (m.type !== 'heartbeat') messages.push(m);
      },
    });
    try {
      // The notice first, so that the alert joins it as it arrives.
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: gcnTopic, messages: [{ value: Buffer.from(grb) }] });
      await producer.disconnect();
      await until('the notice', () => messages.find((m) => m.type === 'notice'));
      runFinkPeer(['produce', brokers, finkTopic, params]);

      const coincidence = (
        await until('the coincidence', () => messages.find((m) => m.type === 'coincidence'))
      ).data as Coincidence;
      const counterpart = coincidence.counterpart as { alertId: string; fink?: Record<string, unknown> };
      assert.equal(counterpart.alertId, candid.toString());
      assert.deepEqual(counterpart.fink?.fink_class, 'SN candidate');
      const tierTopic = finkTierTopic(coincidence);
      assert.ok(tierTopic, `the coincidence has a tier (pChance ${String(coincidence.pChance)})`);

      const outdir = join(dir, 'fink-client-out');
      mkdirSync(outdir, { recursive: true });
      const [notice, coincidenceRead, tier] = runFinkPeer([
        'read',
        brokers,
        outdir,
        `${noticeTopic},objectId=Swift:1918357`,
        `${coincidenceTopic},id=${coincidence.id}`,
        `${tierTopic},candid=${candid.toString()}`,
      ]);

      assert.equal((notice?.alert as Record<string, unknown>).triggerId, 'Swift:1918357');
      assert.equal(notice?.schemaName, 'Notice');
      assert.equal(notice?.fileMatches, true);
      assert.equal((coincidenceRead?.alert as Record<string, unknown>).id, coincidence.id);
      assert.equal(coincidenceRead?.fileMatches, true);

      const record = tier?.alert as Record<string, unknown>;
      assert.equal(tier?.fileMatches, true);
      assert.equal(tier?.file, `ZTF18abvcdqu_1918357.avro`); // fink-mm topics: <objectId>_<triggerId>
      const expected: Record<string, unknown> = {
        objectId: 'ZTF18abvcdqu',
        candid: candid.toString(),
        ztf_ra: candidate.ra,
        ztf_dec: candidate.dec,
        fid: 2,
        jd: candidate.jd,
        jdstarthist: candidate.jdstarthist,
        rb: 0.93,
        instrument: 'BAT',
        observatory: 'SWIFT',
        triggerId: '1918357',
        gcn_ra: raDeg,
        gcn_dec: decDeg,
        gcn_loc_error: 0.05 * 60,
        triggerTimeUTC: new Date(t0Ms).toISOString().replace('T', ' ').replace('Z', ''),
        p_assoc: 1 - coincidence.pChance,
        ...FINK_VALUES,
        sigma_rate: FINK_VALUES.sigma_rate,
        rate: FINK_VALUES.mag_rate, // fink-mm's rate, mag/day: Fink's mag_rate
        magpsf: 18.25,
        tier: coincidence.tier,
        coincidenceId: coincidence.id,
        delta_mag: null,
        lc_features_g: null,
      };
      for (const [field, value] of Object.entries(expected)) {
        if (typeof value === 'number' && field !== 'fid' && field !== 'roid' && field !== 'nalerthist') {
          // rb and magpsf are Avro floats in ZTF's schema: equal to single precision.
          const tolerance = field === 'rb' || field === 'magpsf' ? 1e-6 : 1e-12;
          const actual = record[field] as number;
          assert.ok(
            Math.abs(actual - value) <= tolerance * Math.max(1, Math.abs(value)),
            `${field}: ${String(actual)} vs ${String(value)}`,
          );
        } else {
          assert.deepEqual(record[field], value, field);
        }
      }
      // JD − 2400000.5 is exact in binary64 (Sterbenz), so the JD comes back bit for bit.
      assert.equal(record.jd, candidate.jd);
      assert.equal(record.jdstarthist, candidate.jdstarthist);
    } finally {
      await client.close();
      assert.equal(await serve.stop('SIGTERM'), 0);
    }
  });
});

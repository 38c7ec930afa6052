/**
 * Optical alert decoding throughput (never part of the tests).
 *
 *   npx tsx bench/optical.ts                 # decode benches + Kafka consume+decode
 *   npx tsx bench/optical.ts --no-kafka      # decode benches only
 *   npx tsx bench/optical.ts --messages 5000 # Kafka messages per survey (default 3000)
 *
 * Inputs (seeded, written to $TMPDIR/coincide-bench-optical, not committed): the real ZTF
 * sample packets (full size: cutouts, prv_candidates, fp_hists; one container per alert as on
 * ZTF's Kafka), and full-size Rubin 11.0 packets built from the sample (three 28 kB cutouts,
 * 30 prvDiaSources, 30 prvDiaForcedSources), Confluent-framed as on Rubin's Kafka.
 * For each case: a warm-up, then `RUNS` timed runs (each decodes the whole set repeatedly for
 * at least MIN_RUN_MS) -> min / median / max alerts per second. The baseline is fastavro
 * (.venv/bin/python scripts/optical/fastavro-bench.py) decoding the same files in the same
 * run, with the same projected reader schemas; the ratio is coincide / fastavro (medians).
 * Decode rates are per CPU-second of the decoding process (the machine is shared).
 * Targets (issue 4): projected >= 100,000 alerts/s on one core; consume+decode >= 20,000
 * full-size alerts/s.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { OpticalAlertDecoder } from '../src/optical/alert-decoder.ts';
import { projectSchema } from '../src/optical/avro-projection.ts';
import { readAvroContainer } from '../src/optical/avro-container.ts';
import { OpticalKafkaSource } from '../src/optical/kafka-source.ts';
import { lsstProjection } from '../src/optical/lsst-alert.ts';
import { LocalSchemaRegistry } from '../src/optical/schema-registry.ts';
import { encodeConfluentMessage } from '../src/optical/wire-format.ts';
import { ZTF_PROJECTION } from '../src/optical/ztf-alert.ts';
import {
  buildLsstRecords,
  LSST_SCHEMA_ID,
  SAMPLES_DIR,
  ZTF_SAMPLE_FILES,
} from '../scripts/optical/packets.ts';

const RUNS = 7;
const MIN_RUN_MS = 300;
const LSST_DISTINCT = 400;
const BENCH_DIR = join(tmpdir(), 'coincide-bench-optical');
const PYTHON = join(import.meta.dirname, '..', '.venv', 'bin', 'python');

interface Stats {
  min: number;
  median: number;
  max: number;
}

function stats(rates: number[]): Stats {
  const sorted = [...rates].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

/**
 * Runs `once` (which decodes `count` alerts) repeatedly: warm-up, then RUNS timed runs. The
 * rate is alerts per second of this process's CPU time (user + system): the machine is shared,
 * and CPU time is what "per core" means; wall-clock rates are kept too.
 */
async function measure(
  count: number,
  once: () => void | Promise<void>,
): Promise<{ cpu: Stats; wall: Stats }> {
  const warmUntil = performance.now() + 500;
  while (performance.now() < warmUntil) await once();
  const cpuRates: number[] = [];
  const wallRates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let alerts = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let elapsed = 0;
    do {
      await once();
      alerts += count;
      elapsed = performance.now() - start;
    } while (elapsed < MIN_RUN_MS);
    const cpu = process.cpuUsage(cpuStart);
    cpuRates.push((alerts / (cpu.user + cpu.system)) * 1e6);
    wallRates.push((alerts / elapsed) * 1000);
  }
  return { cpu: stats(cpuRates), wall: stats(wallRates) };
}

function fmt(s: Stats): string {
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  return `${k(s.min)} / ${k(s.median)} / ${k(s.max)}`;
}

function writeInputs(): { ztf: Buffer[]; lsst: Buffer[]; registry: LocalSchemaRegistry } {
  rmSync(BENCH_DIR, { recursive: true, force: true });
  mkdirSync(join(BENCH_DIR, 'ztf'), { recursive: true });
  const compiler = new OpticalAlertDecoder({ projected: false });
  const ztf = ZTF_SAMPLE_FILES.map((f) => readFileSync(join(SAMPLES_DIR, f)));
  ztf.forEach((bytes, i) => {
    const name = String(i).padStart(3, '0');
    writeFileSync(join(BENCH_DIR, 'ztf', `${name}.avro`), bytes);
    const writer = compiler.compileSchema(JSON.parse(readAvroContainer(bytes).schemaBytes.toString('utf8')));
    writeFileSync(
      join(BENCH_DIR, 'ztf', `${name}.projected.avsc`),
      JSON.stringify(projectSchema(writer.writerType, ZTF_PROJECTION)),
    );
  });
  const { writerType, records } = buildLsstRecords({ count: LSST_DISTINCT, seed: 42 });
  const lsst = records.map((r) => encodeConfluentMessage(LSST_SCHEMA_ID, writerType.toBuffer(r)));
  const framed = lsst.flatMap((m) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(m.length);
    return [length, m];
  });
  writeFileSync(join(BENCH_DIR, 'lsst-messages.bin'), Buffer.concat(framed));
  writeFileSync(join(BENCH_DIR, 'lsst-writer.avsc'), JSON.stringify(writerType.schema()));
  writeFileSync(
    join(BENCH_DIR, 'lsst-projected.avsc'),
    JSON.stringify(projectSchema(writerType, lsstProjection(true))),
  );
  const registry = new LocalSchemaRegistry([[LSST_SCHEMA_ID, writerType.schema()]]);
  return { ztf, lsst, registry };
}

function fastavroBaseline(): Record<string, Stats> | undefined {
  if (!existsSync(PYTHON)) return undefined;
  const out = execFileSync(
    PYTHON,
    [join(import.meta.dirname, '..', 'scripts', 'optical', 'fastavro-bench.py'), BENCH_DIR, String(RUNS)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const parsed = JSON.parse(out) as Record<string, unknown>;
  const result: Record<string, Stats> = {};
  for (const [key, value] of Object.entries(parsed))
    if (Array.isArray(value)) result[key] = stats(value as number[]);
  return result;
}

async function decodeBenches(): Promise<void> {
  const { ztf, lsst, registry } = writeInputs();
  const mean = (list: Buffer[]) => Math.round(list.reduce((s, b) => s + b.length, 0) / list.length / 1000);
  console.log(
    `inputs: ${String(ztf.length)} ZTF packets (mean ${String(mean(ztf))} kB), ${String(lsst.length)} LSST packets (mean ${String(mean(lsst))} kB) in ${BENCH_DIR}`,
  );
  const results: Record<string, { cpu: Stats; wall: Stats }> = {};
  for (const projected of [false, true]) {
    const decoder = new OpticalAlertDecoder({ projected, registry });
    const mode = projected ? 'Projected' : 'Full';
    results[`ztf${mode}`] = await measure(ztf.length, () => {
      for (const bytes of ztf) decoder.decodeContainer(bytes);
    });
    results[`lsst${mode}`] = await measure(lsst.length, async () => {
      for (const message of lsst) await decoder.decodeConfluent(message);
    });
  }
  const baseline = fastavroBaseline();
  console.log('\ndecode, alerts per CPU-second (min / median / max), one thread');
  console.log(
    'case            coincide (avsc + own)    fastavro                 ratio   (wall-clock medians)',
  );
  for (const key of ['ztfFull', 'ztfProjected', 'lsstFull', 'lsstProjected']) {
    const ours = results[key] as { cpu: Stats; wall: Stats };
    const theirs = baseline?.[key];
    const ratio = theirs ? `${(ours.cpu.median / theirs.median).toFixed(2)}x` : 'n/a';
    const wall =
      `${(ours.wall.median / 1000).toFixed(1)}k` +
      (baseline?.[`${key}Wall`]
        ? ` vs ${((baseline[`${key}Wall`] as Stats).median / 1000).toFixed(1)}k`
        : '');
    console.log(
      `${key.padEnd(15)} ${fmt(ours.cpu).padEnd(24)} ${(theirs ? fmt(theirs) : 'n/a (no .venv)').padEnd(24)} ${ratio.padEnd(7)} (${wall})`,
    );
  }
}

function fmtRate(rate: { wall: number; cpu: number }): string {
  return `${(rate.wall / 1000).toFixed(1)}k alerts/s wall (first to last message), ${(rate.cpu / 1000).toFixed(1)}k per CPU-second of this process`;
}

/** kafkajs alone: messages per second from the first to the last of `count`. */
async function consumeRaw(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<{ wall: number; cpu: number }> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${topic}`, maxBytesPerPartition: 10 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let n = 0;
  let first = 0;
  let last = 0;
  let cpuStart = process.cpuUsage();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (n === 0) {
        first = performance.now();
        cpuStart = process.cpuUsage();
      }
      n += batch.messages.length;
      last = performance.now();
      if (n >= count) done();
      await Promise.resolve();
    },
  });
  await finished;
  const cpu = process.cpuUsage(cpuStart);
  await consumer.disconnect();
  return { wall: ((n - 1) / (last - first)) * 1000, cpu: (n / (cpu.user + cpu.system)) * 1e6 };
}

async function kafkaBench(messagesPerSurvey: number): Promise<void> {
  const { startBroker } = await import('../scripts/kafka/broker.ts');
  const broker = await startBroker({
    saslPort: null,
    log: (line) => {
      console.log(`  ${line}`);
    },
  });
  try {
    const kafka = new Kafka({
      clientId: 'coincide-bench',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const ztf = ZTF_SAMPLE_FILES.map((f) => readFileSync(join(SAMPLES_DIR, f)));
    const { writerType, records } = buildLsstRecords({ count: LSST_DISTINCT, seed: 43 });
    const lsst = records.map((r) => encodeConfluentMessage(LSST_SCHEMA_ID, writerType.toBuffer(r)));
    const registry = new LocalSchemaRegistry([[LSST_SCHEMA_ID, writerType.schema()]]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: 'bench-ztf', numPartitions: 2 },
        { topic: 'bench-lsst', numPartitions: 2 },
      ],
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (const [topic, set] of [
      ['bench-ztf', ztf],
      ['bench-lsst', lsst],
    ] as const) {
      const start = performance.now();
      for (let sent = 0; sent < messagesPerSurvey; sent += 100) {
        const batch = Array.from({ length: Math.min(100, messagesPerSurvey - sent) }, (_, i) => ({
          value: set[(sent + i) % set.length] as Buffer,
        }));
        await producer.send({ topic, acks: 1, messages: batch });
      }
      console.log(
        `produced ${String(messagesPerSurvey)} to ${topic} in ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    }
    await producer.disconnect();
    for (const topic of ['bench-ztf', 'bench-lsst']) {
      // Baseline in the same run: kafkajs alone (no decoding), which also warms the page cache.
      const raw = await consumeRaw(kafka, topic, messagesPerSurvey);
      console.log(`consume only    ${topic}: ${fmtRate(raw)} (kafkajs, no decoding)`);
      for (const projected of [true, false]) {
        let count = 0;
        let first = 0;
        let last = 0;
        let cpuStart = process.cpuUsage();
        let done: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const source = new OpticalKafkaSource({
          kafka,
          groupId: `bench-${topic}-${String(projected)}`,
          topics: [topic],
          fromBeginning: true,
          decoder: new OpticalAlertDecoder({ projected, registry }),
          onAlert: () => {
            if (count === 0) {
              first = performance.now();
              cpuStart = process.cpuUsage();
            }
            count += 1;
            last = performance.now();
            if (count === messagesPerSurvey) done();
          },
        });
        await source.start();
        await finished;
        const cpu = process.cpuUsage(cpuStart);
        await source.stop();
        const rate = {
          wall: ((count - 1) / (last - first)) * 1000,
          cpu: (count / (cpu.user + cpu.system)) * 1e6,
        };
        console.log(
          `consume+decode  ${topic} (${projected ? 'projected' : 'full'}): ${fmtRate(rate)} (${(rate.wall / raw.wall).toFixed(2)}x the consume-only rate)`,
        );
      }
    }
  } finally {
    await broker.stop();
  }
}

const args = process.argv.slice(2);
const messagesIndex = args.indexOf('--messages');
const messagesPerSurvey = messagesIndex >= 0 ? Number(args[messagesIndex + 1]) : 3000;
console.log(
  `node ${process.version}, ${String(RUNS)} runs of >= ${String(MIN_RUN_MS)} ms after a 500 ms warm-up`,
);
await decodeBenches();
if (!args.includes('--no-kafka')) {
  console.log(
    `\nKafka (local single-node broker via scripts/kafka), ${String(messagesPerSurvey)} full-size messages per survey, 2 partitions`,
  );
  await kafkaBench(messagesPerSurvey);
}
rmSync(BENCH_DIR, { recursive: true, force: true });

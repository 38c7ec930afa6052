/**
 * One Kafka consume measurement for bench/optical.ts, run as its own Node process so that
 * each mode starts from a fresh heap and the parent can pass V8 flags (see the GC note in
 * bench/optical.ts). Prints one JSON line (ConsumeResult).
 *
 *   node --import tsx bench/optical-consume.ts --broker 127.0.0.1:9092 --topic t --count 5000 --mode raw
 *
 * Modes:
 *   raw        kafkajs alone: eachBatch over the messages, no decoding (the source's fetch settings)
 *   projected  OpticalKafkaSource with the projected decoder (what the app runs; fetch and decode
 *              overlap: one response prefetched)
 *   threaded   the same as projected, the prefetched batches decoded in a worker thread
 *              (decode-thread.ts) while the main thread fetches
 *   in-turn    the same with prefetchBatches 0: fetch and decode take turns (the design before
 *              issue 14), the same-run baseline of the prefetch
 *   full       OpticalKafkaSource with the full decoder (cutouts and histories decoded)
 *   platformatic, platformatic-projected   @platformatic/kafka instead of kafkajs (no decoding;
 *              each message decoded in turn by the projected decoder)
 *   rdkafka, rdkafka-projected   node-rdkafka (librdkafka, fetching on its own threads) instead of
 *              kafkajs: its consume loop alone, and with the projected decoder in turn
 *   rdkafka-threaded  node-rdkafka with the projected decode in a worker thread (decode-thread.ts),
 *              pipelined: a batch is decoded there while this thread takes the next from librdkafka
 *              and hands on the one before (measures whether a decode thread would pay)
 *   rdkafka-source  RdkafkaOpticalSource (rdkafka-source.ts): what `serve` runs where node-rdkafka
 *              is installed (decode, onAlert, offsets committed after processing)
 *   loopback   no Kafka: a child process writes `--bytes` bytes over a 127.0.0.1 TCP socket and
 *              this process only reads them, into one reused buffer (see loopback()): the ceiling
 *              of any Node TCP client here
 *   loopback-events  the same, read through the socket's 'data' events (how clients read)
 * The clock starts at the first message (group join and rebalance are reported apart, as
 * joinSec) and stops at the last one; cpuSec is this process's CPU time over the same span.
 * Kafka modes read the topic `--passes` times (default 2), each in a new consumer group, and
 * report the last pass: the first warms the JIT (the Java baseline does the same).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { OpticalAlertDecoder } from '../src/optical/alert-decoder.ts';
import { createDecodeThread, type DecodedMessage } from '../src/optical/decode-thread.ts';
import { OPTICAL_FETCH_DEFAULTS, OpticalKafkaSource } from '../src/optical/kafka-source.ts';
import {
  BATCH_MESSAGES,
  CONSUME_TIMEOUT_MS,
  loadRdkafka,
  RDKAFKA_PREFETCH_QUEUE_KBYTES,
  RdkafkaOpticalSource,
} from '../src/optical/rdkafka-source.ts';
import { LocalSchemaRegistry } from '../src/optical/schema-registry.ts';
import {
  buildLsstRecords,
  LSST_SCHEMA_ID,
  SAMPLES_DIR,
  ZTF_SAMPLE_FILES,
} from '../scripts/optical/packets.ts';

export interface ConsumeResult {
  messages: number;
  alerts: number;
  bytes: number;
  joinSec: number;
  wallSec: number;
  cpuSec: number;
  /** Wall time between consecutive messages spent in gaps of more than STALL_GAP_MS (stalls). */
  stalledSec?: number;
  /** This process's peak resident memory, MiB (both passes). */
  maxRssMiB?: number;
  /** --trace-fetch: librdkafka's stops for a full queue, and the mean wait until fetchable again. */
  queueFullStops?: number;
  queueFullWaitMeanSec?: number;
  /** --trace-fetch: librdkafka's FETCH lines seen (0: the trace did not work). */
  fetchLogLines?: number;
}

/** --alert-work-us: the CPU serve's join and buffer spend per alert, spun (rdkafka modes). */
function spin(us: number): void {
  if (us <= 0) return;
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

/** A gap between two consumed messages longer than this counts as a stall (stalledSec). */
const STALL_GAP_MS = 100;

let groups = 0;
function groupSuffix(): string {
  groups += 1;
  return `${String(process.pid)}-${String(groups)}`;
}

/** Times the span from the first to the last of `count` events. */
class SpanTimer {
  private readonly started = performance.now();
  private first = 0;
  private last = 0;
  private cpuStart = process.cpuUsage();
  private cpuSec = 0;
  private stalledMs = 0;

  mark(): void {
    const now = performance.now();
    if (this.first === 0) {
      this.first = now;
      this.cpuStart = process.cpuUsage();
    } else if (now - this.last > STALL_GAP_MS) this.stalledMs += now - this.last;
    this.last = now;
  }

  stop(): void {
    const cpu = process.cpuUsage(this.cpuStart);
    this.cpuSec = (cpu.user + cpu.system) / 1e6;
  }

  result(messages: number, alerts: number, bytes: number): ConsumeResult {
    return {
      messages,
      alerts,
      bytes,
      joinSec: (this.first - this.started) / 1000,
      wallSec: (this.last - this.first) / 1000,
      cpuSec: this.cpuSec,
      stalledSec: this.stalledMs / 1000,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  }
}

/**
 * The decoder of a measurement, its schemas compiled before the clock starts (the topics' ZTF
 * writer schemas and the LSST schema id), as a running service has them: compiling them is
 * tens of ms, a start-up cost that is not consumption, and the timed span is a fraction of a s.
 */
async function benchDecoder(projected: boolean): Promise<OpticalAlertDecoder> {
  const { writerType } = buildLsstRecords({ count: 1, seed: 1 });
  const registry = new LocalSchemaRegistry([[LSST_SCHEMA_ID, writerType.schema()]]);
  const decoder = new OpticalAlertDecoder({ projected, registry });
  for (const file of ZTF_SAMPLE_FILES) decoder.decodeContainer(readFileSync(join(SAMPLES_DIR, file)));
  await decoder.compiledForId(LSST_SCHEMA_ID);
  return decoder;
}

async function consumeRaw(kafka: Kafka, topic: string, count: number): Promise<ConsumeResult> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${topic}-${groupSuffix()}`,
    maxBytesPerPartition: OPTICAL_FETCH_DEFAULTS.maxBytesPerPartition,
    maxBytes: OPTICAL_FETCH_DEFAULTS.maxBytes,
    maxWaitTimeInMs: OPTICAL_FETCH_DEFAULTS.maxWaitTimeMs,
  });
  const timer = new SpanTimer();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let messages = 0;
  let bytes = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      timer.mark();
      for (const message of batch.messages) bytes += message.value?.length ?? 0;
      messages += batch.messages.length;
      timer.mark();
      if (messages >= count) done();
      await Promise.resolve();
    },
  });
  await finished;
  timer.stop();
  await consumer.disconnect();
  return timer.result(messages, 0, bytes);
}

/**
 * @platformatic/kafka (a newer pure-TypeScript client, issue 14's alternative to kafkajs) over the
 * same topic with the same fetch sizes: its message stream read to the end, each message's value
 * counted (`decode` false) or decoded by the projected decoder in turn (`decode` true).
 */
async function consumePlatformatic(
  broker: string,
  topic: string,
  count: number,
  decode: boolean,
): Promise<ConsumeResult> {
  const { Consumer } = await import('@platformatic/kafka');
  const decoder = decode ? await benchDecoder(true) : undefined;
  const consumer = new Consumer({
    groupId: `bench-platformatic-${topic}-${groupSuffix()}`,
    clientId: 'coincide-bench',
    bootstrapBrokers: [broker],
    maxBytesPerPartition: OPTICAL_FETCH_DEFAULTS.maxBytesPerPartition,
    maxBytes: OPTICAL_FETCH_DEFAULTS.maxBytes,
    maxWaitTime: OPTICAL_FETCH_DEFAULTS.maxWaitTimeMs,
  });
  const timer = new SpanTimer();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let messages = 0;
  let alerts = 0;
  let bytes = 0;
  for await (const message of stream) {
    timer.mark();
    const value = message.value;
    bytes += value.length;
    messages += 1;
    if (decoder) alerts += (decoder.decodeMessageSync(value) ?? (await decoder.decodeMessage(value))).length;
    if (messages >= count) break;
  }
  timer.stop();
  await stream.close();
  await new Promise<void>((resolve, reject) => {
    consumer.close(true, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
  return timer.result(messages, alerts, bytes);
}

async function consumeSource(
  kafka: Kafka,
  topic: string,
  count: number,
  projected: boolean,
  prefetchBatches?: number,
  threaded = false,
): Promise<ConsumeResult> {
  const decodeThread = threaded ? createDecodeThread({ projected }) : undefined;
  await decodeThread?.ready();
  const timer = new SpanTimer();
  const seen = new Set<string>();
  let messages = 0;
  let alerts = 0;
  let bytes = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const decoder = await benchDecoder(projected);
  if (decodeThread) {
    // Message sizes of what the thread decodes (the main decoder's wrapper below sees the rest).
    const decode = decodeThread.decode.bind(decodeThread);
    decodeThread.decode = (values) => {
      for (const value of values) bytes += value?.length ?? 0;
      messages += values.length;
      return decode(values);
    };
  }
  // Message sizes for MB/s: counted in a wrapper, outside the timed span's hot loop cost.
  const decodeMessageSync = decoder.decodeMessageSync.bind(decoder);
  decoder.decodeMessageSync = (bytesIn) => {
    if (!decodeThread) {
      bytes += bytesIn.length;
      messages += 1;
    }
    return decodeMessageSync(bytesIn);
  };
  const source = new OpticalKafkaSource({
    kafka,
    groupId: `bench-${topic}-${String(projected)}-${groupSuffix()}`,
    topics: [topic],
    fromBeginning: true,
    decoder,
    ...(prefetchBatches === undefined ? {} : { prefetchBatches }),
    ...(decodeThread ? { decodeThread } : {}),
    onAlert: (_alert, meta) => {
      timer.mark();
      alerts += 1;
      seen.add(`${String(meta.partition)}:${meta.offset}`);
      if (seen.size === count) done();
    },
  });
  await source.start();
  await finished;
  timer.stop();
  await source.stop();
  await decodeThread?.close();
  return timer.result(messages, alerts, bytes);
}

/**
 * librdkafka through node-rdkafka (built against Debian's librdkafka): `decode` false, its
 * consume loop alone (each value counted); true, the same with the projected decoder in turn.
 */
async function consumeRdkafka(
  broker: string,
  topic: string,
  count: number,
  decode: boolean,
  queueKbytes: number | undefined,
  traceFetch: boolean,
  alertWorkUs: number,
  threaded = false,
): Promise<ConsumeResult> {
  const loaded = loadRdkafka();
  if ('error' in loaded) throw new Error(loaded.error);
  const decoder = decode || threaded ? await benchDecoder(true) : undefined;
  const thread = threaded ? createDecodeThread({ projected: true }) : undefined;
  await thread?.ready();
  const consumer = new loaded.module.KafkaConsumer(
    {
      'group.id': `bench-rdkafka-${topic}-${groupSuffix()}`,
      'metadata.broker.list': broker,
      'enable.auto.commit': false,
      // As the source: a consume call that reached a partition's end returns at once (not after
      // CONSUME_TIMEOUT_MS), so the last batch of the topic is not timed late.
      'enable.partition.eof': true,
      'fetch.max.bytes': OPTICAL_FETCH_DEFAULTS.maxBytes,
      'max.partition.fetch.bytes': OPTICAL_FETCH_DEFAULTS.maxBytesPerPartition,
      // The source's prefetch queue unless told (librdkafka's 64 MiB default stalls: rdkafka-source.ts).
      'queued.max.messages.kbytes': queueKbytes ?? RDKAFKA_PREFETCH_QUEUE_KBYTES,
      // --trace-fetch: librdkafka's fetch decisions (rd_kafka_toppar_fetch_decide's FETCH lines).
      ...(traceFetch ? { debug: 'fetch', event_cb: true } : {}),
    },
    { 'auto.offset.reset': 'earliest' },
  );
  const timer = new SpanTimer();
  const trace = traceFetch ? fetchTrace(consumer) : undefined;
  await new Promise<void>((resolve, reject) => {
    consumer.connect({ timeout: 10_000 }, (error) => {
      if (error) reject(new Error(error.message));
      else resolve();
    });
  });
  consumer.setDefaultConsumeTimeout(CONSUME_TIMEOUT_MS);
  consumer.subscribe([topic]);
  let messages = 0;
  let alerts = 0;
  let bytes = 0;
  // rdkafka-threaded: the batch being decoded in the thread, handed on after the next is taken.
  let inThread: Promise<DecodedMessage[]> | undefined;
  let inThreadBatch: Array<{ value: Buffer | null }> = [];
  const handOn = (batch: Array<{ value: Buffer | null }>, decoded: DecodedMessage[]): void => {
    batch.forEach((m, i) => {
      if (!m.value) return;
      const answer = decoded[i];
      alerts +=
        answer?.kind === 'alerts' ? answer.alerts.length : (decoder?.decodeMessageSync(m.value) ?? []).length;
      spin(alertWorkUs);
    });
    if (batch.length > 0) timer.mark();
  };
  while (messages < count) {
    const batch = await new Promise<Array<{ value: Buffer | null }>>((resolve, reject) => {
      consumer.consume(BATCH_MESSAGES, (error, got) => {
        if (error) reject(new Error(error.message));
        else resolve(got);
      });
    });
    if (batch.length > 0) timer.mark();
    for (const m of batch) {
      if (!m.value) continue;
      bytes += m.value.length;
      messages += 1;
      if (thread) continue;
      if (decoder) alerts += (decoder.decodeMessageSync(m.value) ?? []).length;
      spin(alertWorkUs);
    }
    if (thread) {
      const next = batch.length > 0 ? thread.decode(batch.map((m) => m.value)) : undefined;
      if (inThread) handOn(inThreadBatch, await inThread);
      if (next) [inThread, inThreadBatch] = [next, batch];
      else inThread = undefined;
    } else if (batch.length > 0) timer.mark();
  }
  if (inThread) handOn(inThreadBatch, await inThread);
  timer.stop();
  await thread?.close();
  await new Promise<void>((resolve) => {
    consumer.disconnect(() => {
      resolve();
    });
  });
  return { ...timer.result(messages, alerts, bytes), ...trace?.() };
}

/**
 * librdkafka's FETCH debug lines (rd_kafka_toppar_fetch_decide): each time a partition turns
 * "not fetchable: queued.max.messages.kbytes exceeded", and how long until it is "fetchable"
 * again (timed on arrival in this thread, so late by up to one decoded batch).
 */
function fetchTrace(consumer: {
  on(event: 'event.log', listener: (log: { fac: string; message: string }) => void): void;
}): () => Pick<ConsumeResult, 'queueFullStops' | 'queueFullWaitMeanSec' | 'fetchLogLines'> {
  const stoppedAt = new Map<string, number>();
  const waitsMs: number[] = [];
  let lines = 0;
  consumer.on('event.log', (log) => {
    if (log.fac === 'FETCH') lines += 1;
    if (process.env.COINCIDE_BENCH_FETCH_LOG) process.stderr.write(`${log.fac} ${log.message}\n`);
    const partition = /Topic (\S+ \[\d+\])/.exec(log.message)?.[1];
    if (log.fac !== 'FETCH' || partition === undefined) return;
    if (log.message.includes('not fetchable: queued.max.messages.kbytes exceeded'))
      stoppedAt.set(partition, performance.now());
    else if (log.message.includes(' is fetchable')) {
      const since = stoppedAt.get(partition);
      if (since !== undefined) waitsMs.push(performance.now() - since);
      stoppedAt.delete(partition);
    }
  });
  return () => ({
    fetchLogLines: lines,
    queueFullStops: waitsMs.length,
    queueFullWaitMeanSec:
      waitsMs.length === 0 ? 0 : waitsMs.reduce((a, b) => a + b, 0) / waitsMs.length / 1000,
  });
}

/** RdkafkaOpticalSource (what `serve` runs where node-rdkafka is installed), projected decode. */
async function consumeRdkafkaSource(
  broker: string,
  topic: string,
  count: number,
  queueKbytes: number | undefined,
  alertWorkUs: number,
): Promise<ConsumeResult> {
  const decoder = await benchDecoder(true);
  let messages = 0;
  let bytes = 0;
  const decodeMessageSync = decoder.decodeMessageSync.bind(decoder);
  decoder.decodeMessageSync = (bytesIn) => {
    bytes += bytesIn.length;
    messages += 1;
    return decodeMessageSync(bytesIn);
  };
  const timer = new SpanTimer();
  const seen = new Set<string>();
  let alerts = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const source = new RdkafkaOpticalSource({
    brokers: [broker],
    groupId: `bench-rdkafka-source-${topic}-${groupSuffix()}`,
    topics: [topic],
    fromBeginning: true,
    decoder,
    ...(queueKbytes === undefined ? {} : { prefetchQueueKbytes: queueKbytes }),
    onAlert: (_alert, meta) => {
      spin(alertWorkUs);
      timer.mark();
      alerts += 1;
      seen.add(`${String(meta.partition)}:${meta.offset}`);
      if (seen.size === count) done();
    },
  });
  await source.start();
  await finished;
  timer.stop();
  await source.stop();
  return timer.result(messages, alerts, bytes);
}

/**
 * The loopback ceiling: this process reads `totalBytes` from a 127.0.0.1 TCP socket as fast as a
 * Node process can. `reader` 'events': the stream's 'data' events (Node allocates a 64 KiB chunk
 * per read, as every socket-reading client such as kafkajs gets its bytes); 'buffer': reads into
 * one reused 4 MiB buffer (net's `onread`), the fewest syscalls and no allocation: the ceiling.
 * The sender is another process writing one 8 MiB buffer over and over, which the kernel copies
 * from without the sender touching the bytes, so that the reader is the side measured.
 */
async function loopback(totalBytes: number, reader: 'events' | 'buffer'): Promise<ConsumeResult> {
  const server = fork(import.meta.filename, ['--mode', 'loopback-server', '--bytes', String(totalBytes)]);
  const port = await new Promise<number>((resolve) => {
    server.once('message', (m) => {
      resolve(Number(m));
    });
  });
  const timer = new SpanTimer();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const socket =
      reader === 'buffer'
        ? connect({
            port,
            host: '127.0.0.1',
            onread: {
              buffer: Buffer.allocUnsafe(4 << 20),
              callback: (n: number) => {
                timer.mark();
                bytes += n;
                return true;
              },
            },
          })
        : connect(port, '127.0.0.1');
    if (reader === 'events') {
      socket.on('data', (chunk: Buffer) => {
        timer.mark();
        bytes += chunk.length;
      });
    }
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  timer.stop();
  return timer.result(0, 0, bytes);
}

function loopbackServer(totalBytes: number): void {
  const chunk = Buffer.alloc(8 << 20, 7);
  const server = createServer((socket) => {
    let sent = 0;
    const pump = (): void => {
      while (sent < totalBytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += part.length;
        if (!socket.write(part)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end(() => {
        server.close();
        if (process.connected) process.disconnect();
      });
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address ? address.port : 0);
  });
}

const { values } = parseArgs({
  options: {
    broker: { type: 'string', default: '' },
    topic: { type: 'string', default: '' },
    count: { type: 'string', default: '3000' },
    passes: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'raw' },
    bytes: { type: 'string', default: '0' },
    // rdkafka modes: librdkafka's queued.max.messages.kbytes (default: the source's).
    'queue-kbytes': { type: 'string' },
    // rdkafka, rdkafka-projected: librdkafka's fetch decisions traced (queueFullStops).
    'trace-fetch': { type: 'boolean', default: false },
    // rdkafka modes: CPU spent per alert after its decoding, µs (a consumer slower than its fetching).
    'alert-work-us': { type: 'string', default: '0' },
  },
});
const count = Number(values.count);
const queueKbytes = values['queue-kbytes'] === undefined ? undefined : Number(values['queue-kbytes']);
if (values.mode === 'loopback-server') {
  loopbackServer(Number(values.bytes));
} else {
  let result: ConsumeResult;
  if (values.mode === 'loopback' || values.mode === 'loopback-events') {
    result = await loopback(Number(values.bytes), values.mode === 'loopback' ? 'buffer' : 'events');
  } else {
    const kafka = new Kafka({
      clientId: 'coincide-bench',
      brokers: [values.broker],
      logLevel: logLevel.NOTHING,
    });
    const once = (): Promise<ConsumeResult> =>
      values.mode === 'rdkafka-source'
        ? consumeRdkafkaSource(
            values.broker,
            values.topic,
            count,
            queueKbytes,
            Number(values['alert-work-us']),
          )
        : values.mode.startsWith('rdkafka')
          ? consumeRdkafka(
              values.broker,
              values.topic,
              count,
              values.mode === 'rdkafka-projected',
              queueKbytes,
              values['trace-fetch'],
              Number(values['alert-work-us']),
              values.mode === 'rdkafka-threaded',
            )
          : values.mode === 'raw'
            ? consumeRaw(kafka, values.topic, count)
            : values.mode === 'platformatic' || values.mode === 'platformatic-projected'
              ? consumePlatformatic(
                  values.broker,
                  values.topic,
                  count,
                  values.mode === 'platformatic-projected',
                )
              : consumeSource(
                  kafka,
                  values.topic,
                  count,
                  values.mode !== 'full',
                  values.mode === 'in-turn' ? 0 : undefined,
                  values.mode === 'threaded',
                );
    result = await once();
    for (let pass = 1; pass < Number(values.passes); pass++) result = await once();
  }
  console.log(JSON.stringify(result));
}

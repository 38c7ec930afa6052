/**
 * Soak: a compressed night through `coincide serve`, with restarts.
 *
 *   npx tsx bench/soak.ts [--minutes 60] [--restart-minutes 10] [--alert-rate 2500]
 *                         [--notice-rate 2] [--authors 4] [--clients 20] [--churn-sec 5]
 *                         [--sample-sec 10]
 *
 * Rates: Rubin/LSST sends ~10^7 alerts a night, >= 250 alerts/s on average (anchors.md,
 * DMTN-028); 10x that is the default --alert-rate 2500. Alerts are LSST v11 Avro records
 * (scripts/optical/packets.ts, small cutouts: 1 kB each, 3 previous sources, so that the disk of a
 * shared machine is not the bottleneck), written once a second as one container file (of the
 * second's alerts) into the folder `coincide serve --optical-path` watches. Notices: Fermi GBM
 * ground positions (real GCN bytes, renamed and moved) submitted over VTP by --authors authors
 * at --notice-rate per second in total (GCN's whole VOEvent stream is ~1,000 notices a day, so
 * the default is more than 100x it). --clients WebSocket clients stay subscribed; every
 * --churn-sec one of them, at random, disconnects and comes back with `since` = the last seq it
 * saw. Every --restart-minutes the service gets SIGTERM (its exit time is measured) and is
 * started again on the same database and ports.
 *
 * Reported: RSS of the service every --sample-sec (and per segment between restarts), errors
 * (submissions refused or failed outside the restart windows, ERROR log lines of the service,
 * per-client seq gaps and duplicates), deliveries (notices acked vs. notice messages each
 * client received, and the stream seqs each client saw vs. the outbox's last seq), the
 * optical throughput the service kept up with (alerts written vs. read: coincide_events_in),
 * stop times, and the load average.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { buildLsstRecords } from '../scripts/optical/packets.ts';
import { OpticalAlertDecoder } from '../src/optical/alert-decoder.ts';
import { SCOPES } from '../src/auth/scopes.ts';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import { openDatabase } from '../src/store/database.ts';
import { createStreamClient, type StreamClient } from '../src/sinks/websocket-client.ts';
import { mjdToUnixMs } from '../src/time/mjd.ts';
import { sendEvent } from '../src/vtp/sender.ts';
import { numberArg } from './number-arg.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GBM = join(
  ROOT,
  '..',
  'shared',
  'upstream-samples',
  'voevent',
  'grb',
  'GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml',
);

const MINUTES = numberArg('minutes', 60);
const RESTART_MINUTES = numberArg('restart-minutes', 10);
const ALERT_RATE = numberArg('alert-rate', 2500);
const NOTICE_RATE = numberArg('notice-rate', 2);
const AUTHORS = Math.max(1, numberArg('authors', 4));
const CLIENTS = numberArg('clients', 20);
const CHURN_SEC = numberArg('churn-sec', 5);
const SAMPLE_SEC = numberArg('sample-sec', 10);
const FIELD_EVERY = numberArg('field-every', 50);
/** At the end: how long the service may take to finish what it accepted, and the clients to catch up. */
const QUIET_LIMIT_SEC = numberArg('quiet-limit-sec', 300);
const CATCH_UP_LIMIT_SEC = numberArg('catch-up-limit-sec', 120);

const dir = mkdtempSync(join(tmpdir(), 'coincide-soak-'));
const dbPath = join(dir, 'coincide.db');
const alertDir = join(dir, 'alerts');
mkdirSync(alertDir);
const startedMs = Date.now();
const elapsedMin = (): string => ((Date.now() - startedMs) / 60_000).toFixed(1);
const log = (line: string): void => {
  process.stdout.write(`[${elapsedMin().padStart(5)} min] ${line}\n`);
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
interface Service {
  child: ChildProcess;
  receivePort: number;
  errors: string[];
  /** The last stderr lines (what a crash said last). */
  tail: string[];
  exited: Promise<void>;
  /** The service's own start-up steps, ms (its "listening" log line). */
  startupMs: Record<string, number>;
}

let httpPort = 0;

async function startService(): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      // E.g. SOAK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service.
      ...(process.env.SOAK_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
      join(ROOT, 'bin', 'coincide.js'),
      'serve',
      '--db',
      dbPath,
      '--listen-host',
      '127.0.0.1',
      '--http-port',
      String(httpPort),
      '--receive-port',
      '0',
      '--broadcast-port',
      '0',
      '--optical-path',
      alertDir,
      '--optical-poll-ms',
      '500',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const errors: string[] = [];
  const tail: string[] = [];
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  let startupMs: Record<string, number> = {};
  const receivePort = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      try {
        const r = JSON.parse(line) as {
          msg?: string;
          service?: string;
          port?: number;
          level?: string;
          startupMs?: Record<string, number>;
        };
        if (r.level === 'error') errors.push(line);
        if (r.msg === 'listening' && r.service === 'vtp-receiver' && r.port) {
          startupMs = r.startupMs ?? {};
          resolve(r.port);
        }
      } catch {
        errors.push(line);
      }
    });
    void exited.then(() => {
      reject(new Error('serve exited before listening'));
    });
  });
  return { child, receivePort, errors, tail, exited, startupMs };
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * One second of alerts, encoded once as an Avro container file, and where its MJD times are: the
 * bytes are copied every second and only the times rewritten in place (an Avro double is 8 fixed
 * bytes), so that each second's alerts carry that second's time without re-encoding 10 MB.
 */
async function alertContainer(count: number): Promise<{ bytes: Buffer; times: TimeSlot[] }> {
  const { writerType, records } = buildLsstRecords({
    count: Math.max(1, count),
    seed: 7,
    // No earlier detections: each object is first detected now, so it is new for a trigger.
    nPrvDiaSources: 0,
    nPrvForcedSources: 3,
    cutoutBytes: 1000,
  });
  // Every MJD (TAI) double of record i, by its exact 64-bit pattern: midpointMjdTai t_i, the
  // forced sources' t_i - 2(k+1) and the object's firstDiaSourceMjdTai t_i.
  const byBits = new Map<bigint, { record: number; minusDays: number }>();
  const bits = (x: number): bigint => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    return b.readBigUInt64LE();
  };
  records.forEach((record, i) => {
    const t = (record.diaSource as { midpointMjdTai: number }).midpointMjdTai;
    byBits.set(bits(t), { record: i, minusDays: 0 });
    for (let k = 0; k < 3; k++) byBits.set(bits(t - 2 * (k + 1)), { record: i, minusDays: 2 * (k + 1) });
  });
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const encoder = new avro.streams.BlockEncoder(writerType);
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    encoder.on('error', reject);
    for (const record of records) encoder.write(record);
    encoder.end();
  });
  const times: TimeSlot[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; offset++) {
    const slot = byBits.get(bytes.readBigUInt64LE(offset));
    if (slot) times.push({ offset, ...slot });
  }
  return { bytes, times };
}

interface TimeSlot {
  offset: number;
  record: number;
  minusDays: number;
}

/** The second's container: record i at `nowMjdTai` + i/count of a second (TAI). */
function containerAt(
  template: { bytes: Buffer; times: TimeSlot[] },
  nowMjdTai: number,
  count: number,
): Buffer {
  const bytes = Buffer.from(template.bytes);
  for (const slot of template.times) {
    bytes.writeDoubleLE(nowMjdTai + slot.record / count / 86_400 - slot.minusDays, slot.offset);
  }
  return bytes;
}

/** The soak's clock, MJD (UTC): its start is the night's start; notices and alerts share it. */
const NIGHT_START_MJD = 61_000;
const nightMjd = (): number => NIGHT_START_MJD + (Date.now() - startedMs) / 86_400_000;
/** TAI - UTC (37 s since 2017), for the alerts' TAI times. */
const TAI_MINUS_UTC_DAYS = 37 / 86_400;

const gbmTemplate = readFileSync(GBM, 'utf8');
/**
 * Notice n, at the soak's clock. Every --field-every-th one is placed on the alerts' field (with a
 * 0.03 deg radius: a few objects), so it pairs with the optical alerts (coincidences through the optical path);
 * the others are spread over the sky.
 */
function gbmNotice(n: number, field: { raDeg: number; decDeg: number }): Buffer {
  const mjd = nightMjd();
  const iso = new Date(mjdToUnixMs(mjd)).toISOString().slice(0, 22);
  const trigId = 700_000_000 + n;
  const onField = FIELD_EVERY > 0 && n % FIELD_EVERY === 0;
  const raDeg = onField ? field.raDeg : (n * 37) % 360;
  const decDeg = onField ? field.decDeg : ((n * 17) % 160) - 80;
  return Buffer.from(
    gbmTemplate
      .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, `GBM_Gnd_Pos_${iso}_${trigId}_58-491`)
      .replace(/name="TrigID" value="716111594"/, `name="TrigID" value="${trigId}"`)
      .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
      .replace(/<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`)
      .replace(/<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`)
      .replace(/<Error2Radius>[^<]+<\/Error2Radius>/, onField ? '<Error2Radius>0.0300</Error2Radius>' : '$&'),
    'utf8',
  );
}

interface ClientState {
  client?: StreamClient;
  lastSeq: number;
  seqs: number;
  notices: number;
  coincidences: number;
  gaps: number;
  duplicates: number;
  reconnects: number;
  /** Fatal refusals (the client stopped until the churn replaced it). */
  fatals: string[];
  /** Close codes the client saw (server restarts, churn, refusals), by code. */
  closes: Map<number, number>;
  /** When the client last received a notice, coincidence or withdrawal (ms since the epoch). */
  lastMessageMs: number;
}

async function main(): Promise<void> {
  httpPort = await freePort();
  const tokenDb = openDatabase({ path: dbPath });
  const token = createTokenStore({ db: tokenDb, clock: systemClock }).create('soak', {
    scopes: [...SCOPES],
  }).token;
  tokenDb.close();
  const container = await alertContainer(ALERT_RATE);
  const [firstAlert] = await new OpticalAlertDecoder().decodeMessage(
    containerAt(container, 61_000, ALERT_RATE),
  );
  if (!firstAlert) throw new Error('the alert container decodes to nothing');
  const field = { raDeg: firstAlert.raDeg, decDeg: firstAlert.decDeg };
  log(
    `soak: ${MINUTES} min, SIGTERM/restart every ${RESTART_MINUTES} min, ${ALERT_RATE} alerts/s ` +
      `(${(container.bytes.length / 1e6).toFixed(1)} MB/s of Avro), ${NOTICE_RATE} notices/s from ${AUTHORS} authors, ` +
      `${CLIENTS} WebSocket clients (one reconnects every ${CHURN_SEC} s); ${cpus().length} cores`,
  );

  let service = await startService();
  let restarting = false;
  const serviceErrors: string[] = [];
  const stopTimesMs: number[] = [];
  const startTimesMs: number[] = [];
  let opticalRead = 0;
  /** The running service's count of optical alerts accepted since its start (metrics scope). */
  const opticalAccepted = async (): Promise<number> => {
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      return Number(
        /coincide_events_in_total\{outcome="accepted",source="optical"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    } catch {
      return 0;
    }
  };
  let acked = 0;
  let refused = 0;
  let failedOutsideRestarts = 0;
  let failedDuringRestarts = 0;
  let alertsWritten = 0;
  let noticeNo = 0;
  const endMs = startedMs + MINUTES * 60_000;
  const running = (): boolean => Date.now() < endMs;

  // WebSocket clients.
  const clients: ClientState[] = Array.from({ length: CLIENTS }, () => ({
    lastSeq: 0,
    seqs: 0,
    notices: 0,
    coincidences: 0,
    gaps: 0,
    duplicates: 0,
    reconnects: 0,
    fatals: [],
    closes: new Map(),
    lastMessageMs: 0,
  }));
  const connect = (state: ClientState): void => {
    state.client = createStreamClient({
      url: `ws://127.0.0.1:${httpPort}/v1/stream`,
      token,
      since: state.lastSeq,
      maxBackoffMs: 2000,
      onFatal: (error) => {
        state.fatals.push(`${elapsedMin()} min: ${error.message}`);
      },
      onState: (change, detail) => {
        if (change !== 'closed') return;
        const code = Number(detail.code);
        state.closes.set(code, (state.closes.get(code) ?? 0) + 1);
      },
      onMessage: (message) => {
        if (message.type === 'heartbeat') return;
        state.lastMessageMs = Date.now();
        if (message.seq <= state.lastSeq) state.duplicates += 1;
        else if (message.seq !== state.lastSeq + 1) state.gaps += 1;
        state.lastSeq = Math.max(state.lastSeq, message.seq);
        state.seqs += 1;
        if (message.type === 'notice') state.notices += 1;
        if (message.type === 'coincidence') state.coincidences += 1;
      },
    });
  };
  clients.forEach(connect);
  // A client being closed (which can take the ws close handshake's 30 s on a busy service) is
  // not picked again: two closes of the same client would reconnect it twice.
  const churning = new Set<ClientState>();
  const churn = setInterval(() => {
    const state = clients[Math.floor(Math.random() * clients.length)];
    if (!state?.client || churning.has(state)) return;
    churning.add(state);
    state.reconnects += 1;
    void state.client.close().then(() => {
      setTimeout(() => {
        connect(state);
        churning.delete(state);
      }, 500);
    });
  }, CHURN_SEC * 1000);

  // Optical alerts: one container file per second.
  const alertTimer = setInterval(() => {
    const name = `a-${String(alertsWritten).padStart(12, '0')}`;
    writeFileSync(
      join(alertDir, `${name}.tmp`),
      containerAt(container, nightMjd() + TAI_MINUS_UTC_DAYS, ALERT_RATE),
    );
    renameSync(join(alertDir, `${name}.tmp`), join(alertDir, `${name}.avro`));
    alertsWritten += ALERT_RATE;
  }, 1000);

  // Authors.
  const author = async (): Promise<void> => {
    const intervalMs = (1000 * AUTHORS) / Math.max(NOTICE_RATE, 1e-6);
    while (running()) {
      const began = Date.now();
      const bytes = gbmNotice(++noticeNo, field);
      try {
        const receipt = await sendEvent({
          host: '127.0.0.1',
          port: service.receivePort,
          bytes,
          timeoutMs: 30_000,
        });
        if (receipt.role === 'ack') acked += 1;
        else refused += 1;
      } catch {
        if (restarting) failedDuringRestarts += 1;
        else failedOutsideRestarts += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - began))));
    }
  };
  const authors = Array.from({ length: AUTHORS }, () => author());

  // RSS samples and restarts.
  const samples: Array<{ min: number; rssMb: number; segment: number }> = [];
  let segment = 1;
  const sampler = setInterval(() => {
    const rss = restarting ? NaN : rssMb(service.child.pid);
    samples.push({ min: (Date.now() - startedMs) / 60_000, rssMb: rss, segment });
    const c0 = clients[0];
    log(
      `rss ${rss.toFixed(0)} MB, acked ${acked}, alerts written ${alertsWritten}, client[0] seq ${c0?.lastSeq ?? 0}`,
    );
  }, SAMPLE_SEC * 1000);
  // A service that exits on its own is a crash: reported with its last log lines, and restarted.
  const crashes: string[] = [];
  let finished = false;
  const watch = (watched: Service): void => {
    void watched.exited.then(async () => {
      if (restarting || finished || watched !== service) return;
      const code = watched.child.exitCode ?? watched.child.signalCode;
      crashes.push(`exit ${String(code)}: ${watched.tail.slice(-5).join(' | ').slice(0, 1500)}`);
      log(
        `CRASH: the service exited by itself (${String(code)}); last lines:\n${watched.tail.slice(-8).join('\n')}`,
      );
      serviceErrors.push(...watched.errors);
      restarting = true;
      service = await startService();
      watch(service);
      restarting = false;
    });
  };
  watch(service);
  const restarts = (async () => {
    for (;;) {
      const next = startedMs + segment * RESTART_MINUTES * 60_000;
      if (next >= endMs) return;
      await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
      opticalRead += await opticalAccepted();
      restarting = true;
      const t0 = Date.now();
      service.child.kill('SIGTERM');
      await service.exited;
      stopTimesMs.push(Date.now() - t0);
      serviceErrors.push(...service.errors);
      log(`SIGTERM: exited in ${Date.now() - t0} ms; restarting`);
      const s0 = Date.now();
      service = await startService();
      watch(service);
      startTimesMs.push(Date.now() - s0);
      log(
        `restarted: listening after ${Date.now() - s0} ms (the service's steps, ms: ${JSON.stringify(service.startupMs)})`,
      );
      segment += 1;
      restarting = false;
    }
  })();

  await Promise.all(authors);
  await restarts;
  clearInterval(alertTimer);
  clearInterval(churn);
  // The end: first the service is let finish what it accepted (inputs stopped), then every client
  // must reach its last seq, and only then is it stopped. An acked event's notice is normalised
  // and appended to the outbox AFTER the ack; under load that can be seconds later. Stopped
  // before, the service appends those notices during its stop (it drains its ingest), when a
  // client that happens to be reconnecting or replaying cannot get them any more: the last
  // session's "one client ended 4 notices short, no gap" (20-minute soak at load 15-23) was that.
  const db = openDatabase({ path: dbPath, readonly: true });
  const lastSeq = (): number =>
    Number(db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'serve_outbox'").pluck().get() ?? 0);
  const countOf = (sql: string): number => Number(db.prepare(sql).pluck().get());
  const filesWritten = alertsWritten / Math.max(1, ALERT_RATE);
  /** What the service still has to do with what it accepted (0 everywhere: quiet). */
  const unfinished = (): { pendingEvents: number; undeliveredNotices: number; opticalFiles: number } => ({
    pendingEvents: countOf('SELECT count(*) FROM events WHERE normalised = 0'),
    undeliveredNotices: countOf('SELECT count(*) FROM notices WHERE outbox_seq IS NULL OR joined IS NULL'),
    opticalFiles: filesWritten - countOf('SELECT count(*) FROM optical_files WHERE done = 1'),
  });
  const waitFor = async (condition: () => boolean, limitMs: number): Promise<number> => {
    const began = Date.now();
    while (!condition() && Date.now() - began < limitMs)
      await new Promise((resolve) => setTimeout(resolve, 250));
    return Date.now() - began;
  };
  const quiet = (): boolean => {
    const u = unfinished();
    return u.pendingEvents === 0 && u.undeliveredNotices === 0 && u.opticalFiles <= 0;
  };
  const atInputsStop = unfinished();
  const seqAtInputsStop = lastSeq();
  const quietMs = await waitFor(quiet, QUIET_LIMIT_SEC * 1000);
  const leftUnfinished = unfinished();
  const wasQuiet = quiet();
  log(
    `inputs stopped at seq ${seqAtInputsStop} with ${JSON.stringify(atInputsStop)} still to do; the service ${wasQuiet ? `finished what it had accepted in ${quietMs} ms` : `had NOT finished after ${QUIET_LIMIT_SEC} s: ${JSON.stringify(leftUnfinished)}`}`,
  );
  // Clients being replaced by the churn come back first; then every client to the last seq.
  const catchUp = async (): Promise<number> =>
    waitFor(
      () => churning.size === 0 && clients.every((c) => c.lastSeq >= lastSeq()),
      CATCH_UP_LIMIT_SEC * 1000,
    );
  const caughtUpMs = await catchUp();
  const seqBeforeStop = lastSeq();
  const behindBeforeStop = clients.filter((c) => c.lastSeq < seqBeforeStop).length;
  log(
    behindBeforeStop === 0
      ? `every client had every seq up to ${seqBeforeStop} after ${caughtUpMs} ms`
      : `FAILURE: ${behindBeforeStop} clients short of seq ${seqBeforeStop} after ${CATCH_UP_LIMIT_SEC} s`,
  );
  clearInterval(sampler);
  opticalRead += await opticalAccepted();
  finished = true;
  const t0 = Date.now();
  service.child.kill('SIGTERM');
  await service.exited;
  stopTimesMs.push(Date.now() - t0);
  serviceErrors.push(...service.errors);
  // Anything appended during that stop reached only the clients that were live; the others must
  // get it by resuming: one more start on the same database, and the clients (which reconnect
  // by themselves) are waited for again.
  const appendedDuringStop = lastSeq() - seqBeforeStop;
  let verifyCatchUpMs: number | undefined;
  if (appendedDuringStop > 0 && clients.some((c) => c.lastSeq < lastSeq())) {
    log(
      `${appendedDuringStop} messages appended during the final stop; starting once more for the clients that lack them`,
    );
    service = await startService();
    verifyCatchUpMs = await catchUp();
    service.child.kill('SIGTERM');
    await service.exited;
    serviceErrors.push(...service.errors);
  }
  await Promise.all(clients.map((c) => c.client?.close() ?? Promise.resolve()));
  const final = lastSeq();
  clients.forEach((c, i) => {
    if (c.lastSeq >= final && c.fatals.length === 0) return;
    process.stdout.write(
      `client ${i}: seq ${c.lastSeq} (its stream client's own position ${String(c.client?.lastSeq())}) of ${final}, ` +
        `last message ${((Date.now() - c.lastMessageMs) / 1000).toFixed(0)} s ago, ` +
        `closes ${JSON.stringify([...c.closes])}, fatal: ${c.fatals.join('; ') || 'none'}\n`,
    );
  });
  const noticeRows = countOf("SELECT count(*) FROM serve_outbox WHERE type = 'notice'");
  const coincidenceRows = countOf("SELECT count(*) FROM serve_outbox WHERE type = 'coincidence'");
  const storedNotices = countOf('SELECT count(*) FROM notices');
  const opticalFilesDone = countOf('SELECT count(*) FROM optical_files WHERE done = 1');
  db.close();

  // Report.
  const bySegment = new Map<number, number[]>();
  for (const s of samples) {
    if (Number.isFinite(s.rssMb)) bySegment.set(s.segment, [...(bySegment.get(s.segment) ?? []), s.rssMb]);
  }
  process.stdout.write('\nRSS of the service (MB) per segment between restarts: first / min / max / last\n');
  for (const [seg, values] of bySegment) {
    const finite = values.filter(Number.isFinite);
    process.stdout.write(
      `  segment ${seg}: ${finite[0]?.toFixed(0)} / ${Math.min(...finite).toFixed(0)} / ${Math.max(...finite).toFixed(0)} / ${finite.at(-1)?.toFixed(0)}  (${finite.length} samples)\n`,
    );
  }
  process.stdout.write(
    `RSS timeline (min:MB): ${samples.map((s) => `${s.min.toFixed(1)}:${s.rssMb.toFixed(0)}`).join(' ')}\n`,
  );
  process.stdout.write(
    `\nerrors: ${failedOutsideRestarts} submissions failed outside restart windows, ${refused} nak'ed, ` +
      `${serviceErrors.length} ERROR log lines of the service` +
      `${serviceErrors.length > 0 ? ` (first: ${serviceErrors[0]?.slice(0, 300)})` : ''}; ` +
      `${failedDuringRestarts} submissions failed while the service restarted (retried as new notices)\n`,
  );
  const gaps = clients.reduce((a, c) => a + c.gaps, 0);
  const dups = clients.reduce((a, c) => a + c.duplicates, 0);
  const behind = clients.filter((c) => c.lastSeq < final).length;
  process.stdout.write(
    `deliveries: ${acked} notices acked, ${storedNotices} stored, ${noticeRows} notice messages in the outbox, ` +
      `${coincidenceRows} coincidences in the outbox, last seq ${final}; ` +
      `clients: ${clients.map((c) => c.notices).join(',')} notice messages received ` +
      `(min ${Math.min(...clients.map((c) => c.notices))}), ` +
      `${clients.map((c) => c.coincidences).join(',')} coincidence messages received ` +
      `(min ${Math.min(...clients.map((c) => c.coincidences))}), ${gaps} gaps, ${dups} duplicates, ` +
      `${behind} clients behind the last seq, ${clients.reduce((a, c) => a + c.reconnects, 0)} client reconnects\n`,
  );
  process.stdout.write(
    `end: when the inputs stopped (seq ${seqAtInputsStop}) the service still had ${JSON.stringify(atInputsStop)} to do; ` +
      `it finished what it accepted in ${quietMs} ms${wasQuiet ? '' : ` (NOT finished: ${JSON.stringify(leftUnfinished)})`}; ` +
      `clients caught up to seq ${seqBeforeStop} in ${caughtUpMs} ms (${behindBeforeStop} short); ` +
      `${appendedDuringStop} messages appended during the final stop` +
      (verifyCatchUpMs === undefined
        ? ''
        : `, fetched by resuming after one more start in ${verifyCatchUpMs} ms`) +
      '\n',
  );
  process.stdout.write(
    `optical: ${alertsWritten} alerts written (${alertsWritten / Math.max(1, ALERT_RATE)} files), ` +
      `${opticalFilesDone} files wholly joined, ${opticalRead} alerts read and joined by the service ` +
      `(${((100 * opticalRead) / Math.max(1, alertsWritten)).toFixed(1)} %; the rest is the backlog it had not reached)\n`,
  );
  process.stdout.write(`crashes: ${crashes.length}${crashes.map((c) => `\n  ${c}`).join('')}\n`);
  process.stdout.write(
    `stop times (ms): ${stopTimesMs.join(', ')}; start-up times (ms): ${startTimesMs.join(', ')}\n`,
  );
  process.stdout.write(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();

/**
 * A night end to end (issue 14): `coincide replay` over a generated night of optical alert files
 * and notices, and `coincide serve` consuming the same kind of night from a Kafka topic.
 *
 *   npx tsx bench/night.ts                 # defaults scaled to this machine (see below)
 *   npx tsx bench/night.ts --quick         # a profile that finishes in < 3 minutes
 *   npx tsx bench/night.ts --full 100000 --compact 1000000 --kafka 300000 [--partitions 4]
 *                          [--skip-full] [--skip-compact] [--skip-kafka] [--keep DIR]
 *                          [--baseline CHECKOUT] [--rounds N]
 *
 * --rounds N (default 3): each replay leg runs N times and its median time is taken (for an even
 * N, the mean of the middle two). --baseline CHECKOUT also replays the same files with another
 * checkout's bin/coincide.js (e.g. a `git worktree` of an earlier commit, with its node_modules),
 * alternating with this one in each round: the speed-up is the ratio of median times in the same
 * run, and the outputs must be byte-identical.
 *
 * --keep DIR keeps the generated files in DIR, and a later run with the same --keep DIR and the
 * same sizes uses them again instead of generating them (a marker file records what was written,
 * with a digest of the generator's sources: a changed generator writes the files again).
 *
 * The night (seeded, generated into a temp folder, removed at the end unless --keep):
 *   - optical alerts, 10 % ZTF-shaped and 90 % LSST-shaped (an LSST-era night), uniform on the
 *     sky over 0.4 days; 5 % from new objects (first detected at that alert), the rest from
 *     objects first detected 1–400 days earlier; 10 % below the reliability cut, 5 % negative;
 *     packets from the upstream samples (bench/night/alerts.ts), in two forms:
 *       full size: cutouts and histories (ZTF ~45–65 kB, LSST ~90 kB), one Avro container per
 *                  alert as in ZTF's archive;
 *       compact:   the same packets without cutouts (the archive a user keeps; ZTF 3–22 kB,
 *                  LSST 6 kB), containers of 10,000 alerts;
 *   - notices (bench/night/notices.ts): 2 GW with real sky maps, 4 Fermi GBM circles, 2 IceCube
 *     tracks, from the samples, moved into the night.
 * Default sizes: --compact 1,000,000 and --kafka 300,000 alerts; --full as many as fit in 12 %
 * of the free disk (df), at most 200,000. The Kafka topic holds compact alerts, one Avro container
 * per message (ZTF's framing; `serve` has no schema-registry option for Rubin's Confluent framing).
 *
 * Printed per leg: alerts, bytes, wall time, alerts/s, peak RSS of the coincide process, and the
 * same-run baseline:
 *   replay (full size and compact): the raw read of the same files in this run (every file read
 *     into memory and dropped, one after another, before each round and after the last, once
 *     read untimed before to have them in the page cache), and replay/raw: the median replay
 *     against the mean raw read, and each round against the raw reads just before and after it;
 *   serve from Kafka: alerts/s from the first alert to the last joined (coincide_events_in from
 *     /metrics), against the target rate of 16.7k alerts/s (10 M in 10 min).
 * Coincidences: the optical pairs the run found are compared with a naive scan of every generated
 * alert against every notice (the join's regions, windows and criteria; no index, no buffer).
 * Nothing is extrapolated from fewer than 1 M measured alerts: the 10 M-night time is printed
 * only for a leg that measured at least 1 M.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../scripts/kafka/broker.ts';
import { seededRandom } from '../scripts/optical/packets.ts';
import { SCOPES } from '../src/auth/scopes.ts';
import { createTokenStore } from '../src/auth/tokens.ts';
import { systemClock } from '../src/clock.ts';
import type { Coincidence } from '../src/join/coincidence.ts';
import { DEFAULT_CRITERIA, isNewInWindow } from '../src/join/criteria.ts';
import type { ActiveRegion } from '../src/join/active-region.ts';
import { defaultRegionResolver } from '../src/join/region-resolver.ts';
import { createSkyMapRegion } from '../src/join/skymap-region.ts';
import { classifyNotice, DEFAULT_WINDOWS, opticalWindow, type TimeWindow } from '../src/join/windows.ts';
import { extractEmbeddedSkymap, parseNoticeDocument } from '../src/notices/parse-notice.ts';
import { RAD_PER_DEG } from '../src/sky/angles.ts';
import { readSkyMap } from '../src/sky/skymap-read.ts';
import { openDatabase } from '../src/store/database.ts';
import {
  type AlertSpec,
  containerBlock,
  containerHeader,
  lsstPackets,
  objectIdOf,
  type SurveyPackets,
  ztfPackets,
} from './night/alerts.ts';
import { type NightNotice, nightNotices } from './night/notices.ts';
import { numberArg } from './number-arg.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'coincide.js');
const BASELINE = process.argv.includes('--baseline')
  ? process.argv[process.argv.indexOf('--baseline') + 1]
  : undefined;
const QUICK = process.argv.includes('--quick');
const T0_MJD = 61_016.1;
const SPAN_DAYS = 0.4;
const ZTF_FRACTION = 0.1;
const COMPACT_PER_FILE = 10_000;
const TARGET_RATE = 10_000_000 / 600;
const FULL_BYTES_EACH = 85_000;
/** bin/coincide.js's own node flags (its shebang line): spawned through process.execPath they must be repeated. */
const NODE_FLAGS = ['--initial-old-space-size=128'];

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function argString(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ------------------------------------------------------------------ the night's alerts
/** Alert i of the night (deterministic in i: the naive scan regenerates instead of storing). */
function specOf(i: number, n: number): AlertSpec {
  const random = seededRandom(0x9e3779b9 ^ i);
  const survey = random() < ZTF_FRACTION ? 'ZTF' : 'LSST';
  const timeMjd = T0_MJD + (SPAN_DAYS * i) / n;
  const isNew = random() < 0.05;
  return {
    survey,
    index: i,
    raDeg: 360 * random(),
    decDeg: Math.asin(2 * random() - 1) / RAD_PER_DEG,
    timeMjd,
    firstDetectionMjd: isNew ? timeMjd : timeMjd - 1 - 399 * random(),
    reliability: random() < 0.1 ? 0.3 : 0.9,
    positive: random() >= 0.05,
    template: Math.floor(random() * 1000),
  };
}

interface Packets {
  ztf: SurveyPackets[];
  lsst: SurveyPackets;
}

function packetsFor(cutouts: boolean): Packets {
  return { ztf: ztfPackets(cutouts), lsst: lsstPackets(cutouts) };
}

/** The writer and record bytes of one alert. */
function encodeAlert(p: Packets, spec: AlertSpec): { packets: SurveyPackets; bytes: Buffer } {
  const packets = spec.survey === 'LSST' ? p.lsst : (p.ztf[spec.template % p.ztf.length] as SurveyPackets);
  return { packets, bytes: packets.encode(spec) };
}

function singleContainer(packets: SurveyPackets, bytes: Buffer): Buffer {
  const sync = randomBytes(16);
  return Buffer.concat([containerHeader(packets.writerType, sync), containerBlock([bytes], sync)]);
}

interface FileSet {
  dir: string;
  files: number;
  bytes: number;
  alerts: number;
  generateSec: number;
}

/** What a kept folder of generated files holds: reused only when the generator and size are the same. */
const generatorDigest = (): string =>
  createHash('sha256')
    .update(readFileSync(join(import.meta.dirname, 'night', 'alerts.ts')))
    .update(
      [specOf, encodeAlert, singleContainer, writeFullSize, writeCompact, T0_MJD, SPAN_DAYS, ZTF_FRACTION]
        .map(String)
        .join('\n'),
    )
    .digest('hex');
/** Beside the folder, not in it: the replay and the raw read list the folder. */
const markerPath = (dir: string): string => `${dir}.night-files.json`;

/** The files kept in `dir` by an earlier run with --keep for `n` alerts, if complete. */
function keptFiles(dir: string, n: number): FileSet | undefined {
  if (argString('keep') === undefined) return undefined;
  try {
    const kept = JSON.parse(readFileSync(markerPath(dir), 'utf8')) as FileSet & { digest: string };
    if (kept.digest !== generatorDigest() || kept.alerts !== n || kept.dir !== dir) return undefined;
    return { dir, files: kept.files, bytes: kept.bytes, alerts: kept.alerts, generateSec: 0 };
  } catch {
    return undefined;
  }
}

/** Generates the files of `dir` (removed first), or reuses those an earlier --keep run left there. */
async function fileSet(dir: string, n: number, write: () => FileSet | Promise<FileSet>): Promise<FileSet> {
  const kept = keptFiles(dir, n);
  if (kept) {
    log(`reusing the files kept in ${dir} (${fmt(kept.files)} files)`);
    return kept;
  }
  rmSync(markerPath(dir), { force: true });
  rmSync(dir, { recursive: true, force: true });
  const set = await write();
  writeFileSync(markerPath(dir), JSON.stringify({ ...set, digest: generatorDigest() }));
  return set;
}

/** Full size: one container per alert, in folders of 10,000. */
function writeFullSize(dir: string, n: number): FileSet {
  const started = performance.now();
  const p = packetsFor(true);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const folder = join(dir, String(Math.floor(i / 10_000)).padStart(4, '0'));
    if (i % 10_000 === 0) mkdirSync(folder, { recursive: true });
    const spec = specOf(i, n);
    const { packets, bytes: record } = encodeAlert(p, spec);
    const file = singleContainer(packets, record);
    writeFileSync(join(folder, `${String(i).padStart(8, '0')}-${spec.survey}.avro`), file);
    bytes += file.length;
  }
  return { dir, files: n, bytes, alerts: n, generateSec: (performance.now() - started) / 1000 };
}

/** Compact: containers of COMPACT_PER_FILE alerts, one survey (writer schema) per block run. */
async function writeCompact(dir: string, n: number): Promise<FileSet> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const p = packetsFor(false);
  let bytes = 0;
  let files = 0;
  for (let start = 0; start < n; start += COMPACT_PER_FILE) {
    // One file per writer schema in this slice of the night.
    const groups = new Map<SurveyPackets, Buffer[]>();
    for (let i = start; i < Math.min(n, start + COMPACT_PER_FILE); i++) {
      const { packets, bytes: record } = encodeAlert(p, specOf(i, n));
      let list = groups.get(packets);
      if (!list) groups.set(packets, (list = []));
      list.push(record);
    }
    let g = 0;
    for (const [packets, records] of groups) {
      const sync = randomBytes(16);
      const path = join(dir, `${String(start).padStart(9, '0')}-${g++}.avro`);
      const out = createWriteStream(path);
      out.write(containerHeader(packets.writerType, sync));
      bytes += containerHeader(packets.writerType, sync).length;
      for (let k = 0; k < records.length; k += 100) {
        const block = containerBlock(records.slice(k, k + 100), sync);
        bytes += block.length;
        if (!out.write(block))
          await new Promise<void>((resolve) =>
            out.once('drain', () => {
              resolve();
            }),
          );
      }
      await new Promise<void>((resolve) =>
        out.end(() => {
          resolve();
        }),
      );
      files++;
    }
  }
  return { dir, files, bytes, alerts: n, generateSec: (performance.now() - started) / 1000 };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The raw read: every file into memory and dropped, one after another. */
function rawRead(dir: string): { bytes: number; sec: number } {
  const files = listFiles(dir);
  const started = performance.now();
  let bytes = 0;
  for (const f of files) bytes += readFileSync(f).length;
  return { bytes, sec: (performance.now() - started) / 1000 };
}

// ------------------------------------------------------------------ processes
/** Peak RSS (VmHWM) of a running process, bytes; polled, since /proc goes away at exit. */
function peakRss(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return 1024 * Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

interface Run {
  sec: number;
  peakRssBytes: number;
  stderr: string;
  code: number | null;
}

async function runProcess(args: string[], env: NodeJS.ProcessEnv = {}, bin = BIN): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [...NODE_FLAGS, bin, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRss(child.pid) || 0)), 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  return { sec: (performance.now() - started) / 1000, peakRssBytes: peak, stderr, code };
}

// ------------------------------------------------------------------ the naive scan
interface NaiveNotice {
  triggerId: string;
  triggerMjd: number;
  window: TimeWindow;
  region: ActiveRegion;
}

function naiveNotices(notices: readonly NightNotice[]): NaiveNotice[] {
  const out: NaiveNotice[] = [];
  for (const doc of notices) {
    const notice = parseNoticeDocument(doc.bytes, { fileName: doc.name });
    const window = opticalWindow(DEFAULT_WINDOWS, classifyNotice(notice));
    const mapBytes = notice.region.type === 'skymap' ? extractEmbeddedSkymap(doc.bytes) : undefined;
    const region = mapBytes
      ? createSkyMapRegion(
          readSkyMap(mapBytes),
          0.9,
          notice.region.type === 'skymap' ? notice.region.url : '',
        )
      : defaultRegionResolver(notice, 0.9);
    if (window && region)
      out.push({ triggerId: notice.triggerId, triggerMjd: notice.triggerTimeMjd, window, region });
  }
  return out;
}

/** Every (trigger, object) pair a correct join must report, by testing each alert against each notice. */
function naivePairs(notices: readonly NaiveNotice[], n: number): Set<string> {
  const pairs = new Set<string>();
  for (let i = 0; i < n; i++) {
    const s = specOf(i, n);
    if (!s.positive || s.reliability < DEFAULT_CRITERIA.minReliability[s.survey]) continue;
    for (const t of notices) {
      if (!isNewInWindow(s.firstDetectionMjd, t.triggerMjd, t.window, DEFAULT_CRITERIA)) continue;
      if (t.region.contains(s.raDeg, s.decDeg)) pairs.add(`${t.triggerId}|${s.survey}:${objectIdOf(s)}`);
    }
  }
  return pairs;
}

/** The live optical pairs in a stream of coincidence JSON lines (later lines win: withdrawals). */
function foundPairs(lines: Iterable<string>): Set<string> {
  const pairs = new Set<string>();
  for (const line of lines) {
    if (line.trim() === '') continue;
    // Replay writes coincidences; the service's JSONL sink frames them as {"type","seq","data"}.
    const value = JSON.parse(line) as Coincidence | { data?: Coincidence };
    const c = 'pairType' in value ? value : value.data;
    if (c?.pairType !== 'mm-optical') continue;
    const counterpart = c.counterpart as { survey: string; objectId: string };
    const key = `${c.trigger.triggerId}|${counterpart.survey}:${counterpart.objectId}`;
    if (c.status === 'withdrawn') pairs.delete(key);
    else pairs.add(key);
  }
  return pairs;
}

function compare(found: Set<string>, expected: Set<string>): string {
  const missing = [...expected].filter((k) => !found.has(k));
  const extra = [...found].filter((k) => !expected.has(k));
  return missing.length === 0 && extra.length === 0
    ? `${fmt(found.size)} optical pairs, the same as the naive scan`
    : `${fmt(found.size)} optical pairs vs ${fmt(expected.size)} from the naive scan: ` +
        `${missing.length} missing (e.g. ${missing.slice(0, 3).join(', ')}), ${extra.length} extra (e.g. ${extra.slice(0, 3).join(', ')})`;
}

// ------------------------------------------------------------------ legs
async function replayLeg(
  label: string,
  set: FileSet,
  noticeDir: string,
  notices: NaiveNotice[],
  work: string,
): Promise<void> {
  // Untimed first: files evicted from the page cache (a kept folder, a busy machine) would make
  // the first timed raw read a disk read, and the replay's baseline too slow.
  rawRead(set.dir);
  /** The timed raw reads: one before each round and one after the last. */
  const raws: Array<{ bytes: number; sec: number }> = [];
  const out = join(work, `${label}.jsonl`);
  const loadBefore = load();
  const replayArgs = (file: string): string[] => [
    'replay',
    set.dir,
    noticeDir,
    '--out',
    file,
    '--progress',
    'false',
  ];
  const rounds = numberArg('rounds', 3);
  const ours: Run[] = [];
  const theirs: Run[] = [];
  const baseOut = join(work, `${label}.baseline.jsonl`);
  for (let round = 0; round < rounds; round++) {
    raws.push(rawRead(set.dir));
    // Alternated, so that both see the same machine.
    if (BASELINE !== undefined)
      theirs.push(await runProcess(replayArgs(baseOut), {}, join(BASELINE, 'bin', 'coincide.js')));
    ours.push(await runProcess(replayArgs(out)));
  }
  // The median time: the middle round, or the mean of the middle two of an even number of rounds
  // (RSS, exit code and stderr from the slower of those two).
  const median = (runs: Run[]): Run => {
    const sorted = [...runs].sort((a, b) => a.sec - b.sec);
    const upper = sorted[Math.floor(sorted.length / 2)] as Run;
    if (sorted.length % 2 === 1) return upper;
    const lower = sorted[sorted.length / 2 - 1] as Run;
    return {
      ...upper,
      sec: (lower.sec + upper.sec) / 2,
      peakRssBytes: Math.max(lower.peakRssBytes, upper.peakRssBytes),
    };
  };
  const run = median(ours);
  raws.push(rawRead(set.dir));
  /** Each round's replay/raw, against the raw reads just before and after it. */
  const roundRatios = ours.map(
    (r, i) => ((raws[i] as { sec: number }).sec + (raws[i + 1] as { sec: number }).sec) / 2 / r.sec,
  );
  // The fixed cost in the same run: a replay of the notices alone (start-up, notices, sky maps).
  const fixed = await runProcess([
    'replay',
    noticeDir,
    '--out',
    join(work, 'notices-only.jsonl'),
    '--progress',
    'false',
  ]);
  for (const r of [...ours, ...theirs])
    if (r.code !== 0 && r.code !== 2) throw new Error(`replay exited ${r.code}: ${r.stderr}`);
  const rawSec = raws.reduce((sum, r) => sum + r.sec, 0) / raws.length;
  const rawRate = set.alerts / rawSec;
  const rate = set.alerts / run.sec;
  log(
    `replay ${label.padEnd(9)} ${fmt(set.alerts)} alerts, ${fmt(set.files)} files, ${gib(set.bytes)}: ` +
      `${run.sec.toFixed(1)} s = ${fmt(rate)} alerts/s (${(set.bytes / run.sec / 2 ** 20).toFixed(0)} MiB/s), peak RSS ${gib(run.peakRssBytes)}; ` +
      `raw read ${raws.map((r) => r.sec.toFixed(2)).join(' / ')} s (before each round and after the last) = ${fmt(rawRate)} alerts/s (${(set.bytes / rawSec / 2 ** 20).toFixed(0)} MiB/s); ` +
      `replay/raw ${(rate / rawRate).toFixed(2)} (against the fastest raw read alone ` +
      `${((rate * Math.min(...raws.map((r) => r.sec))) / set.alerts).toFixed(2)}); load ${loadBefore} → ${load()}`,
  );
  const netRate = set.alerts / Math.max(1e-3, run.sec - fixed.sec);
  log(
    `       ${label}: the notices alone replay in ${fixed.sec.toFixed(1)} s (start-up, sky maps); without it ` +
      `${fmt(netRate)} alerts/s, replay/raw ${(netRate / rawRate).toFixed(2)}`,
  );
  if (rounds > 1) {
    const sortedRatios = [...roundRatios].sort((a, b) => a - b);
    const mid = sortedRatios.length / 2;
    const medianRatio =
      sortedRatios.length % 2 === 1
        ? (sortedRatios[Math.floor(mid)] as number)
        : ((sortedRatios[mid - 1] as number) + (sortedRatios[mid] as number)) / 2;
    log(
      `       ${label}: rounds ${ours.map((r) => r.sec.toFixed(2)).join(' / ')} s (median taken); each against the raw reads beside it: ` +
        `replay/raw ${roundRatios.map((x) => x.toFixed(2)).join(' / ')}, median ${medianRatio.toFixed(2)}, lowest ${sortedRatios[0]?.toFixed(2)}`,
    );
  }
  if (BASELINE !== undefined) {
    const base = median(theirs);
    const same = readFileSync(baseOut).equals(readFileSync(out));
    log(
      `       ${label}: baseline ${BASELINE}: ${theirs.map((r) => r.sec.toFixed(2)).join(' / ')} s, median ${base.sec.toFixed(2)} s = ` +
        `${fmt(set.alerts / base.sec)} alerts/s, peak RSS ${gib(base.peakRssBytes)}; this/baseline speed ${(base.sec / run.sec).toFixed(2)}; ` +
        `output ${same ? 'byte-identical' : 'DIFFERENT'}`,
    );
  }
  if (set.alerts >= 1_000_000)
    log(`       ${label}: a 10 M-alert night at this rate: ${(10_000_000 / rate / 60).toFixed(1)} min`);
  log(`       ${label}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
  const lines = readFileSync(out, 'utf8').split('\n');
  log(`       ${label}: coincidences: ${compare(foundPairs(lines), naivePairs(notices, set.alerts))}`);
}

async function kafkaLeg(n: number, notices: readonly NightNotice[], work: string): Promise<void> {
  const broker = await startBroker({ dataDir: join(work, 'kafka'), heapMb: 512 });
  let service: ChildProcess | undefined;
  try {
    const kafka = new Kafka({
      brokers: [broker.bootstrap],
      clientId: 'night-bench',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = 'night-optical';
    await admin.createTopics({
      topics: [
        { topic, numPartitions: numberArg('partitions', 4) },
        ...[
          'igwn.gwalert',
          'gcn.classic.voevent.FERMI_GBM_GND_POS',
          'gcn.classic.voevent.ICECUBE_ASTROTRACK_GOLD',
        ].map((t) => ({ topic: t, numPartitions: 1 })),
      ],
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const started = performance.now();
    const p = packetsFor(false);
    let bytes = 0;
    let batch: Array<{ value: Buffer }> = [];
    for (let i = 0; i < n; i++) {
      const { packets, bytes: record } = encodeAlert(p, specOf(i, n));
      const value = singleContainer(packets, record);
      bytes += value.length;
      batch.push({ value });
      if (batch.length === 500 || i === n - 1) {
        await producer.send({ topic, messages: batch, acks: 1 });
        batch = [];
      }
    }
    // The notices on GCN's topics (the service reads them from the same broker).
    for (const doc of notices) {
      const gcnTopic =
        doc.format === 'igwn-json'
          ? 'igwn.gwalert'
          : doc.name.startsWith('gbm')
            ? 'gcn.classic.voevent.FERMI_GBM_GND_POS'
            : 'gcn.classic.voevent.ICECUBE_ASTROTRACK_GOLD';
      await producer.send({ topic: gcnTopic, messages: [{ value: doc.bytes }], acks: 1 });
    }
    await producer.disconnect();
    log(
      `kafka  produced ${fmt(n)} compact alerts (${gib(bytes)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // The service: VTP receiver for the VOEvent notices, metrics for progress, a JSONL sink.
    const dbPath = join(work, 'serve.sqlite');
    const tokenDb = openDatabase({ path: dbPath });
    const token = createTokenStore({ db: tokenDb, clock: systemClock }).create('night', {
      scopes: [...SCOPES],
    }).token;
    tokenDb.close();
    const jsonl = join(work, 'serve.jsonl');
    const serveStarted = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...NODE_FLAGS,
        BIN,
        'serve',
        '--db',
        dbPath,
        '--listen-host',
        '127.0.0.1',
        '--http-port',
        '0',
        '--receive-port',
        '0',
        '--broadcast-port',
        '0',
        '--jsonl',
        jsonl,
        '--log-level',
        'info',
        '--optical-kafka-brokers',
        broker.bootstrap,
        '--optical-kafka-topic',
        topic,
        '--optical-kafka-from-beginning',
        'true',
        '--gcn-brokers',
        broker.bootstrap,
        '--gcn-topic',
        '^igwn\\.gwalert$',
        '--gcn-topic',
        '^gcn\\.classic\\.voevent\\..*',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } },
    );
    service = child;
    const ports = await new Promise<{ http: number }>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr });
      const serveLog = createWriteStream(join(work, 'serve.log'));
      lines.on('line', (line) => {
        serveLog.write(`${line}\n`);
        try {
          const r = JSON.parse(line) as { msg?: string; service?: string; port?: number; level?: string };
          if (r.level === 'error') log(`       serve: ${line}`);
          if (r.msg === 'listening' && r.service === 'http' && r.port) resolve({ http: r.port });
        } catch {
          /* not JSON */
        }
      });
      child.once('exit', (code) => {
        reject(new Error(`serve exited ${code}`));
      });
    });
    const counts = async (): Promise<{ optical: number; gcn: number }> => {
      const response = await fetch(`http://127.0.0.1:${ports.http}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET /metrics: ${response.status} ${text.slice(0, 200)}`);
      const count = (re: RegExp): number => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
      return {
        optical: count(/coincide_events_in_total\{outcome="accepted",source="optical"\} (\d+)/g),
        gcn: count(/coincide_events_in_total\{outcome="[^"]*",source="gcn-kafka"\} (\d+)/g),
      };
    };
    let firstMs = 0;
    let lastMs = 0;
    let previous = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const c = await counts();
      const now = performance.now();
      if (c.optical > 0 && firstMs === 0) firstMs = now;
      if (c.optical > previous) lastMs = now;
      previous = c.optical;
      if (c.optical >= n && c.gcn >= notices.length) break;
      if (now - (lastMs || serveStarted) > 120_000)
        throw new Error(`serve stalled at ${c.optical} alerts, ${c.gcn} notices`);
    }
    const sec = (lastMs - serveStarted) / 1000;
    const consumeSec = (lastMs - firstMs) / 1000;
    const rss = peakRss(child.pid);
    log(
      `serve  kafka → join: ${fmt(n)} compact alerts in ${sec.toFixed(1)} s from start = ${fmt(n / sec)} alerts/s ` +
        `(${consumeSec.toFixed(1)} s from the first alert = ${fmt(n / consumeSec)} alerts/s, ±0.25 s polling); ` +
        `target ${fmt(TARGET_RATE)} alerts/s: ratio ${(n / consumeSec / TARGET_RATE).toFixed(2)}; peak RSS ${gib(rss)}; load ${load()}`,
    );
    if (n >= 1_000_000)
      log(
        `       serve: a 10 M-alert night at this rate: ${(10_000_000 / (n / consumeSec) / 60).toFixed(1)} min`,
      );
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    service = undefined;
    const lines = readFileSync(jsonl, 'utf8').split('\n');
    log(`       serve: coincidences: ${compare(foundPairs(lines), naivePairs(naiveNotices(notices), n))}`);
  } finally {
    service?.kill('SIGTERM');
    await broker.stop();
  }
}

// ------------------------------------------------------------------ main
async function main(): Promise<void> {
  const work = argString('keep') ?? mkdtempSync(join(tmpdir(), 'coincide-night-'));
  mkdirSync(work, { recursive: true });
  const fs = statfsSync(work);
  const freeBytes = fs.bavail * fs.bsize;
  const fullDefault = QUICK ? 5_000 : Math.min(200_000, Math.floor((0.12 * freeBytes) / FULL_BYTES_EACH));
  const nFull = numberArg('full', fullDefault);
  const nCompact = numberArg('compact', QUICK ? 100_000 : 1_000_000);
  const nKafka = numberArg('kafka', QUICK ? 20_000 : 300_000);
  log(
    `bench/night.ts  node ${process.version}  ${new Date().toISOString()}  load ${load()}  ` +
      `free disk ${gib(freeBytes)} at ${work}; full ${fmt(nFull)}, compact ${fmt(nCompact)}, kafka ${fmt(nKafka)}`,
  );
  try {
    const noticeDir = join(work, 'notices');
    mkdirSync(noticeDir, { recursive: true });
    const notices = nightNotices(T0_MJD, SPAN_DAYS);
    for (const doc of notices) writeFileSync(join(noticeDir, doc.name), doc.bytes);
    const naive = naiveNotices(notices);
    log(
      `notices: ${notices.length} (${naive.map((t) => `${t.triggerId} ${t.region.areaDeg2.toFixed(0)} deg²`).join(', ')})`,
    );
    if (nFull > 0 && !process.argv.includes('--skip-full')) {
      const set = await fileSet(join(work, 'full'), nFull, () => writeFullSize(join(work, 'full'), nFull));
      log(
        `full size: ${fmt(set.files)} files, ${gib(set.bytes)}, generated in ${set.generateSec.toFixed(1)} s`,
      );
      await replayLeg('full-size', set, noticeDir, naive, work);
      if (argString('keep') === undefined) rmSync(set.dir, { recursive: true, force: true });
    }
    if (nCompact > 0 && !process.argv.includes('--skip-compact')) {
      const set = await fileSet(join(work, 'compact'), nCompact, () =>
        writeCompact(join(work, 'compact'), nCompact),
      );
      log(
        `compact: ${fmt(set.files)} files, ${gib(set.bytes)}, generated in ${set.generateSec.toFixed(1)} s`,
      );
      await replayLeg('compact', set, noticeDir, naive, work);
      if (argString('keep') === undefined) rmSync(set.dir, { recursive: true, force: true });
    }
    if (nKafka > 0 && !process.argv.includes('--skip-kafka')) await kafkaLeg(nKafka, notices, work);
  } finally {
    if (argString('keep') === undefined) rmSync(work, { recursive: true, force: true });
  }
}

await main();

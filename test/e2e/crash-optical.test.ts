/**
 * Exactly-once from an optical file to the stream, under SIGKILL (issue 12): a Fermi GBM notice
 * over a field of Rubin/LSST alerts is committed first; then alert files (LSST v11 Avro
 * containers of distinct objects, each object in the notice's region and new in its window) are
 * renamed into the folder `coincide serve --optical-path` watches, and the process is killed with
 * SIGKILL at a random point while it reads them, ROUNDS times, and restarted over the same
 * database, a `coincide listen` client attached throughout. Files are larger than one chunk
 * (app/optical-folder-input.ts), so kills fall between the chunks of a file too. Then:
 *   - every file is marked wholly read (optical_files.done);
 *   - the client received seqs 1..last, each once, in order;
 *   - every coincidence of the notice with the alerts reached it exactly once: the same set of
 *     coincidence ids as the join engine gives for the notice and the alerts in one uninterrupted
 *     run (createJoinEngine in this process, no restart), and no id twice.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { buildLsstRecords } from '../../scripts/optical/packets.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { joinOptionsFromConfig } from '../../src/join/score-config.ts';
import { loadConfig } from '../../src/config.ts';
import { OpticalAlertDecoder } from '../../src/optical/alert-decoder.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { openDatabase } from '../../src/store/database.ts';
import { mjdToUnixMs } from '../../src/time/mjd.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { createTestToken } from '../http/start-app.ts';
import { freePort } from '../peers/processes.ts';
import { makeTempDir } from '../vtp/helpers.ts';
import { lastOutboxSeq, startListen, startServe, until, untilListened } from './serve-process.ts';

const ROUNDS = 8;
const FILES = 8;
/** Alerts per file: more than one chunk (500) of the folder input. */
const ALERTS_PER_FILE = 700;
const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';

/** A real GBM ground position moved to a time and position (every other byte as GCN wrote it). */
function gbmNotice(timeMjd: number, raDeg: number, decDeg: number): Buffer {
  const iso = new Date(mjdToUnixMs(timeMjd)).toISOString().slice(0, 22);
  const xml = readFileSync(samplePath(GBM_GND), 'utf8')
    .replace(/GBM_Gnd_Pos_2023-09-11T07:53:09\.73_716111594_58-491/, `GBM_Gnd_Pos_${iso}_990000777_58-491`)
    .replace(/name="TrigID" value="716111594"/, 'name="TrigID" value="990000777"')
    .replace(/<ISOTime>[^<]+<\/ISOTime>/, `<ISOTime>${iso}</ISOTime>`)
    .replace(/<C1>[^<]+<\/C1>/, `<C1>${raDeg.toFixed(4)}</C1>`)
    .replace(/<C2>[^<]+<\/C2>/, `<C2>${decDeg.toFixed(4)}</C2>`);
  return Buffer.from(xml, 'utf8');
}

/** FILES containers of ALERTS_PER_FILE alerts each, in time order (distinct objects, first detected at their alert). */
async function alertFiles(): Promise<Buffer[]> {
  const { writerType, records } = buildLsstRecords({
    count: FILES * ALERTS_PER_FILE,
    seed: 12,
    nPrvDiaSources: 0,
    nPrvForcedSources: 1,
    cutoutBytes: 100,
  });
  const files: Buffer[] = [];
  for (let f = 0; f < FILES; f++) {
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const encoder = new avro.streams.BlockEncoder(writerType);
      encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
      encoder.on('end', resolve);
      encoder.on('error', reject);
      for (const record of records.slice(f * ALERTS_PER_FILE, (f + 1) * ALERTS_PER_FILE))
        encoder.write(record);
      encoder.end();
    });
    files.push(Buffer.concat(chunks));
  }
  return files;
}

describe(
  'exactly-once from an optical file to the stream under SIGKILL',
  { skip: skipUnlessShared() },
  () => {
    it(
      `streams every coincidence of committed notices with read alerts once (${ROUNDS} SIGKILL rounds)`,
      {
        timeout: 900_000,
      },
      async () => {
        const tmp = makeTempDir('coincide-crash-optical-');
        const dbPath = join(tmp.dir, 'coincide.db');
        const opticalDir = join(tmp.dir, 'alerts');
        mkdirSync(opticalDir);
        const token = createTestToken(dbPath, 'crash-optical');
        const httpPort = await freePort();
        const args = ['--optical-path', opticalDir, '--optical-poll-ms', '100'];
        const decoder = new OpticalAlertDecoder();
        const files = await alertFiles();
        const alerts: OpticalAlert[] = [];
        for (const bytes of files) alerts.push(...(await decoder.decodeMessage(bytes)));
        const first = alerts[0];
        assert.ok(first);
        // The notice: 10 min before the first alert, on the field (GBM's error and systematic cover it).
        const noticeBytes = gbmNotice(first.timeMjd - 600 / 86_400, first.raDeg, first.decDeg);

        // The reference: the same notice and alerts through the join engine, in one run.
        const reference = createJoinEngine(joinOptionsFromConfig(loadConfig({ env: {} }).scores));
        const notice = parseNoticeDocument(noticeBytes);
        reference.onNotice(notice);
        const expected = new Set<string>();
        for (const alert of alerts) for (const c of reference.onOpticalAlert(alert)) expected.add(c.id);
        assert.ok(
          expected.size > FILES * ALERTS_PER_FILE * 0.5,
          `the alerts pair with the notice (${expected.size})`,
        );

        const listener = startListen({ httpPort, token, args: ['--since', '0', '--max-backoff-ms', '500'] });
        try {
          const serve = await startServe({ dbPath, httpPort, args, timeoutMs: 120_000 });
          const receipt = await sendEvent({
            host: '127.0.0.1',
            port: serve.ports['vtp-receiver'] ?? 0,
            bytes: noticeBytes,
          });
          assert.equal(receipt.role, 'ack');
          await until('the notice streamed', () =>
            listener.lines.some((l) => l.type === 'notice') ? true : undefined,
          );
          await serve.stop('SIGKILL');

          let nextFile = 0;
          for (let round = 1; round <= ROUNDS; round += 1) {
            const running = await startServe({ dbPath, httpPort, args, timeoutMs: 120_000 });
            // One more file each round, renamed into place as a writer would.
            for (let k = 0; k < 1 && nextFile < FILES; k++, nextFile++) {
              writeFileSync(join(tmp.dir, 'next.tmp'), files[nextFile] ?? Buffer.alloc(0));
              renameSync(
                join(tmp.dir, 'next.tmp'),
                join(opticalDir, `alerts-${String(nextFile).padStart(3, '0')}.avro`),
              );
            }
            const killAfterMs = 100 + Math.floor(Math.random() * 2000);
            await new Promise((resolve) => setTimeout(resolve, killAfterMs));
            await running.stop('SIGKILL');
            const db = openDatabase({ path: dbPath, readonly: true });
            let progress: string;
            try {
              progress = (
                db.prepare('SELECT path, alerts_done, done FROM optical_files ORDER BY path').all() as Array<{
                  path: string;
                  alerts_done: number;
                  done: number;
                }>
              )
                .map((r) => `${r.alerts_done}${r.done === 1 ? '' : '…'}`)
                .join(' ');
            } finally {
              db.close();
            }
            process.stdout.write(
              `# round ${round}: SIGKILL after ${killAfterMs} ms; alerts committed per file: ${progress}\n`,
            );
          }

          // The last start reads what is left; then everything is checked.
          const last = await startServe({ dbPath, httpPort, args, timeoutMs: 120_000 });
          try {
            await until(
              'every file read',
              () => {
                const db = openDatabase({ path: dbPath, readonly: true });
                try {
                  const done = Number(
                    db.prepare('SELECT count(*) FROM optical_files WHERE done = 1').pluck().get(),
                  );
                  return done === FILES ? true : undefined;
                } finally {
                  db.close();
                }
              },
              300_000,
            );
            const lastSeq = lastOutboxSeq(dbPath);
            await untilListened(listener, lastSeq, 120_000);
            assert.deepEqual(
              listener.lines.map((m) => m.seq),
              Array.from({ length: lastSeq }, (_, i) => i + 1),
              'seqs 1..last, each once, in order',
            );
            const streamed = listener.lines
              .filter((m) => m.type === 'coincidence')
              .map((m) => (typeof m.data?.id === 'string' ? m.data.id : ''));
            const twice = streamed.filter((id, i) => streamed.indexOf(id) !== i);
            assert.deepEqual(twice, [], 'no coincidence streamed twice');
            assert.deepEqual(
              [...expected].filter((id) => !streamed.includes(id)),
              [],
              'every coincidence of the uninterrupted run streamed',
            );
            assert.deepEqual(
              streamed.filter((id) => !expected.has(id)),
              [],
              'no coincidence the uninterrupted run does not give',
            );
            process.stdout.write(
              `# ${ROUNDS} rounds: ${alerts.length} alerts in ${FILES} files, ${streamed.length} coincidences ` +
                `streamed once each (the uninterrupted run gives ${expected.size})\n`,
            );
          } finally {
            await last.stop('SIGTERM', 60_000);
          }
        } finally {
          await listener.stop();
          tmp.remove();
        }
      },
    );
  },
);

/**
 * CPU per event of each stage of the VTP receiver's path, in this process, on the event that
 * bench/vtp.ts submits (a ~1 kB VOEvent 2.0 like a GCN position notice): the budget that
 * bench/vtp.ts's rates must fit in. With 2 cores shared by the author and the receiver, a rate R
 * needs (author + receiver) CPU per event <= 2 / R; the stages below are what the receiver
 * cannot skip while keeping every check (pre-scan, SHA-256 for de-duplication, libxml2 parse and
 * VOEvent 2.0 schema validation) and the notice (normalised after the ack, but CPU all the same).
 *
 *   npx tsx bench/vtp-stages.ts [--iterations 4000]
 *
 * Each stage: the same work ITERATIONS times after a warm-up, process.cpuUsage() (user + system)
 * per iteration, best of 3 rounds (the machine is shared). Not a test; prints only.
 */
import { createHash, hash } from 'node:crypto';
import { loadavg } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { parseNoticeDocument } from '../src/notices/parse-notice.ts';
import { createSchemaValidator } from '../src/voevent/schema-validator.ts';
import { parseXmlDocument } from '../src/voevent/xml-parse.ts';
import { classifyPayload } from '../src/vtp/payload.ts';
import { ack } from '../src/vtp/messages.ts';
import { encodeFrame } from '../src/vtp/framing.ts';
import { ownCopy } from '../src/worker-thread.ts';
import { numberArg } from './number-arg.ts';
import { benchVoEvent } from './vtp-event.ts';

const ITERATIONS = numberArg('iterations', 4000);

let serial = 0;
/** The event bench/vtp.ts submits (same template). */
function nextEvent(): Buffer {
  serial += 1;
  const ivorn = `ivo://bench.coincide/stages#${String(serial)}`;
  const ra = ((serial * 37) % 360).toFixed(4);
  const dec = (((serial * 13) % 180) - 90).toFixed(4);
  return benchVoEvent(ivorn, serial, ra, dec);
}

const events = Array.from({ length: 256 }, nextEvent);
const event = (i: number): Buffer => events[i % events.length] as Buffer;

/** CPU µs per iteration of `run(i)`, best of 3 rounds after a warm-up. */
async function cpuPerIteration(run: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(500, ITERATIONS); i++) await run(i);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) await run(i);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / ITERATIONS);
  }
  return best;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(`VTP receiver stages, CPU per event (best of 3 x ${String(ITERATIONS)}); load ${load()}`);
const validator = createSchemaValidator();
const rows: Array<[string, number]> = [];
const measure = async (label: string, run: (i: number) => unknown): Promise<void> => {
  const us = await cpuPerIteration(run);
  rows.push([label, us]);
  console.log(`  ${label.padEnd(64)} ${us.toFixed(1).padStart(7)} us`);
};

await measure('pre-scan + classify (classifyPayload)', (i) => classifyPayload(event(i)));
await measure('SHA-256 hex, createHash().update().digest()', (i) =>
  createHash('sha256').update(event(i)).digest('hex'),
);
await measure('SHA-256 hex, crypto.hash() one-shot', (i) => hash('sha256', event(i), 'hex'));
await measure('libxml2 parse only (parseXmlDocument + dispose)', (i) => {
  parseXmlDocument(event(i)).dispose();
});
await measure('libxml2 parse + VOEvent 2.0 schema (validateSync, pre-scan reused)', (i) => {
  const bytes = event(i);
  const { prescan } = classifyPayload(bytes);
  const verdict = validator.validateSync(bytes, prescan);
  if (!verdict.valid) throw new Error(verdict.errors.join('; '));
});
await measure('ack message + frame (messages.ts ack, encodeFrame)', (i) =>
  encodeFrame(
    ack(`ivo://bench.coincide/stages#${String(i)}`, 'ivo://bench.coincide/broker', { nowMs: 1e12 + i }),
  ),
);
await measure('normalisation to a Notice + JSON (parseNoticeDocument, stringify)', (i) =>
  JSON.stringify(parseNoticeDocument(event(i))),
);

// One postMessage of an insert op to another port (as the store posts to its writer thread),
// with the bytes moved (a copy into an ArrayBuffer of their own, then transferred) or cloned.
const channel = new MessageChannel();
let received = 0;
channel.port2.on('message', () => {
  received += 1;
});
const op = (bytes: Uint8Array): Record<string, unknown> => ({
  op: 'insert-event',
  sha256: 'f'.repeat(64),
  ivorn: 'ivo://bench.coincide/stages#1',
  role: 'observation',
  bytes,
  receivedAtMs: 1e12,
  peer: '127.0.0.2:40000',
  input: 'vtp-receiver',
  normalised: false,
  trusted: true,
  normaliseAfterCommit: true,
});
const drain = async (): Promise<void> => {
  await new Promise((r) => setImmediate(r));
};
await measure('postMessage of an insert op, bytes transferred (sender side)', async (i) => {
  const bytes = ownCopy(event(i));
  channel.port1.postMessage([{ id: i, request: [op(bytes)] }], [bytes.buffer]);
  if (i % 64 === 63) await drain();
});
await measure('postMessage of an insert op, bytes cloned (sender side)', async (i) => {
  channel.port1.postMessage([{ id: i, request: [op(event(i))] }]);
  if (i % 64 === 63) await drain();
});
channel.port1.close();
await validator.close();

const of = (label: string): number => rows.find(([l]) => l.startsWith(label))?.[1] ?? NaN;
const checks = of('pre-scan') + of('SHA-256 hex, crypto') + of('libxml2 parse +');
console.log(
  `  checks every ack needs (pre-scan + SHA-256 + libxml2 schema): ${checks.toFixed(0)} us; ` +
    `with the notice: ${(checks + of('normalisation')).toFixed(0)} us per event`,
);
console.log(`load ${load()} (received ${String(received)} messages)`);

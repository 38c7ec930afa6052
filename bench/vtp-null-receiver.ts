/**
 * Helper process of bench/vtp.ts: the floor of a VTP receiver on this machine, for the same
 * load generator. Per connection it does only what any receiver must: frame the submission
 * (FrameDecoder), find its ivorn (the pre-scan of the root element, classifyPayload), write an
 * ack (messages.ts) and close. Nothing is validated, checked or stored: it is NOT a receiver,
 * only the cost of Node's TCP handling plus the ack, to show how fast the benchmark's author
 * (in the benchmark's process) and a do-nothing server go together on these cores.
 * Prints {"port":N} once listening.
 *
 *   node --import tsx bench/vtp-null-receiver.ts [--stages=FILE]
 *
 * --stages=FILE (bench/vtp-latency.ts): as test/vtp/receiver-process.ts, each submission's times
 * (accepted, the frame read = `ingest`, the ack written = `resolved`) and the main thread's
 * garbage collections, written at SIGTERM.
 */
import { createServer } from 'node:net';
import { ack } from '../src/vtp/messages.ts';
import { classifyPayload } from '../src/vtp/payload.ts';
import { encodeFrame, FrameDecoder } from '../src/vtp/framing.ts';
import { silentLogger } from '../src/logger.ts';
import type { Stages } from '../test/vtp/receiver-process.ts';
import { nowMs, recordGcPauses, writeStageTrace } from '../test/vtp/stage-trace.ts';

const stagesFile = process.argv.find((a) => a.startsWith('--stages='))?.slice('--stages='.length);
const stages: Stages[] = [];
const gcPauses = stagesFile === undefined ? [] : recordGcPauses();

const server = createServer((socket) => {
  const accepted = stagesFile === undefined ? 0 : nowMs();
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({
    logger: silentLogger,
    onFrame: (payload) => {
      const ingest = stagesFile === undefined ? 0 : nowMs();
      const { ivorn } = classifyPayload(payload);
      socket.end(encodeFrame(ack(ivorn, 'ivo://bench.coincide/null', { nowMs: Date.now() })));
      if (stagesFile !== undefined) stages.push({ ivorn, accepted, ingest, resolved: nowMs() });
    },
    onError: () => socket.destroy(),
  });
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
  });
  socket.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  if (stagesFile !== undefined) writeStageTrace(stagesFile, stages, gcPauses);
  process.exit(0);
});

/**
 * Helper process of bench/vtp.ts: the floor of a VTP receiver on this machine, for the same
 * load generator. Per connection it does only what any receiver must: frame the submission
 * (FrameDecoder), find its ivorn (the pre-scan of the root element, classifyPayload), write an
 * ack (messages.ts) and close. Nothing is validated, checked or stored: it is NOT a receiver,
 * only the cost of Node's TCP handling plus the ack, to show how fast the benchmark's author
 * (in the benchmark's process) and a do-nothing server go together on these cores.
 * Prints {"port":N} once listening.
 *
 *   node --import tsx bench/vtp-null-receiver.ts
 */
import { createServer } from 'node:net';
import { ack } from '../src/vtp/messages.ts';
import { classifyPayload } from '../src/vtp/payload.ts';
import { encodeFrame, FrameDecoder } from '../src/vtp/framing.ts';
import { silentLogger } from '../src/logger.ts';

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({
    logger: silentLogger,
    onFrame: (payload) => {
      const { ivorn } = classifyPayload(payload);
      socket.end(encodeFrame(ack(ivorn, 'ivo://bench.coincide/null', { nowMs: Date.now() })));
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
  process.exit(0);
});

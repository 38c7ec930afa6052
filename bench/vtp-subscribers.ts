/**
 * Helper process of bench/vtp.ts: N simulated subscribers on one broadcaster, in their own process
 * so that their work does not share the broadcaster's CPU. Each acks every event (ivorn taken with
 * a regular expression: this is a load generator, not a VTP implementation). Prints "ready" once
 * all are connected, then "count TOTAL" whenever the total number of received events changes.
 *
 *   node --import tsx bench/vtp-subscribers.ts PORT N
 */
import { connect } from 'node:net';
import { encodeFrame, FrameDecoder } from '../src/vtp/framing.ts';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 100);
let total = 0;
let connected = 0;
let reported = -1;
const IVORN = /ivorn\s*=\s*["']([^"']+)["']/;
const ROLE = /\brole\s*=\s*["'](\w+)["']/;

function ackFor(ivorn: string): Buffer {
  return encodeFrame(
    Buffer.from(
      `<?xml version='1.0' encoding='UTF-8'?>\n<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" version="1.0" role="ack"><Origin>${ivorn}</Origin><TimeStamp>2026-11-25T09:00:00Z</TimeStamp></trn:Transport>`,
    ),
  );
}

for (let i = 0; i < count; i++) {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({
    onFrame: (frame) => {
      const head = frame.subarray(0, 600).toString('latin1');
      const role = ROLE.exec(head)?.[1];
      if (role === 'iamalive' || role === 'authenticate') return;
      const ivorn = IVORN.exec(head)?.[1];
      if (!ivorn) return;
      total += 1;
      socket.write(ackFor(ivorn));
    },
    onError: () => undefined,
  });
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
  });
  socket.on('connect', () => {
    connected += 1;
    if (connected === count) process.stdout.write('ready\n');
  });
  socket.on('error', () => undefined);
}

setInterval(() => {
  if (total !== reported) {
    reported = total;
    process.stdout.write(`count ${total}\n`);
  }
}, 5).unref();
process.on('SIGTERM', () => process.exit(0));

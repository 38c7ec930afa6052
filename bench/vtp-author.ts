/**
 * The benchmark's author (bench/vtp.ts): submits one VOEvent on a connection of its own and
 * resolves with the receipt's role, as src/vtp/sender.ts does, with a cheaper receipt check.
 *
 * Why not sendEvent: it reads each receipt as a full DOM (xmldom, then readTransport), about a
 * quarter of the benchmark process's CPU per event; and the author shares the machine's 2 cores
 * with the receiver it measures. Here the receipt is classified from the pre-scan of its root
 * element (vtp/payload.ts classifyPayload: role) and matched to the event by its Origin element
 * (`<Origin>IVORN</Origin>`, children unqualified as Transport-v1.1.xsd has them; coincide and
 * Comet both write it so). The same author serves every receiver measured, Comet included.
 */
import { connect } from 'node:net';
import { encodeFrame, FrameDecoder } from '../src/vtp/framing.ts';
import { classifyPayload } from '../src/vtp/payload.ts';

export interface BenchReceipt {
  role: 'ack' | 'nak';
  /** The nak's Meta/Result text, when there is one. */
  result?: string;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function submitEvent(options: {
  host: string;
  port: number;
  bytes: Buffer;
  ivorn: string;
  localAddress?: string;
  timeoutMs: number;
  /** Called when the connection is made (bench/vtp-latency.ts: its time and local port). */
  onConnected?: (localPort: number) => void;
}): Promise<BenchReceipt> {
  const origin = Buffer.from(`<Origin>${escapeXml(options.ivorn)}</Origin>`);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    socket.setNoDelay(true);
    let settled = false;
    const finish = (error: Error | undefined, receipt?: BenchReceipt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (receipt) resolve(receipt);
      else reject(error ?? new Error('no receipt'));
    };
    const timer = setTimeout(() => {
      finish(new Error(`no receipt within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const decoder = new FrameDecoder({
      onFrame: (payload) => {
        let role: string;
        try {
          role = classifyPayload(payload).role;
        } catch {
          return; // unparsable replies are ignored, as sendEvent does
        }
        if ((role !== 'ack' && role !== 'nak') || !payload.includes(origin)) return;
        const result =
          role === 'nak' ? /<Result>([^<]*)<\/Result>/.exec(payload.toString('utf8'))?.[1] : undefined;
        finish(undefined, { role, ...(result === undefined ? {} : { result }) });
      },
      onError: (error) => {
        finish(error);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
    });
    socket.once('connect', () => {
      options.onConnected?.(socket.localPort ?? 0);
      socket.write(encodeFrame(options.bytes));
    });
    socket.once('error', (error) => {
      finish(error);
    });
    socket.once('close', () => {
      finish(new Error('the receiver closed the connection without a receipt'));
    });
  });
}

/**
 * The author role (VTP 2.0 §4.1; Comet comet/protocol/sender.py, scripts/comet-sendvo).
 *
 * Connect, send nothing but the one VOEvent frame, then wait for an ack or nak whose Origin is the
 * event's ivorn (receipts for other ivorns and unparsable replies are ignored, as Comet [master]).
 * A nak is a receipt, not an error. Closing without a receipt is VTP_NO_RECEIPT (retriable: VTP
 * 2.0 says to treat it as a temporary failure).
 */
import { connect } from 'node:net';
import { CoincideError, describeError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { createFramedConnection } from './connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.ts';
import { readTransport, type TransportMessage } from './messages.ts';
import { parsePayload } from './payload.ts';

/** How long an author waits for its receipt by default. */
export const SENDER_TIMEOUT_MS = 30_000;

export interface SendEventOptions {
  host: string;
  port: number;
  /** The VOEvent bytes, sent exactly as given. */
  bytes: Buffer;
  timeoutMs?: number;
  logger?: Logger;
  /** The event's ivorn when the caller knows it (saves parsing the event to match the receipt). */
  ivorn?: string;
  /** The local address to connect from (e.g. 127.0.0.2 to act as another loopback author). */
  localAddress?: string;
}

export interface Receipt {
  role: 'ack' | 'nak';
  /** The nak's Meta/Result ("Event rejected: ..."), when given. */
  result?: string;
  message: TransportMessage;
}

export function sendEvent(options: SendEventOptions): Promise<Receipt> {
  const logger = options.logger ?? silentLogger;
  // The ivorn, to match the receipt's Origin; an event we cannot read is still sent (the receiver decides).
  let ivorn = options.ivorn ?? '';
  if (options.ivorn === undefined) {
    try {
      ivorn = parsePayload(options.bytes).ivorn;
    } catch {
      ivorn = '';
    }
  }
  return new Promise<Receipt>((resolve, reject) => {
    let settled = false;
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    const timeoutMs = options.timeoutMs ?? SENDER_TIMEOUT_MS;
    const timer = setTimeout(() => {
      finish(new CoincideError('VTP_TIMEOUT', `no receipt within ${timeoutMs} ms`, { retriable: true }));
    }, timeoutMs);
    const finish = (result: Receipt | CoincideError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.destroy();
      if (result instanceof CoincideError) reject(result);
      else resolve(result);
    };
    const connection = createFramedConnection({
      socket,
      logger,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      onPayload: (payload) => {
        let message: TransportMessage;
        try {
          const parsed = parsePayload(payload);
          if (parsed.kind !== 'transport') return;
          message = readTransport(parsed);
        } catch (error) {
          logger.debug('unparsable reply ignored', { error: describeError(error) });
          return;
        }
        if (message.role !== 'ack' && message.role !== 'nak') return;
        if (ivorn !== '' && message.origin !== ivorn) return;
        finish({
          role: message.role,
          ...(message.result !== undefined ? { result: message.result } : {}),
          message,
        });
      },
      onClose: () => {
        // After a receipt, the close is ours (finish destroys the socket): nothing to report.
        if (settled) return;
        finish(
          new CoincideError('VTP_NO_RECEIPT', 'the receiver closed the connection without a receipt', {
            retriable: true,
          }),
        );
      },
    });
    socket.once('connect', () => {
      connection.send(options.bytes);
    });
    socket.once('error', (error) => {
      finish(
        new CoincideError('VTP_CONNECTION', `${options.host}:${options.port}: ${error.message}`, {
          cause: error,
          retriable: true,
        }),
      );
    });
  });
}

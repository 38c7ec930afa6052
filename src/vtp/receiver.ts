/**
 * The receiver role: authors submit one VOEvent per connection (VTP 2.0 §4.1; Comet
 * comet/protocol/receiver.py).
 *
 * Per connection: whitelist at accept (refused: closed with zero bytes); an absolute timer of
 * RECEIVER_TIMEOUT_MS (never reset); the first frame is classified:
 *   unparsable, empty, incomprehensible role, Transport message, no ivorn -> close, no reply;
 *   VOEvent -> ingest (IVOID rule + schema + durable store) -> exactly one ack or nak -> close.
 * An ack is written only after the event has been committed to the store. A store failure gets
 * no reply (VTP 2.0: the author should treat silence as a temporary failure and retry).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EventIngestor } from '../ingest/ingest-event.ts';
import { createFramedConnection } from './connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.ts';
import { listenVtp } from './listen.ts';
import { ack, nak, TRANSPORT_NAMESPACE_GCN } from './messages.ts';
import { classifyPayload } from './payload.ts';
import { createWhitelist, LOOPBACK_ONLY } from './whitelist.ts';

/** Comet's submission port. */
export const DEFAULT_RECEIVE_PORT = 8098;
/** Comet VOEventReceiver.TIMEOUT: absolute, from accept, never reset. */
export const RECEIVER_TIMEOUT_MS = 20_000;

export interface ReceiverOptions {
  ingestor: EventIngestor;
  /** Our IVOID: Response of every ack/nak. */
  localIvo: string;
  logger: Logger;
  clock: Clock;
  /** Default DEFAULT_RECEIVE_PORT; 0 = any free port. */
  port?: number;
  /** Default '::' (IPv4 and IPv6 on dual-stack systems), else '0.0.0.0' (listen.ts). */
  host?: string;
  /** CIDR list; default LOOPBACK_ONLY (secure by default). */
  whitelist?: readonly string[];
  timeoutMs?: number;
  maxFrameBytes?: number;
  /** Answer to a duplicate submission: 'nak' as Comet ("Previously seen by this broker"), or 'ack' as VTP 2.0 §6.3 suggests. */
  duplicateResponse?: 'nak' | 'ack';
  transportNamespace?: string;
}

export interface Receiver {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** Connections currently open. */
  readonly connectionCount: number;
}

export function createReceiver(options: ReceiverOptions): Receiver {
  const logger = options.logger.child({ role: 'receiver' });
  const whitelist = createWhitelist(options.whitelist ?? LOOPBACK_ONLY);
  const timeoutMs = options.timeoutMs ?? RECEIVER_TIMEOUT_MS;
  const namespace = options.transportNamespace ?? TRANSPORT_NAMESPACE_GCN;
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const handle = (socket: Socket): void => {
    if (!whitelist.allows(socket.remoteAddress ?? '')) {
      logger.warn('Attempted submission from non-whitelisted peer', { address: socket.remoteAddress });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    let handled = false;
    const timer = setTimeout(() => {
      logger.info(`${connection.peer} timed out after ${timeoutMs / 1000} seconds`);
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    const connection = createFramedConnection({
      socket,
      logger,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      onClose: () => {
        clearTimeout(timer);
        sockets.delete(socket);
      },
      onPayload: (bytes) => {
        if (handled) return; // one VOEvent per connection; anything after it is ignored
        handled = true;
        void respond(bytes);
      },
    });
    const reply = (message: Buffer): void => {
      connection.send(message);
      connection.end();
    };
    const respond = async (bytes: Buffer): Promise<void> => {
      let payload;
      try {
        payload = classifyPayload(bytes); // root start tag only; the DOM is built only if needed
      } catch (error) {
        logger.info('Unparsable submission; closing', { peer: connection.peer, error: describeError(error) });
        connection.end();
        return;
      }
      if (payload.kind !== 'voevent') {
        logger.info('Incomprehensible submission; closing', {
          peer: connection.peer,
          rootRole: payload.role,
        });
        connection.end();
        return;
      }
      try {
        const outcome = await options.ingestor.ingest(bytes, {
          input: 'vtp-receiver',
          peer: connection.peer,
          payload,
          validate: true,
          checkIvoid: true,
        });
        const now = { nowMs: options.clock.nowMs(), namespace };
        if (outcome.outcome === 'accepted') {
          logger.info(`VOEvent ${outcome.ivorn} received from ${connection.peer}`);
          reply(ack(outcome.ivorn, options.localIvo, now));
        } else if (outcome.outcome === 'duplicate') {
          if ((options.duplicateResponse ?? 'nak') === 'ack')
            reply(ack(outcome.ivorn, options.localIvo, now));
          else reply(nak(outcome.ivorn, options.localIvo, 'Previously seen by this broker', now));
        } else if (outcome.ivorn === '') {
          logger.info('Submission without ivorn; closing', { peer: connection.peer });
          connection.end();
        } else {
          logger.info(`Event rejected (${outcome.reason}); discarding`, {
            peer: connection.peer,
            code: outcome.code,
          });
          reply(nak(outcome.ivorn, options.localIvo, outcome.reason, now));
        }
      } catch (error) {
        logger.error('could not store a submission; closing without reply', {
          peer: connection.peer,
          error: describeError(error),
        });
        connection.destroy();
      }
    };
  };

  return {
    get connectionCount() {
      return sockets.size;
    },
    start() {
      const srv = createServer(handle);
      server = srv;
      return listenVtp(srv, options.port ?? DEFAULT_RECEIVE_PORT, options.host).then((port) => {
        logger.info('VTP receiver listening', { port });
        return { port };
      });
    },

    stop() {
      return new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server) {
          resolve();
          return;
        }
        server.close(() => {
          resolve();
        });
        server = undefined;
      });
    },
  };
}

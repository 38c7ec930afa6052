/**
 * The receiver role: authors submit VOEvents (VTP 2.0 §4.1; Comet comet/protocol/receiver.py).
 *
 * Per connection: whitelist at accept (refused: closed with zero bytes; loopback only by
 * default); an absolute timer of RECEIVER_TIMEOUT_MS (never reset); frames over `maxEventBytes`
 * (default 100,000 bytes, as Comet) close the connection unread. Each frame, in order (frames
 * pipelined on one connection are each answered, in turn; the connection closes once the last
 * one received is answered):
 *   per-peer limits (peer-limiter.ts: concurrent submissions and rate of one address; over them
 *   a submission waits its turn) -> one linear pre-scan of the bytes before any parse
 *   (voevent/xml-prescan.ts: DTD, control bytes, nesting depth, the root element) -> classify:
 *   unparsable, empty, incomprehensible role, Transport message, no ivorn -> close, no reply;
 *   too deep -> nak; larger than what can be relayed to VTP subscribers (`relayMaxBytes`) -> nak
 *   (an acked event is always relayed);
 *   VOEvent -> ingest (IVOID rule + trust rules + schema validation, where libxml2 parses the
 *   bytes, the one parse of the ack path + durable store) -> one ack or nak.
 * An ack is written only after the event has been committed to the store. A store failure gets
 * no reply (VTP 2.0: the author should treat silence as a temporary failure and retry).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EventIngestor } from '../ingest/ingest-event.ts';
import { createFramedConnection, peerName } from './connection.ts';
import { COMET_MAX_FRAME_BYTES } from './framing.ts';
import { listenVtp } from './listen.ts';
import { ack, nak, TRANSPORT_NAMESPACE_GCN } from './messages.ts';
import { DEFAULT_MAX_NESTING_DEPTH } from './nesting-scan.ts';
import { classifyPayload } from './payload.ts';
import { createPeerLimiter, type PeerLimits } from './peer-limiter.ts';
import { createWhitelist, LOOPBACK_ONLY } from './whitelist.ts';

/** Comet's submission port. */
export const DEFAULT_RECEIVE_PORT = 8098;
/** Comet VOEventReceiver.TIMEOUT: absolute, from accept, never reset. */
export const RECEIVER_TIMEOUT_MS = 20_000;
/** Comet's limit on one event (Twisted Int32StringReceiver.MAX_LENGTH): 100,000 bytes. */
export const DEFAULT_MAX_EVENT_BYTES = 100_000;
/** Per address: 16 submissions processed at once, 500 started per second on average. */
export const DEFAULT_PEER_LIMITS: PeerLimits = { concurrency: 16, ratePerSec: 500 };

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
  /** Largest event accepted, bytes; a larger frame closes the connection. Default DEFAULT_MAX_EVENT_BYTES. */
  maxEventBytes?: number;
  /** Largest event the broadcaster relays (default COMET_MAX_FRAME_BYTES); larger ones are nak'ed. */
  relayMaxBytes?: number;
  /** Deepest element nesting accepted (default DEFAULT_MAX_NESTING_DEPTH); deeper ones are nak'ed. */
  maxNestingDepth?: number;
  /** Per-address limits (default DEFAULT_PEER_LIMITS). */
  peerLimits?: PeerLimits;
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
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const relayMaxBytes = options.relayMaxBytes ?? COMET_MAX_FRAME_BYTES;
  const maxDepth = options.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  const limiter = createPeerLimiter(options.peerLimits ?? DEFAULT_PEER_LIMITS, options.clock);
  /**
   * The absolute timeout: each open connection's deadline (performance.now() ms), in the order
   * accepted, which is deadline order (one timeoutMs for all). One timer for the receiver, set
   * for the oldest deadline, instead of a timer made and cleared per connection (issue 14).
   */
  const deadlines = new Map<Socket, number>();
  let sweepTimer: NodeJS.Timeout | undefined;
  const scheduleSweep = (waitMs: number): void => {
    sweepTimer = setTimeout(sweep, Math.max(1, Math.ceil(waitMs)));
    sweepTimer.unref();
  };
  const sweep = (): void => {
    sweepTimer = undefined;
    const now = performance.now();
    for (const [socket, deadline] of deadlines) {
      if (deadline > now) {
        scheduleSweep(deadline - now);
        return;
      }
      deadlines.delete(socket);
      logger.info(`${peerName(socket)} timed out after ${timeoutMs / 1000} seconds`);
      socket.destroy();
    }
  };

  const handle = (socket: Socket): void => {
    const address = socket.remoteAddress ?? '';
    if (!whitelist.allows(address)) {
      logger.warn('Attempted submission from non-whitelisted peer', { address });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    /** Frames received and not yet answered, answered one after another in arrival order. */
    let pending = 0;
    /** Set by a frame that closes the connection: the frames after it are not answered. */
    let closing = false;
    let turn: Promise<void> = Promise.resolve();
    deadlines.set(socket, performance.now() + timeoutMs);
    if (sweepTimer === undefined) scheduleSweep(timeoutMs);
    const connection = createFramedConnection({
      socket,
      logger,
      maxFrameBytes: maxEventBytes,
      onClose: () => {
        deadlines.delete(socket);
        sockets.delete(socket);
      },
      onPayload: (bytes) => {
        pending += 1;
        turn = turn.then(() => answer(bytes));
      },
    });
    /** Closes the connection once every frame received has been answered. */
    const done = (): void => {
      pending -= 1;
      if (pending === 0 || closing) connection.end();
    };
    const reply = (message: Buffer): void => {
      connection.send(message);
    };
    /** One frame, within the per-peer limits; its reply (or silence), then `done`. */
    const answer = async (bytes: Buffer): Promise<void> => {
      if (closing) return;
      const release = await limiter.acquire(address, () => connection.closed);
      if (!release) return;
      try {
        await respond(bytes);
      } finally {
        release();
        if (!connection.closed) done();
      }
    };
    const respond = async (bytes: Buffer): Promise<void> => {
      let payload;
      try {
        // One linear pre-scan of the bytes: root element and nesting depth; no DOM, no decode.
        payload = classifyPayload(bytes, { maxDepth });
      } catch (error) {
        logger.info('Unparsable submission; closing', { peer: connection.peer, error: describeError(error) });
        closing = true; // nothing more is answered on this connection
        return;
      }
      if (payload.kind !== 'voevent') {
        logger.info('Incomprehensible submission; closing', {
          peer: connection.peer,
          rootRole: payload.role,
        });
        closing = true;
        return;
      }
      const refusal = payload.nestedTooDeep
        ? `Document nests elements deeper than ${maxDepth} levels`
        : bytes.length > relayMaxBytes
          ? `Event of ${bytes.length} bytes is larger than the ${relayMaxBytes}-byte limit of what this broker relays`
          : undefined;
      if (refusal !== undefined && payload.ivorn !== '') {
        logger.info(`Event rejected (${refusal}); discarding`, { peer: connection.peer });
        reply(nak(payload.ivorn, options.localIvo, refusal, { nowMs: options.clock.nowMs(), namespace }));
        return;
      }
      if (refusal !== undefined) {
        logger.info(`Submission refused (${refusal}); closing`, { peer: connection.peer });
        closing = true;
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
          closing = true;
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
      clearTimeout(sweepTimer);
      sweepTimer = undefined;
      deadlines.clear();
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

/**
 * The broadcaster role: serves subscribers (VTP 2.0 §4.2, §5; Comet comet/protocol/broadcaster.py).
 *
 * On connect: whitelist (refused: closed with zero bytes), then `authenticate` (Origin = our IVOID).
 * From a subscriber: iamalive -> aliveCount-1; ack -> one outstanding ack fewer; nak -> close
 * ("Nak received from ...; terminating"); authenticate -> its xpath filters REPLACE the previous
 * ones; anything else, unparsable included -> logged, ignored, kept; an over-limit frame -> close.
 * Keep-alive tick every IAMALIVE_INTERVAL_MS, per subscriber, in this order:
 *   aliveCount >= MAX_MISSED_IAMALIVES        -> drop "Peer appears to be dead; dropping connection"
 *   stale outstanding acks >= MAX_OUTSTANDING -> drop "Peer is not acknowledging events; dropping connection"
 *   else send iamalive, aliveCount+1.
 * "Stale" outstanding acks are those for events sent before the previous tick: unlike Comet, a
 * burst of events just before a tick never drops a well-behaved subscriber (vtp.md §5.2 item 10).
 * Only events a VTP client can ack (VOEvent 1.1/2.0 namespace with ivorn) count as outstanding:
 * pygcn never acks other shapes.
 * Events are forwarded as the exact bytes received, if the subscriber has no filter or one matches.
 * Events over `maxSendFrameBytes` (default 99,999: Comet's receive limit) are not sent.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createFramedConnection, type FramedConnection } from './connection.ts';
import { listenVtp } from './listen.ts';
import { COMET_MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES } from './framing.ts';
import {
  authenticate,
  iamalive,
  readTransport,
  TRANSPORT_NAMESPACE_GCN,
  xpathFiltersOf,
} from './messages.ts';
import { classifyPayload, documentOf, type ParsedPayload } from './payload.ts';
import { brokerTestEvent } from './test-event.ts';
import { sniffSimpleTransport } from './transport-sniff.ts';
import { ALLOW_ALL, createWhitelist } from './whitelist.ts';
import { compileXPathFilters, passesFilters, type XPathFilter } from './xpath-filter.ts';

/** Comet's broadcast port. */
export const DEFAULT_BROADCAST_PORT = 8099;
/** Comet VOEventBroadcasterFactory.IAMALIVE_INTERVAL (VTP 2.0 requires <= 90 s). */
export const IAMALIVE_INTERVAL_MS = 60_000;
/** Comet MAX_ALIVE_COUNT: one unanswered iamalive at the next tick drops the subscriber. */
export const MAX_MISSED_IAMALIVES = 1;
/** Comet MAX_OUTSTANDING_ACK. */
export const MAX_OUTSTANDING_ACKS = 10;
/** Comet --broadcast-test-interval default (0 disables). */
export const TEST_EVENT_INTERVAL_MS = 3_600_000;
/** A subscriber whose socket buffers more than this is too slow to keep up and is dropped. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const ACKABLE_NAMESPACES = new Set([
  'http://www.ivoa.net/xml/VOEvent/v2.0',
  'http://www.ivoa.net/xml/VOEvent/v1.1',
]);

export interface BroadcasterOptions {
  /** Our IVOID (Origin of authenticate/iamalive, base of test-event ivorns). Required. */
  localIvo: string;
  logger: Logger;
  clock: Clock;
  /** Default DEFAULT_BROADCAST_PORT; 0 = any free port. */
  port?: number;
  host?: string;
  whitelist?: readonly string[];
  /** Keep-alive tick; 0 = no automatic tick (tests call tick()). */
  iamaliveIntervalMs?: number;
  maxMissedIamalives?: number;
  maxOutstandingAcks?: number;
  /** 0 disables the test event. */
  testEventIntervalMs?: number;
  /** Largest event sent to subscribers (Comet drops the connection above 99,999). */
  maxSendFrameBytes?: number;
  /** Largest frame accepted from subscribers. */
  maxFrameBytes?: number;
  transportNamespace?: string;
}

export interface SubscriberState {
  peer: string;
  aliveCount: number;
  outstandingAcks: number;
  filters: string[];
  connectedAtMs: number;
}

export interface Broadcaster {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** Sends the event's exact bytes to every subscriber whose filters pass; returns how many. */
  broadcast(bytes: Buffer, payload?: ParsedPayload): number;
  /** One keep-alive tick (run by the timer; public for tests). */
  tick(): void;
  /** Builds and sends a broker test event now; returns how many subscribers got it. */
  sendTestEvent(): number;
  subscribers(): SubscriberState[];
}

interface Subscriber {
  connection: FramedConnection;
  aliveCount: number;
  /** Tick generation at which each outstanding event was sent, oldest first. */
  outstanding: number[];
  filters: XPathFilter[];
  connectedAtMs: number;
}

export function createBroadcaster(options: BroadcasterOptions): Broadcaster {
  const logger = options.logger.child({ role: 'broadcaster' });
  const whitelist = createWhitelist(options.whitelist ?? ALLOW_ALL);
  const namespace = options.transportNamespace ?? TRANSPORT_NAMESPACE_GCN;
  const maxMissed = options.maxMissedIamalives ?? MAX_MISSED_IAMALIVES;
  const maxOutstanding = options.maxOutstandingAcks ?? MAX_OUTSTANDING_ACKS;
  const maxSendFrameBytes = options.maxSendFrameBytes ?? COMET_MAX_FRAME_BYTES;
  const subscribers = new Set<Subscriber>();
  const sockets = new Set<Socket>();
  let generation = 0;
  let server: Server | undefined;
  const timers: NodeJS.Timeout[] = [];

  const drop = (subscriber: Subscriber, reason: string): void => {
    logger.info(reason, { peer: subscriber.connection.peer });
    subscribers.delete(subscriber);
    subscriber.connection.destroy();
  };

  const onPayload = (subscriber: Subscriber, bytes: Buffer): void => {
    // Fast path for the bulk of the traffic (acks and iamalive replies); see transport-sniff.ts.
    const sniffed = sniffSimpleTransport(bytes);
    if (sniffed === 'ack') {
      subscriber.outstanding.shift();
      return;
    }
    if (sniffed === 'iamalive') {
      logger.debug('IAmAlive received', { peer: subscriber.connection.peer });
      subscriber.aliveCount -= 1;
      return;
    }
    let payload: ParsedPayload;
    try {
      payload = classifyPayload(bytes);
      if (payload.kind === 'transport') documentOf(payload); // read below; unparsable ones are ignored
    } catch (error) {
      logger.info('Unparsable message from subscriber ignored', {
        peer: subscriber.connection.peer,
        error: describeError(error),
      });
      return;
    }
    if (payload.kind !== 'transport') {
      logger.info('Incomprehensible message from subscriber ignored', {
        peer: subscriber.connection.peer,
        role: payload.role,
      });
      return;
    }
    const message = readTransport(payload);
    switch (message.role) {
      case 'iamalive':
        logger.debug('IAmAlive received', { peer: subscriber.connection.peer });
        subscriber.aliveCount -= 1;
        break;
      case 'ack':
        subscriber.outstanding.shift();
        break;
      case 'nak':
        drop(subscriber, `Nak received from ${subscriber.connection.peer}; terminating`);
        break;
      case 'authenticate': {
        const { filters, invalid } = compileXPathFilters(xpathFiltersOf(message));
        for (const expression of invalid) {
          logger.warn('Invalid XPath expression from subscriber ignored', {
            peer: subscriber.connection.peer,
            expression,
          });
        }
        for (const f of filters)
          logger.info(`Installing filter ${f.expression} for ${subscriber.connection.peer}`);
        subscriber.filters = filters;
        break;
      }
    }
  };

  const handle = (socket: Socket): void => {
    if (!whitelist.allows(socket.remoteAddress ?? '')) {
      logger.warn('Attempted subscription from non-whitelisted peer', { address: socket.remoteAddress });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const subscriber: Subscriber = {
      aliveCount: 0,
      outstanding: [],
      filters: [],
      connectedAtMs: options.clock.nowMs(),
      connection: createFramedConnection({
        socket,
        logger,
        maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        onPayload: (bytes) => {
          onPayload(subscriber, bytes);
        },
        onClose: () => {
          sockets.delete(socket);
          if (subscribers.delete(subscriber))
            logger.info('Subscriber disconnected', { peer: subscriber.connection.peer });
        },
      }),
    };
    subscribers.add(subscriber);
    logger.info(`New subscriber at ${subscriber.connection.peer}`);
    subscriber.connection.send(authenticate(options.localIvo, { nowMs: options.clock.nowMs(), namespace }));
  };

  const sendTo = (subscriber: Subscriber, bytes: Buffer, payload: ParsedPayload): boolean => {
    // The DOM (lazy, see classifyPayload) is built only when this subscriber has filters; an
    // event libxml2 accepted but xmldom cannot read does not pass them (never a crash).
    if (subscriber.filters.length > 0) {
      let passes: boolean;
      try {
        passes = passesFilters(subscriber.filters, payload.document);
      } catch (error) {
        logger.warn('Event not readable by the filters; not sent to a filtering subscriber', {
          ivorn: payload.ivorn,
          error: describeError(error),
        });
        passes = false;
      }
      if (!passes) {
        logger.debug('Event rejected by filter', { peer: subscriber.connection.peer, ivorn: payload.ivorn });
        return false;
      }
    }
    if (
      !subscriber.connection.send(bytes) &&
      subscriber.connection.socket.writableLength > MAX_BUFFERED_BYTES
    ) {
      drop(subscriber, 'Subscriber is not reading; dropping connection');
      return false;
    }
    if (ACKABLE_NAMESPACES.has(payload.rootNamespace)) subscriber.outstanding.push(generation);
    return true;
  };

  const broadcaster: Broadcaster = {
    broadcast(bytes, given) {
      if (bytes.length > maxSendFrameBytes) {
        logger.warn('Event too large to broadcast; not sent', { bytes: bytes.length, maxSendFrameBytes });
        return 0;
      }
      let payload = given;
      if (!payload) {
        try {
          payload = classifyPayload(bytes);
        } catch (error) {
          // JSON notices (GCN Kafka) share the ingest path but are not VOEvents: nothing to relay.
          if (bytes[0] === 0x7b) return 0;
          logger.warn('Unparsable event not broadcast', { error: describeError(error) });
          return 0;
        }
      }
      if (payload.kind !== 'voevent' || payload.ivorn === '') return 0;
      let sent = 0;
      for (const subscriber of [...subscribers]) if (sendTo(subscriber, bytes, payload)) sent += 1;
      return sent;
    },
    tick() {
      for (const subscriber of [...subscribers]) {
        const stale = subscriber.outstanding.filter((g) => g < generation).length;
        if (subscriber.aliveCount >= maxMissed)
          drop(subscriber, 'Peer appears to be dead; dropping connection');
        else if (stale >= maxOutstanding)
          drop(subscriber, 'Peer is not acknowledging events; dropping connection');
        else {
          subscriber.connection.send(iamalive(options.localIvo, { nowMs: options.clock.nowMs(), namespace }));
          subscriber.aliveCount += 1;
        }
      }
      generation += 1;
    },
    sendTestEvent() {
      const { bytes } = brokerTestEvent(options.localIvo, options.clock.nowMs());
      return broadcaster.broadcast(bytes);
    },
    subscribers() {
      return [...subscribers].map((s) => ({
        peer: s.connection.peer,
        aliveCount: s.aliveCount,
        outstandingAcks: s.outstanding.length,
        filters: s.filters.map((f) => f.expression),
        connectedAtMs: s.connectedAtMs,
      }));
    },
    start() {
      const srv = createServer(handle);
      server = srv;
      return listenVtp(srv, options.port ?? DEFAULT_BROADCAST_PORT, options.host).then((port) => {
        const intervalMs = options.iamaliveIntervalMs ?? IAMALIVE_INTERVAL_MS;
        if (intervalMs > 0) {
          timers.push(
            setInterval(() => {
              broadcaster.tick();
            }, intervalMs),
          );
        }
        const testMs = options.testEventIntervalMs ?? TEST_EVENT_INTERVAL_MS;
        if (testMs > 0) {
          timers.push(
            setInterval(() => {
              broadcaster.sendTestEvent();
            }, testMs),
          );
        }
        logger.info('VTP broadcaster listening', { port });
        return { port };
      });
    },

    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      return new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        subscribers.clear();
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
  return broadcaster;
}

/**
 * The subscriber role: connects to one or more remote brokers (VTP 2.0 §4.2, §7.4; Comet
 * comet/protocol/subscriber.py).
 *
 * From a broker: iamalive -> reply (Origin copied, Response = our IVOID if any); authenticate ->
 * reply carrying our xpath filters; a VOEvent -> ingest (no schema check, as Comet: 1.1, 2.1 and
 * no-namespace events are acked and relayed) and, once it is durable, ALWAYS ack (Origin = ivorn),
 * duplicates included (that is how relay loops are cut); never nak. ack/nak/other roles and
 * unparsable payloads are logged and ignored (the silence timer is not reset by them).
 * No parsed message for SILENCE_TIMEOUT_MS -> close and reconnect. Reconnect after any close with
 * exponential back-off and jitter (backoff.ts).
 */
import { connect, type Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { CoincideError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EventIngestor } from '../ingest/ingest-event.ts';
import { DEFAULT_BACKOFF, parseRemote, reconnectDelayMs, type BackoffPolicy } from './backoff.ts';
import { createFramedConnection, type FramedConnection } from './connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.ts';
import { ack, authenticateReply, iamaliveReply, readTransport, TRANSPORT_NAMESPACE_GCN } from './messages.ts';
import { classifyPayload, documentOf, type ParsedPayload } from './payload.ts';
import { compileXPathFilters } from './xpath-filter.ts';

/** Comet ALIVE_INTERVAL: no parsed message for this long -> disconnect. */
export const SILENCE_TIMEOUT_MS = 120_000;
/** Comet's default remote port. */
export const DEFAULT_REMOTE_PORT = 8099;

export interface SubscriberOptions {
  /** "host:port" (port defaults to 8099) or objects. */
  remotes: ReadonlyArray<string | { host: string; port: number }>;
  ingestor: EventIngestor;
  logger: Logger;
  clock: Clock;
  /** Our IVOID (Response of replies); optional for a subscriber, as in Comet 3.x. */
  localIvo?: string;
  /** XPath filters sent upstream in our authenticate reply; an invalid one is CONFIG_INVALID. */
  filters?: readonly string[];
  silenceTimeoutMs?: number;
  /** How often the silence timer is checked (default silenceTimeoutMs / 10, at most 1 s). */
  silenceCheckIntervalMs?: number;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  maxFrameBytes?: number;
  transportNamespace?: string;
}

export interface RemoteStatus {
  remote: string;
  connected: boolean;
  /** Failed attempts since the last good connection. */
  attempts: number;
  eventsReceived: number;
  lastMessageMs?: number;
}

export interface Subscriber {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RemoteStatus[];
  /** Runs the silence check now (the timer does it periodically). */
  checkSilence(): void;
}

interface RemoteLink {
  host: string;
  port: number;
  name: string;
  connection?: FramedConnection;
  socket?: Socket;
  connectedAtMs?: number;
  lastMessageMs?: number;
  attempts: number;
  eventsReceived: number;
  reconnectTimer?: NodeJS.Timeout;
}

export function createSubscriber(options: SubscriberOptions): Subscriber {
  const logger = options.logger.child({ role: 'subscriber' });
  const namespace = options.transportNamespace ?? TRANSPORT_NAMESPACE_GCN;
  const silenceTimeoutMs = options.silenceTimeoutMs ?? SILENCE_TIMEOUT_MS;
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const filterExpressions = [...(options.filters ?? [])];
  const { invalid } = compileXPathFilters(filterExpressions);
  if (invalid.length > 0)
    throw new CoincideError('CONFIG_INVALID', `Invalid XPath expression: ${invalid.join(', ')}`);
  const links: RemoteLink[] = options.remotes.map((r) => {
    const { host, port } = typeof r === 'string' ? parseRemote(r, DEFAULT_REMOTE_PORT) : r;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new CoincideError(
        'CONFIG_INVALID',
        `invalid remote ${typeof r === 'string' ? r : `${r.host}:${r.port}`}`,
      );
    }
    return { host, port, name: `${host}:${port}`, attempts: 0, eventsReceived: 0 };
  });
  let running = false;
  let checkTimer: NodeJS.Timeout | undefined;

  const now = (): { nowMs: number; namespace: string } => ({ nowMs: options.clock.nowMs(), namespace });

  const handleEvent = async (
    link: RemoteLink,
    connection: FramedConnection,
    payload: ParsedPayload,
  ): Promise<void> => {
    try {
      const outcome = await options.ingestor.ingest(payload.bytes, {
        input: 'vtp-subscriber',
        peer: link.name,
        payload,
      });
      if (outcome.ivorn === '') {
        logger.warn('VOEvent without ivorn from broker; not acknowledged', { remote: link.name });
        return;
      }
      if (outcome.outcome === 'accepted') link.eventsReceived += 1;
      connection.send(ack(outcome.ivorn, options.localIvo, now()));
    } catch (error) {
      // Not durable: no ack (the broker counts it outstanding; a Comet upstream will not resend).
      logger.error('could not store an event from upstream; not acknowledged', {
        remote: link.name,
        error: describeError(error),
      });
    }
  };

  const onPayload = (link: RemoteLink, connection: FramedConnection, bytes: Buffer): void => {
    let payload: ParsedPayload;
    try {
      payload = classifyPayload(bytes);
      // A Transport message is read from its DOM: build it now so that an unparsable one is
      // ignored here. A VOEvent's well-formedness is checked by the ingest path.
      if (payload.kind === 'transport') documentOf(payload);
    } catch (error) {
      logger.info('Unparsable message from broker ignored', {
        remote: link.name,
        error: describeError(error),
      });
      return;
    }
    link.lastMessageMs = options.clock.nowMs();
    if (payload.kind === 'voevent') {
      void handleEvent(link, connection, payload);
      return;
    }
    if (payload.kind !== 'transport') {
      logger.info('Incomprehensible message from broker ignored', { remote: link.name, role: payload.role });
      return;
    }
    const message = readTransport(payload);
    if (message.origin === '' && (message.role === 'iamalive' || message.role === 'authenticate')) {
      logger.warn(`${message.role} without Origin ignored`, { remote: link.name });
      return;
    }
    if (message.role === 'iamalive') {
      connection.send(iamaliveReply(message.origin, options.localIvo, now()));
    } else if (message.role === 'authenticate') {
      connection.send(authenticateReply(message.origin, options.localIvo, filterExpressions, now()));
    } else {
      logger.debug(`${message.role} from broker ignored`, { remote: link.name });
    }
  };

  const scheduleReconnect = (link: RemoteLink): void => {
    if (!running) return;
    const delayMs = reconnectDelayMs(link.attempts, policy, options.random);
    link.attempts += 1;
    logger.info(`will retry ${link.name} in ${delayMs} ms`, { attempt: link.attempts });
    link.reconnectTimer = setTimeout(() => {
      link.reconnectTimer = undefined;
      open(link);
    }, delayMs);
  };

  const open = (link: RemoteLink): void => {
    if (!running) return;
    const socket = connect({ host: link.host, port: link.port });
    link.socket = socket;
    let connected = false;
    const connection = createFramedConnection({
      socket,
      logger,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      onPayload: (bytes) => {
        onPayload(link, connection, bytes);
      },
      onClose: () => {
        if (link.socket !== socket) return;
        link.connection = undefined;
        link.socket = undefined;
        if (connected) {
          const upMs = options.clock.nowMs() - (link.connectedAtMs ?? 0);
          if (upMs >= policy.resetAfterMs) link.attempts = 0;
          logger.info(`Connection to ${link.name} lost`, { upMs });
        }
        scheduleReconnect(link);
      },
    });
    socket.once('connect', () => {
      connected = true;
      link.connection = connection;
      link.connectedAtMs = options.clock.nowMs();
      link.lastMessageMs = link.connectedAtMs;
      logger.info(`Connected to ${link.name}`);
    });
  };

  const subscriber: Subscriber = {
    start() {
      if (running) return Promise.resolve();
      running = true;
      for (const link of links) open(link);
      const checkMs =
        options.silenceCheckIntervalMs ?? Math.min(1000, Math.max(10, Math.floor(silenceTimeoutMs / 10)));
      checkTimer = setInterval(() => {
        subscriber.checkSilence();
      }, checkMs);
      return Promise.resolve();
    },
    checkSilence() {
      const nowMs = options.clock.nowMs();
      for (const link of links) {
        if (
          link.connection &&
          link.lastMessageMs !== undefined &&
          nowMs - link.lastMessageMs >= silenceTimeoutMs
        ) {
          logger.info(
            `No iamalive received from ${link.name} for ${silenceTimeoutMs / 1000} seconds; disconnecting`,
          );
          link.connection.destroy();
        }
      }
    },
    stop() {
      running = false;
      if (checkTimer) clearInterval(checkTimer);
      const closing: Array<Promise<void>> = [];
      for (const link of links) {
        if (link.reconnectTimer) clearTimeout(link.reconnectTimer);
        const socket = link.socket;
        if (socket && !socket.destroyed) {
          closing.push(
            new Promise((resolve) =>
              socket.once('close', () => {
                resolve();
              }),
            ),
          );
          socket.destroy();
        }
      }
      return Promise.all(closing).then(() => undefined);
    },
    status() {
      return links.map((link) => ({
        remote: link.name,
        connected: link.connection !== undefined,
        attempts: link.attempts,
        eventsReceived: link.eventsReceived,
        ...(link.lastMessageMs !== undefined ? { lastMessageMs: link.lastMessageMs } : {}),
      }));
    },
  };
  return subscriber;
}

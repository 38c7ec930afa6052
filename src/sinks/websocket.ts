/**
 * The WebSocket stream at /v1/stream (ws library).
 *
 * Protocol:
 *  - Auth: `Authorization: Bearer TOKEN` or `?token=TOKEN`; without a valid token the upgrade is
 *    refused with HTTP 401 and a JSON error body, with a token that lacks the `stream` scope with
 *    HTTP 403. A token limited to roles, observatories or ivorn authorities is sent only the
 *    messages it may see (src/auth/access.ts); the others are skipped like filtered-out ones.
 *  - No handshake: the stream starts as soon as the connection opens, from the present with a
 *    heartbeat at once, or from the URL's `since` and filters (websocket-query.ts,
 *    `/v1/stream?since=120&messenger=gw,gamma&tier=gold`); a bad parameter closes with 1008.
 *  - The client may send `{"type":"subscribe","since":SEQ?,"filters":{…}?}` (websocket-filter.ts)
 *    to change its filters: with `since`, every stored message with seq > since is replayed
 *    first; without it the stream goes on from where it is, with the new filters.
 *  - Cluster mode (`cursors` given; src/cluster/merged-stream.ts): every message also carries
 *    `"cursor"`, an opaque position that means the same on every instance of the cluster, and
 *    `since` may be such a cursor: a client that reconnects to another instance resumes with no
 *    gap and no repeat. seq stays local to the instance.
 *  - Every server message is `{"type","seq","data"}`, type notice | coincidence | withdrawn |
 *    heartbeat. seq is the outbox seq and increases monotonically; a heartbeat carries the seq
 *    up to which the client has been served (every message up to it was sent or filtered
 *    out), so resuming with since = the last seq seen never misses or repeats a message. A
 *    heartbeat is also sent at once when a subscription has caught up with the present.
 *  - Close codes: 1008 malformed subscribe, unknown parameter or filter value, or a `since` after the last seq this server
 *    assigned (reason says why), 4001 token revoked,
 *    4008 too slow (more than maxBufferedBytes waiting), 1001 server shutting down.
 *
 * Idle connections are checked every heartbeat tick: a ping each tick, and a connection that left
 * MAX_MISSED_PONGS pings unanswered is terminated, so a peer that is gone or no longer reads
 * cannot hold a connection open.
 *
 * A slow client never slows the others: sends never wait; a client whose unsent bytes exceed
 * the limit is closed (and terminated if it cannot even take the close frame).
 *
 * Fan-out cost: a message is serialised and framed once (websocket-frame.ts) and the same
 * Buffer is written to every client's socket, one write each; per client there is only the
 * filter and that write. This needs connections without extensions, so permessage-deflate is
 * off. ws writes its own frames (pings, close) whole and synchronously, so frames never
 * interleave. The heartbeat tick works through the clients in slices, so that it never holds
 * the event loop for long while a message is waiting to go out.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { canSeeRecord, hasScope, seesEverything } from '../auth/access.ts';
import type { TokenInfo, TokenStore } from '../auth/tokens.ts';
import type { Clock } from '../clock.ts';
import { CoincideError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Outbox, OutboxRecord } from './outbox.ts';
import {
  covers,
  cursorOfVectorText,
  isCursorText,
  mergeVectors,
  type CursorVector,
} from '../cluster/stream-cursor.ts';
import { isEmptyFilter, matchesFilters, parseStreamFilters, type StreamFilters } from './websocket-filter.ts';
import { encodeTextFrame } from './websocket-frame.ts';
import { parseStreamQuery, type StreamQuery } from './websocket-query.ts';

export const STREAM_PATH = '/v1/stream';
export const CLOSE_POLICY = 1008;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_REVOKED = 4001;
export const CLOSE_TOO_SLOW = 4008;
/** RFC 6455 "message too big". */
export const CLOSE_TOO_BIG = 1009;
/** The largest client message (subscribe messages are a few hundred bytes). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** ws's own limit, beyond which it closes with 1009 and no reason before this module sees the message. */
const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Rows read from the outbox per replay step. */
export const REPLAY_BATCH = 500;
/** Unanswered pings (one per heartbeat tick) after which a connection is considered dead. */
export const MAX_MISSED_PONGS = 2;
/** A client closed for slowness that has not gone after this long is terminated. */
export const SLOW_TERMINATE_AFTER_MS = 2_000;
/** Clients served per turn of the event loop by the heartbeat tick. */
export const TICK_SLICE = 100;

export interface WebSocketSinkOptions {
  server: Server;
  outbox: Outbox;
  tokens: TokenStore;
  clock: Clock;
  logger: Logger;
  heartbeatMs: number;
  maxBufferedBytes: number;
  onClientCount?: (count: number) => void;
  /** Messages sent (once per published record or replay step, with the number of clients). */
  onSent?: (count: number) => void;
  onSlowClose?: () => void;
  /** Cluster mode: cursors across instances (src/cluster/merged-stream.ts). */
  cursors?: {
    resume(cursorText: string): { afterSeq: number; skip: CursorVector };
    vectorAt(seq: number): string;
  };
}

export interface WebSocketSink {
  /** Sends one freshly appended outbox record to every live client whose filters match. */
  publish(record: OutboxRecord, data?: unknown): void;
  clientCount(): number;
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  /** The connection's socket (the one ws was given at the upgrade), for pre-built frames. */
  socket: Duplex;
  token: string;
  info: TokenInfo;
  /** The token has no limits: no per-message access check. */
  seesAll: boolean;
  filters: StreamFilters;
  /** No filter criterion: every message passes. */
  matchesAll: boolean;
  /** Every outbox message up to this seq has been sent to this client or filtered out. */
  cursor: number;
  mode: 'idle' | 'replaying' | 'live';
  /** Incremented by each subscribe, so an older replay loop stops when a newer one starts. */
  generation: number;
  /** Pings sent since the last pong. */
  missedPongs: number;
  /** Cluster mode: rows at or below this vector were had before a resume (skipped). */
  skip: CursorVector | undefined;
  /** Cluster mode: the client's cursor vector (JSON text). */
  vectorText: string;
}

/** A close reason from an error: at most 123 bytes, the limit of a close frame. */
function closeReason(error: unknown): string {
  let reason = describeError(error);
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

function frame(type: string, seq: number, json: string, cursor?: string): string {
  const at = cursor === undefined ? '' : `"cursor":"${cursor}",`;
  return `{"type":"${type}","seq":${seq},${at}"data":${json}}`;
}

/**
 * The path and query of a request target, read without `new URL(target, base)`, which throws on
 * targets such as "//" or "//x?y" (an empty authority): in the 'upgrade' listener that was an
 * uncaught exception, and one request ended the process (fuzz finding). Never throws.
 */
export function splitRequestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const hash = target.indexOf('#');
  const withoutHash = hash < 0 ? target : target.slice(0, hash);
  const question = withoutHash.indexOf('?');
  return {
    pathname: question < 0 ? withoutHash : withoutHash.slice(0, question),
    searchParams: new URLSearchParams(question < 0 ? '' : withoutHash.slice(question + 1)),
  };
}

/** The bearer token from the Authorization header, or else from ?token=. */
export function tokenFromRequest(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] !== undefined) return match[1];
  return splitRequestTarget(request.url ?? '/').searchParams.get('token') ?? undefined;
}

function refuseUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  code: string,
  message: string,
  extraHeaders = '',
): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}${extraHeaders}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * A handshake ws itself refuses (wrong method, missing or bad Sec-WebSocket-Key or -Version,
 * bad subprotocol list), answered like every other refusal: JSON with a stable code, 405 with
 * Allow for a method other than GET (ws would answer text/html).
 */
function refuseBadHandshake(socket: Duplex, error: Error): void {
  if (error.message === 'Invalid HTTP method') {
    refuseUpgrade(socket, 405, 'Method Not Allowed', 'METHOD_NOT_ALLOWED', error.message, 'Allow: GET\r\n');
  } else {
    const version = error.message.includes('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 13, 8\r\n' : '';
    refuseUpgrade(socket, 400, 'Bad Request', 'BAD_REQUEST', error.message, version);
  }
}

/** The size of a ws message in bytes, whatever form ws delivered it in. */
function rawDataBytes(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((total, b) => total + b.length, 0);
  return raw.byteLength;
}

/** The text of a ws message, whatever form ws delivered it in. */
export function rawDataToText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}

export function createWebSocketSink(options: WebSocketSinkOptions): WebSocketSink {
  const { outbox, tokens, clock, logger, maxBufferedBytes } = options;
  // No permessage-deflate: messages are framed once and shared by every client.
  // ws closes a message over its maxPayload itself, with 1009 and no reason; below that this
  // module refuses messages over MAX_MESSAGE_BYTES with 1009 and a reason with its code.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  wss.on('wsClientError', (error, socket) => {
    refuseBadHandshake(socket, error);
  });
  const clients = new Set<Client>();
  const countChanged = (): void => options.onClientCount?.(clients.size);

  const closeSlow = (client: Client): void => {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    logger.warn('websocket client too slow; closing', {
      token: client.info.name,
      bufferedBytes: client.ws.bufferedAmount,
    });
    options.onSlowClose?.();
    client.ws.close(CLOSE_TOO_SLOW, `too slow: more than ${maxBufferedBytes} bytes buffered`);
    setTimeout(() => {
      client.ws.terminate();
    }, SLOW_TERMINATE_AFTER_MS).unref();
  };

  /**
   * Writes one complete text frame (encodeTextFrame) unless the client is already over its
   * buffer limit (then closes it). The frame may be shared by every client.
   */
  const send = (client: Client, textFrame: Buffer): boolean => {
    if (client.ws.readyState !== WebSocket.OPEN) return false;
    if (client.ws.bufferedAmount > maxBufferedBytes) {
      closeSlow(client);
      return false;
    }
    client.socket.write(textFrame);
    return true;
  };

  const heartbeatData = (): string => JSON.stringify({ time: new Date(clock.nowMs()).toISOString() });

  const cursorOf = (client: Client): string | undefined =>
    options.cursors ? cursorOfVectorText(client.vectorText) : undefined;

  const sendHeartbeat = (client: Client, data: string = heartbeatData()): void => {
    send(client, encodeTextFrame(frame('heartbeat', client.cursor, data, cursorOf(client))));
  };

  /**
   * Cluster mode: moves the client's vector past a record; false when the client had the record
   * before it resumed here (at or below its skip vector). Once the log's own vector covers the
   * skip vector, the skip is over (and the record's shared frame carries the right cursor).
   */
  const passPosition = (client: Client, record: OutboxRecord): boolean => {
    const position = record.position;
    if (!position || !options.cursors) return true;
    const skip = client.skip;
    if (!skip) {
      client.vectorText = position.vector;
      return true;
    }
    if (position.offset <= (skip[position.part] ?? -1)) return false;
    const vector = JSON.parse(position.vector) as CursorVector;
    if (covers(vector, skip)) {
      client.skip = undefined;
      client.vectorText = position.vector;
    } else client.vectorText = JSON.stringify(mergeVectors(skip, vector));
    return true;
  };

  /**
   * Sends one record unless the client has had it or filters it out; true when sent.
   * `textFrame` is built once per record and shared by every client.
   */
  const deliver = (
    client: Client,
    record: OutboxRecord,
    data: () => unknown,
    textFrame: () => Buffer,
  ): boolean => {
    if (record.seq <= client.cursor) return false;
    client.cursor = record.seq;
    if (!passPosition(client, record)) return false;
    if (!client.seesAll && !canSeeRecord(client.info, record.type, data())) return false;
    if (!client.matchesAll && !matchesFilters(record.type, data(), client.filters)) return false;
    // Still skipping (cluster mode): the cursor is the client's own, not the record's.
    if (client.skip)
      return send(client, encodeTextFrame(frame(record.type, record.seq, record.json, cursorOf(client))));
    return send(client, textFrame());
  };

  const framer = (record: OutboxRecord): (() => Buffer) => {
    let bytes: Buffer | undefined;
    const cursor =
      record.position && options.cursors ? cursorOfVectorText(record.position.vector) : undefined;
    return () => (bytes ??= encodeTextFrame(frame(record.type, record.seq, record.json, cursor)));
  };

  /**
   * Resolves once the client's unsent bytes are down to a quarter of its limit (or it has
   * closed). Woken by the socket's 'drain', not by polling: 'drain' comes once the buffer is
   * empty after a write that took it to the socket's high-water mark, so the wait only starts
   * above that mark (else it could wait for a 'drain' that never comes).
   */
  const waitForDrain = async (client: Client): Promise<void> => {
    const resumeAtBytes = Math.max(maxBufferedBytes / 4, client.socket.writableHighWaterMark);
    while (client.ws.readyState === WebSocket.OPEN && client.ws.bufferedAmount > resumeAtBytes) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          client.socket.off('drain', done);
          client.socket.off('close', done);
          resolve();
        };
        client.socket.on('drain', done);
        client.socket.on('close', done);
      });
    }
  };

  /** Replays the outbox after the client's cursor in batches, paced by its buffer, then goes live. */
  const replay = async (client: Client, generation: number): Promise<void> => {
    for (;;) {
      if (client.generation !== generation || client.ws.readyState !== WebSocket.OPEN) return;
      const rows = outbox.readAfter(client.cursor, REPLAY_BATCH);
      let sent = 0;
      for (const row of rows) {
        let parsed: unknown;
        if (deliver(client, row, () => (parsed ??= JSON.parse(row.json)), framer(row))) sent += 1;
      }
      if (sent > 0) options.onSent?.(sent);
      if (rows.length < REPLAY_BATCH) {
        // Same tick as the last read: nothing can be appended in between, so no gap.
        client.mode = 'live';
        sendHeartbeat(client);
        return;
      }
      await waitForDrain(client);
    }
  };

  /** Closes with 1008 and a reason that starts with its code, as every refusal has one. */
  const refuse = (client: Client, message: string): void => {
    client.ws.close(CLOSE_POLICY, closeReason(new CoincideError('BAD_REQUEST', message)));
  };

  const onMessage = (client: Client, raw: RawData): void => {
    const bytes = rawDataBytes(raw);
    if (bytes > MAX_MESSAGE_BYTES) {
      client.ws.close(
        CLOSE_TOO_BIG,
        closeReason(new CoincideError('INPUT_TOO_LARGE', `a message is at most ${MAX_MESSAGE_BYTES} bytes`)),
      );
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawDataToText(raw));
    } catch {
      refuse(client, 'message is not JSON');
      return;
    }
    const m = message as { type?: unknown; since?: unknown; filters?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.type !== 'subscribe') {
      refuse(client, 'expected {"type":"subscribe",…}');
      return;
    }
    const cursorSince = typeof m.since === 'string' && options.cursors !== undefined && isCursorText(m.since);
    if (
      m.since !== undefined &&
      !cursorSince &&
      !(typeof m.since === 'number' && Number.isInteger(m.since) && m.since >= 0)
    ) {
      refuse(
        client,
        options.cursors
          ? 'since must be a stream cursor or an integer seq >= 0'
          : 'since must be an integer seq >= 0',
      );
      return;
    }
    let filters: StreamFilters;
    try {
      filters = parseStreamFilters(m.filters);
    } catch (error) {
      client.ws.close(CLOSE_POLICY, closeReason(error));
      return;
    }
    startStream(
      client,
      typeof m.since === 'number' || typeof m.since === 'string' ? m.since : undefined,
      filters,
    );
  };

  /**
   * (Re)starts a client's stream with these filters: with `since`, replays every stored message
   * after it and then goes live; without, goes live from the present (or keeps its position
   * when already streaming). Either way a heartbeat tells the client where it stands.
   */
  const startStream = (
    client: Client,
    sinceGiven: number | string | undefined,
    filters: StreamFilters,
  ): void => {
    let since: number | undefined;
    if (typeof sinceGiven === 'string') {
      if (!options.cursors) {
        refuse(client, 'since must be an integer seq >= 0');
        return;
      }
      let resumed: { afterSeq: number; skip: CursorVector };
      try {
        resumed = options.cursors.resume(sinceGiven);
      } catch (error) {
        client.ws.close(CLOSE_POLICY, closeReason(error));
        return;
      }
      since = resumed.afterSeq;
      client.skip = resumed.skip;
      client.vectorText = JSON.stringify(
        mergeVectors(resumed.skip, JSON.parse(options.cursors.vectorAt(since)) as CursorVector),
      );
    } else {
      since = sinceGiven;
      client.skip = undefined;
      if (options.cursors) client.vectorText = options.cursors.vectorAt(since ?? outbox.lastSeq());
    }
    if (since !== undefined && since > outbox.lastSeq()) {
      // A position this server never assigned (another instance, or a wiped database): replaying
      // from it would silently skip messages, so the client is told instead.
      refuse(client, `since ${since} is after this server's last seq ${outbox.lastSeq()}`);
      return;
    }
    client.filters = filters;
    client.matchesAll = isEmptyFilter(filters);
    client.generation += 1;
    if (since !== undefined) {
      client.cursor = since;
      client.mode = 'replaying';
      void replay(client, client.generation).catch((error: unknown) => {
        logger.error('websocket replay failed', { error: describeError(error) });
        client.ws.close(1011, 'replay failed');
      });
    } else {
      if (client.mode === 'idle') client.cursor = outbox.lastSeq();
      client.mode = 'live';
      sendHeartbeat(client);
    }
  };

  const onConnection = (
    ws: WebSocket,
    socket: Duplex,
    token: string,
    info: TokenInfo,
    query: URLSearchParams,
  ): void => {
    const client: Client = {
      ws,
      socket,
      token,
      info,
      seesAll: seesEverything(info),
      filters: {},
      matchesAll: true,
      cursor: 0,
      mode: 'idle',
      generation: 0,
      missedPongs: 0,
      skip: undefined,
      vectorText: '{}',
    };
    clients.add(client);
    countChanged();
    logger.debug('websocket client connected', { token: info.name, clients: clients.size });
    ws.on('message', (raw) => {
      onMessage(client, raw);
    });
    ws.on('pong', () => {
      client.missedPongs = 0;
    });
    ws.on('error', (error) => {
      logger.debug('websocket client error', { error: describeError(error) });
    });
    ws.on('close', (code) => {
      clients.delete(client);
      countChanged();
      logger.debug('websocket client disconnected', { token: info.name, code, clients: clients.size });
    });
    // No handshake needed: the stream starts at once, from the URL's since and filters.
    let start: StreamQuery;
    try {
      start = parseStreamQuery(query);
    } catch (error) {
      ws.close(CLOSE_POLICY, closeReason(error));
      return;
    }
    startStream(client, start.since, start.filters);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = splitRequestTarget(request.url ?? '/');
    if (url.pathname !== STREAM_PATH) {
      refuseUpgrade(socket, 404, 'Not Found', 'NOT_FOUND', `no WebSocket endpoint at ${url.pathname}`);
      return;
    }
    const token = tokenFromRequest(request);
    const info = token === undefined ? undefined : tokens.verify(token);
    if (token === undefined || info === undefined) {
      refuseUpgrade(socket, 401, 'Unauthorized', 'AUTH_REQUIRED', 'a valid bearer token is required');
      return;
    }
    if (!hasScope(info, 'stream')) {
      refuseUpgrade(socket, 403, 'Forbidden', 'FORBIDDEN', 'this token lacks the "stream" scope');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      onConnection(ws, socket, token, info, url.searchParams);
    });
  };
  options.server.on('upgrade', onUpgrade);

  let stopped = false;

  /**
   * Each tick: close connections whose token was revoked (4001); terminate those that left
   * MAX_MISSED_PONGS pings unanswered (a dead peer); ping; heartbeat the live ones. Each token
   * is verified once per tick (many connections may share one), and the clients are served
   * TICK_SLICE per turn of the event loop, so a message published meanwhile is not held up
   * behind the whole tick.
   */
  const tick = (): void => {
    const batch = [...clients];
    const valid = new Map<string, boolean>();
    const data = heartbeatData();
    const serve = (client: Client): void => {
      if (client.ws.readyState !== WebSocket.OPEN) return;
      let ok = valid.get(client.token);
      if (ok === undefined) {
        ok = tokens.verify(client.token) !== undefined;
        valid.set(client.token, ok);
      }
      if (!ok) {
        client.ws.close(CLOSE_REVOKED, 'token revoked');
        return;
      }
      if (client.missedPongs >= MAX_MISSED_PONGS) {
        client.ws.terminate();
        return;
      }
      client.missedPongs += 1;
      // The ping and the heartbeat leave in one write.
      client.socket.cork();
      client.ws.ping();
      if (client.mode === 'live') sendHeartbeat(client, data);
      client.socket.uncork();
    };
    const step = (from: number): void => {
      if (stopped) return;
      const to = Math.min(batch.length, from + TICK_SLICE);
      for (let i = from; i < to; i++) {
        const client = batch[i];
        if (client) serve(client);
      }
      if (to < batch.length) setImmediate(step, to);
    };
    step(0);
  };
  const ticker = setInterval(tick, options.heartbeatMs);
  ticker.unref();

  return {
    publish(record, data) {
      let parsed: unknown = data;
      const getData = (): unknown => (parsed ??= JSON.parse(record.json));
      const textFrame = framer(record);
      let sent = 0;
      for (const client of clients) {
        if (client.mode === 'live' && deliver(client, record, getData, textFrame)) sent += 1;
      }
      if (sent > 0) options.onSent?.(sent);
    },
    clientCount: () => clients.size,
    async close() {
      stopped = true;
      clearInterval(ticker);
      options.server.off('upgrade', onUpgrade);
      const closing = [...clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.ws.readyState === WebSocket.CLOSED) {
              resolve();
              return;
            }
            client.ws.once('close', () => {
              resolve();
            });
            client.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
            setTimeout(() => {
              client.ws.terminate();
            }, 1000).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
  };
}

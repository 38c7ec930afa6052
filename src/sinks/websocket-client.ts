/**
 * A resuming client of the WebSocket stream (used by `coincide listen`, the end-to-end test
 * and the benchmark).
 *
 * It connects with the given filters as URL parameters; after a disconnect it reconnects with
 * exponential backoff and full jitter (delay = random(0, min(max, base·2^attempt))) with
 * `since` = the last seq it saw, so it misses nothing and, since it also drops any seq it
 * has already seen, repeats nothing. Refusals that retrying cannot cure (HTTP 401, close
 * codes 1008 and 4001) end it with an error instead.
 *
 * Two timeouts keep it from waiting forever on a peer that stopped answering:
 * - the opening handshake must finish within handshakeTimeoutMs (a server that accepts the TCP
 *   connection but never answers the upgrade);
 * - once open, something (a message, or the server's ping, which comes with every heartbeat
 *   tick) must arrive within livenessTimeoutMs, else the connection is taken for dead (a
 *   half-open TCP connection, a frozen server) and dropped, and the client reconnects and
 *   resumes. The default is three of the server's default heartbeat intervals plus a margin.
 * A message that is not JSON does not stop the client: it is reported and skipped.
 */
import WebSocket from 'ws';
import { CoincideError } from '../errors.ts';
import type { StreamFilters } from './websocket-filter.ts';
import { CLOSE_POLICY, CLOSE_REVOKED, rawDataToText } from './websocket.ts';

export interface StreamMessage {
  type: 'notice' | 'coincidence' | 'withdrawn' | 'heartbeat';
  seq: number;
  data: unknown;
}

export interface StreamClientOptions {
  url: string;
  token: string;
  /** Replay every message after this seq first (omit: start at the present). */
  since?: number;
  filters?: StreamFilters;
  onMessage: (message: StreamMessage, raw: string) => void;
  /** Connection state changes and skipped messages, for logs. */
  onState?: (state: StreamClientState, detail: Record<string, unknown>) => void;
  /** A fatal refusal (bad token, bad filters): the client stops. */
  onFatal?: (error: CoincideError) => void;
  reconnect?: boolean;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** Longest wait for the opening handshake, ms. */
  handshakeTimeoutMs?: number;
  /** Longest silence (no message, no ping) on an open connection before it is dropped, ms. */
  livenessTimeoutMs?: number;
  /** The clock, ms since the epoch (injected for tests). */
  nowMs?: () => number;
}

export type StreamClientState = 'open' | 'closed' | 'reconnecting' | 'dead' | 'invalid-message';

export interface StreamClient {
  /** The last seq received (heartbeats included), or undefined before the first message. */
  lastSeq(): number | undefined;
  /** Resolves once the first subscription is live (its first heartbeat arrived). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_MIN_BACKOFF_MS = 250;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
/** A connection that stayed up this long resets the backoff. */
export const BACKOFF_RESET_AFTER_MS = 5_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Three of the server's default 30 s heartbeat ticks, plus a margin. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 100_000;

/** The stream URL with `since` and the filters as query parameters (websocket-query.ts). */
export function streamUrl(base: string, since: number | undefined, filters: StreamFilters | undefined): URL {
  const url = new URL(base);
  if (since !== undefined) url.searchParams.set('since', String(since));
  const f = filters ?? {};
  const lists: Array<[string, string[] | undefined]> = [
    ['types', f.types],
    ['messengers', f.messengers],
    ['observatories', f.observatories],
    ['roles', f.roles],
    ['tiers', f.tiers],
    ['noticeTypes', f.noticeTypes],
  ];
  for (const [name, list] of lists) if (list !== undefined) url.searchParams.set(name, list.join(','));
  if (f.maxPChance !== undefined) url.searchParams.set('maxPChance', String(f.maxPChance));
  if (f.region !== undefined) {
    url.searchParams.set('region', `${f.region.raDeg},${f.region.decDeg},${f.region.radiusDeg}`);
  }
  return url;
}

/** A frame's text as a stream message, or undefined when it is not JSON with a numeric seq. */
function parseStreamMessage(raw: string): StreamMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { seq } = parsed as { seq?: unknown };
  return typeof seq === 'number' ? (parsed as StreamMessage) : undefined;
}

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const minBackoffMs = options.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const random = options.random ?? Math.random;
  const nowMs = options.nowMs ?? Date.now;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const livenessTimeoutMs = options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS;
  let lastSeq = options.since;
  let attempt = 0;
  let closed = false;
  let socket: WebSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let livenessTimer: NodeJS.Timeout | undefined;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const fatal = (message: string): void => {
    closed = true;
    options.onFatal?.(new CoincideError('AUTH_REQUIRED', message));
  };

  const scheduleReconnect = (): void => {
    if (closed || options.reconnect === false) return;
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** attempt);
    const delayMs = Math.max(minBackoffMs / 2, random() * ceiling);
    attempt += 1;
    options.onState?.('reconnecting', { delayMs: Math.round(delayMs), attempt });
    timer = setTimeout(connect, delayMs);
  };

  function connect(): void {
    if (closed) return;
    const openedAt = nowMs();
    // The resume position and the filters go in the URL (websocket-query.ts): the server starts
    // the stream as soon as the connection opens (no handshake), so a subscribe message would
    // come too late: a heartbeat sent from the present before it would move lastSeq past
    // messages not yet replayed, and messages sent before it would not be filtered.
    const ws = new WebSocket(streamUrl(options.url, lastSeq, options.filters), {
      headers: { Authorization: `Bearer ${options.token}` },
      handshakeTimeout: handshakeTimeoutMs,
    });
    socket = ws;
    const stillAlive = (): void => {
      if (livenessTimer) clearTimeout(livenessTimer);
      livenessTimer = setTimeout(() => {
        options.onState?.('dead', { silentMs: livenessTimeoutMs });
        ws.terminate();
      }, livenessTimeoutMs);
    };
    ws.on('open', () => {
      options.onState?.('open', { url: options.url, since: lastSeq });
      stillAlive();
    });
    ws.on('ping', stillAlive);
    ws.on('message', (data) => {
      stillAlive();
      const raw = rawDataToText(data);
      const message = parseStreamMessage(raw);
      if (message === undefined) {
        options.onState?.('invalid-message', { bytes: raw.length });
        return;
      }
      if (message.type === 'heartbeat') {
        resolveReady();
        if (lastSeq === undefined || message.seq > lastSeq) lastSeq = message.seq;
        options.onMessage(message, raw);
        return;
      }
      if (lastSeq !== undefined && message.seq <= lastSeq) return;
      lastSeq = message.seq;
      options.onMessage(message, raw);
    });
    ws.on('unexpected-response', (_request, response) => {
      if (response.statusCode === 401) fatal('the server refused the token (HTTP 401)');
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      if (livenessTimer) clearTimeout(livenessTimer);
      options.onState?.('closed', { code, reason: reason.toString() });
      if (code === CLOSE_POLICY || code === CLOSE_REVOKED)
        fatal(`closed by the server: ${code} ${reason.toString()}`);
      if (nowMs() - openedAt >= BACKOFF_RESET_AFTER_MS) attempt = 0;
      scheduleReconnect();
    });
  }

  connect();

  return {
    lastSeq: () => lastSeq,
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (livenessTimer) clearTimeout(livenessTimer);
      const ws = socket;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => {
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client done');
      });
    },
  };
}

/**
 * The delivery loop of ONE subscription: every outbox message after its cursor, in seq order,
 * one at a time. Each subscription has its own worker, its own keep-alive socket and its own
 * time limits, so a slow or dead endpoint holds up only its own queue: never another
 * subscription, the WebSocket stream or the join (nothing on the publish path waits for a worker).
 *
 * Per message: filtered out -> done; else POST (deliver.ts) until it is accepted (2xx), or it is
 * dead: refused for good (a 4xx other than 408/425/429, a redirect), or still failing when the
 * message is older than maxAgeMs (counted from its append to the outbox; every message is tried
 * at least once). Between attempts: exponential backoff with full jitter (backoff.ts), never
 * sooner than the endpoint's Retry-After. The cursor moves past a message only when it is done,
 * so after a crash the worker resumes at the first message not known to be done: at least once,
 * in order; a receiver de-duplicates by the Idempotency-Key header.
 *
 * Messages come from the hub (hub.ts) as they are published while the worker keeps up, and from
 * the outbox (readAfter) when it is behind (start-up, a backlog longer than its queue).
 */
import type http from 'node:http';
import type { Clock } from '../clock.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Outbox, OutboxMessageType } from '../sinks/outbox.ts';
import { isEmptyFilter, matchesFilters } from '../sinks/websocket-filter.ts';
import { retryDelayMs } from './backoff.ts';
import { attemptDelivery } from './deliver.ts';
import { messageData, renderWebhookBody, type WebhookMessage } from './format.ts';
import { createAgent, WebhookPostError } from './post.ts';
import { redactUrl, type WebhookSubscription } from './subscription.ts';

/** Messages a worker holds in memory; beyond that it reads the outbox itself. */
export const WORKER_QUEUE_LIMIT = 1000;
/** Rows read from the outbox per read when behind. */
export const WORKER_READ_BATCH = 200;

export interface DeliverySettings {
  timeoutMs: number;
  maxAgeMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  publicBaseUrl: string;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

export interface WorkerEvents {
  /** The worker is done with every message up to seq (delivered: it was sent and accepted). */
  onDone(id: string, seq: number, delivered: boolean): void;
  /** A delivery given up: recorded durably by the hub before the worker moves on. */
  onDead(id: string, message: WebhookMessage, attempts: number, error: string): void;
  /** Every attempt's outcome, with the time since the message's append for accepted ones. */
  onAttempt(id: string, outcome: DeliveryOutcome, latencyMs?: number): void;
}

export interface WorkerStatus {
  id: string;
  state: 'idle' | 'delivering' | 'retrying' | 'stopped';
  cursorSeq: number;
  /** Attempts at the message in hand (0 when idle). */
  attempts: number;
  lastError?: string;
  lastErrorMs?: number;
  /** When the next attempt is due (retrying), Unix ms. */
  nextAttemptMs?: number;
}

export interface SubscriptionWorker {
  readonly id: string;
  /** The last seq read into the queue (from the hub or the outbox). */
  readSeq(): number;
  /**
   * Offers freshly published messages that follow `afterSeq`; taken only when the worker has read
   * exactly up to afterSeq and has room (else it reads them from the outbox later). Always wakes it.
   */
  offer(messages: readonly WebhookMessage[], afterSeq: number): void;
  status(): WorkerStatus;
  /** Stops after aborting the attempt in flight; resolves when the loop has ended. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  subscription: WebhookSubscription;
  cursorSeq: number;
  outbox: Outbox;
  settings: DeliverySettings;
  events: WorkerEvents;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

export function createWorker(options: WorkerOptions): SubscriptionWorker {
  const { subscription, outbox, settings, events, clock } = options;
  const { id } = subscription;
  const url = new URL(subscription.url);
  const logger = options.logger.child({ webhook: id, endpoint: redactUrl(subscription.url) });
  const filtered = !isEmptyFilter(subscription.filters);
  const agent: http.Agent = createAgent(url);
  const abort = new AbortController();
  const queue: WebhookMessage[] = [];
  let cursor = options.cursorSeq;
  let readSeq = cursor;
  let stopped = false;
  /** Read through a function: `stopped` changes while the loop awaits. */
  const isStopped = (): boolean => stopped;
  let wake: (() => void) | undefined;
  let woken = false;
  const status: WorkerStatus = { id, state: 'idle', cursorSeq: cursor, attempts: 0 };

  const signal = (): void => {
    woken = true;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForWake = (): Promise<void> =>
    woken
      ? Promise.resolve()
      : new Promise((resolve) => {
          wake = resolve;
        });
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  const fill = (): boolean => {
    const rows = outbox.readAfter(readSeq, WORKER_READ_BATCH);
    for (const row of rows)
      queue.push({ type: row.type, seq: row.seq, json: row.json, createdMs: row.createdMs });
    const last = rows[rows.length - 1];
    if (last) readSeq = last.seq;
    return rows.length > 0;
  };

  const done = (seq: number, delivered: boolean): void => {
    cursor = seq;
    status.cursorSeq = seq;
    events.onDone(id, seq, delivered);
  };

  /** Attempts until accepted, dead or stopped. */
  const deliver = async (message: WebhookMessage): Promise<void> => {
    const body = renderWebhookBody(subscription.format, message, settings);
    for (let attempt = 1; ; attempt++) {
      status.state = 'delivering';
      status.attempts = attempt;
      try {
        await attemptDelivery({
          subscription,
          url,
          message,
          body,
          attempt,
          nowMs: clock.nowMs(),
          timeoutMs: settings.timeoutMs,
          agent,
          signal: abort.signal,
        });
        events.onAttempt(id, 'delivered', clock.nowMs() - message.createdMs);
        done(message.seq, true);
        return;
      } catch (error) {
        if (isStopped()) return;
        const text = describeError(error);
        status.lastError = text;
        status.lastErrorMs = clock.nowMs();
        const retriable = error instanceof WebhookPostError ? error.retriable : true;
        const ageMs = clock.nowMs() - message.createdMs;
        if (!retriable || ageMs >= settings.maxAgeMs) {
          events.onAttempt(id, 'dead');
          logger.warn('webhook delivery dead', {
            seq: message.seq,
            attempts: attempt,
            reason: retriable ? `still failing after ${Math.round(ageMs / 1000)} s (max age)` : 'refused',
            error: text,
          });
          events.onDead(id, message, attempt, text);
          done(message.seq, false);
          return;
        }
        events.onAttempt(id, 'retry');
        const afterMs = error instanceof WebhookPostError ? (error.retryAfterMs ?? 0) : 0;
        const delayMs = Math.min(
          Math.max(
            retryDelayMs(attempt, {
              initialMs: settings.retryInitialMs,
              maxMs: settings.retryMaxMs,
              ...(options.random ? { random: options.random } : {}),
            }),
            afterMs,
          ),
          Math.max(0, settings.maxAgeMs - ageMs) + settings.retryInitialMs,
        );
        if (attempt === 1 || attempt % 10 === 0) {
          logger.info('webhook delivery failed; retrying', {
            seq: message.seq,
            attempt,
            error: text,
            delayMs: Math.round(delayMs),
          });
        }
        status.state = 'retrying';
        status.nextAttemptMs = clock.nowMs() + delayMs;
        await sleep(delayMs);
        delete status.nextAttemptMs;
        if (isStopped()) return;
      }
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      if (queue.length === 0 && !fill()) {
        status.state = 'idle';
        status.attempts = 0;
        // Appends are committed before they are offered, so a read after clearing `woken` sees
        // every message published so far; a later offer sets it again.
        woken = false;
        if (!fill()) await waitForWake();
        continue;
      }
      const message = queue.shift() as WebhookMessage;
      if (
        filtered &&
        !matchesFilters(message.type as OutboxMessageType, messageData(message), subscription.filters)
      ) {
        done(message.seq, false);
        continue;
      }
      await deliver(message);
    }
  };

  const running = loop()
    .catch((error: unknown) => {
      logger.error('webhook worker failed', { error: describeError(error) });
    })
    .finally(() => {
      status.state = 'stopped';
      agent.destroy();
    });

  return {
    id,
    readSeq: () => readSeq,
    offer(messages, afterSeq) {
      if (!stopped && readSeq === afterSeq && queue.length + messages.length <= WORKER_QUEUE_LIMIT) {
        queue.push(...messages);
        const last = messages[messages.length - 1];
        if (last) readSeq = last.seq;
      }
      signal();
    },
    status: () => ({ ...status }),
    async stop() {
      stopped = true;
      abort.abort();
      signal();
      await running;
    },
  };
}

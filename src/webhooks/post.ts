/**
 * One POST of one webhook body (node:http / node:https), with a time limit over the whole
 * exchange (connect, send, status line and body), and the verdict the delivery loop acts on:
 *
 *   2xx                               delivered
 *   408, 425, 429, 5xx                retriable (429/503 with Retry-After: not sooner than that)
 *   timeout, refused, reset, DNS, TLS retriable
 *   other 1xx-4xx, and every 3xx      permanent (redirects are never followed: a webhook URL is
 *                                     configured, and a redirect could move a signed body elsewhere)
 *
 * node:http rather than fetch: the time limit, the per-subscription keep-alive agent and the
 * error codes (ECONNREFUSED…) are direct, and the response body is read only up to a few bytes.
 */
import http from 'node:http';
import https from 'node:https';
import { CoincideError } from '../errors.ts';

/** Bytes of a refusing response's body kept for the error message (Slack says "invalid_payload"). */
const ERROR_BODY_BYTES = 300;

export interface PostRequest {
  url: URL;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  agent?: http.Agent;
  signal?: AbortSignal;
}

export class WebhookPostError extends CoincideError {
  readonly status: number | undefined;
  /** A Retry-After the endpoint asked for, milliseconds. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retriable: boolean; status?: number; retryAfterMs?: number }) {
    super('WEBHOOK_FAILED', message, { retriable: options.retriable });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const dateMs = Date.parse(header);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - Date.now());
}

/** Creates the keep-alive agent of one subscription (one socket: deliveries are sequential). */
export function createAgent(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: 1, keepAliveMsecs: 10_000 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/** Resolves with the status on 2xx; rejects with a WebhookPostError otherwise. */
export function postWebhook(request: PostRequest): Promise<number> {
  const { url } = request;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: WebhookPostError | undefined, status?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(status ?? 200);
    };
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(request.body.length) },
        ...(request.agent ? { agent: request.agent } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < ERROR_BODY_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          if (status >= 200 && status < 300) {
            finish(undefined, status);
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_BYTES).replace(/\s+/g, ' ');
          const after = retryAfterMs(res.headers['retry-after']);
          finish(
            new WebhookPostError(`HTTP ${status}${text === '' ? '' : `: ${text.trim()}`}`, {
              retriable: isRetriableStatus(status),
              status,
              ...(after === undefined ? {} : { retryAfterMs: after }),
            }),
          );
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new WebhookPostError(`no answer within ${request.timeoutMs} ms`, { retriable: true }));
    }, request.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const what = error.code ?? error.name;
      finish(new WebhookPostError(`connection failed (${what})`, { retriable: true }));
    });
    req.end(request.body);
  });
}

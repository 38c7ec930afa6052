/**
 * OAuth 2.0 client-credentials tokens (RFC 6749 §4.4) for SASL/OAUTHBEARER, as GCN Kafka uses
 * them (`sasl.oauthbearer.method=oidc` with a client id and secret).
 *
 * Request: POST <tokenUrl>, `Content-Type: application/x-www-form-urlencoded`, body
 * `grant_type=client_credentials[&scope=...]`, client authenticated with HTTP Basic
 * (RFC 6749 §2.3.1, what librdkafka does) or, optionally, `client_id`/`client_secret` in the body.
 * Response: JSON `{access_token, expires_in (s), token_type}`.
 *
 * The token is cached until `expiresAtMs − refreshMarginMs`, where
 *   expiresAtMs = fetchedAtMs + expires_in × 1000
 *   refreshMarginMs = min(configured margin, expires_in × 1000 / 10)
 * so a one-hour token is renewed a minute early. Concurrent callers share one request.
 * Written by hand (a few lines over fetch) because kafkajs only asks for a provider function and
 * no maintained npm package does client credentials without pulling a full OIDC stack.
 */
import type { Clock } from '../clock.ts';
import { CoincideError } from '../errors.ts';

export interface OidcClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes, when the provider wants some. */
  scope?: string;
  /** Where the client id and secret go (default 'basic'). */
  clientAuth?: 'basic' | 'body';
}

export interface OidcTokenProviderOptions extends OidcClientCredentials {
  clock: Clock;
  /** Injected for tests and proxies; default the global fetch. */
  fetch?: typeof fetch;
  /** Renew this long before expiry (default 60 000 ms, capped at a tenth of the lifetime). */
  refreshMarginMs?: number;
  /** Abort the token request after this long (default 10 000 ms). */
  timeoutMs?: number;
}

export interface OidcToken {
  accessToken: string;
  expiresAtMs: number;
}

export interface OidcTokenProvider {
  /** A valid token: the cached one, or a new one when it is due for renewal. */
  token(): Promise<OidcToken>;
  /** Forget the cached token (e.g. after the broker rejected it). */
  invalidate(): void;
  /** How many token requests were made (for health and tests). */
  readonly requestCount: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

export function createOidcTokenProvider(options: OidcTokenProviderOptions): OidcTokenProvider {
  const doFetch = options.fetch ?? fetch;
  const marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  let cached: (OidcToken & { renewAtMs: number }) | undefined;
  let inFlight: Promise<OidcToken> | undefined;
  let requestCount = 0;

  const request = async (): Promise<OidcToken> => {
    requestCount += 1;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope !== undefined && options.scope !== '') body.set('scope', options.scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if ((options.clientAuth ?? 'basic') === 'basic') {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
      const user = encodeURIComponent(options.clientId);
      const pass = encodeURIComponent(options.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    } else {
      body.set('client_id', options.clientId);
      body.set('client_secret', options.clientSecret);
    }
    const fetchedAtMs = options.clock.nowMs();
    let response: Response;
    try {
      response = await doFetch(options.tokenUrl, {
        method: 'POST',
        headers,
        body: body.toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CoincideError('KAFKA_AUTH', `token endpoint ${options.tokenUrl} unreachable`, {
        cause: error,
        retriable: true,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new CoincideError(
        'KAFKA_AUTH',
        `token endpoint ${options.tokenUrl} answered HTTP ${response.status}: ${text.slice(0, 200)}`,
        { retriable: response.status >= 500 || response.status === 429 },
      );
    }
    let parsed: TokenResponse;
    try {
      parsed = JSON.parse(text) as TokenResponse;
    } catch (error) {
      throw new CoincideError('KAFKA_AUTH', 'token endpoint answered with something that is not JSON', {
        cause: error,
      });
    }
    const accessToken = parsed.access_token;
    const expiresInSec = parsed.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new CoincideError('KAFKA_AUTH', 'token endpoint answer has no access_token');
    }
    // expires_in is RECOMMENDED, not required (RFC 6749 §5.1): assume an hour when absent.
    const lifetimeMs =
      typeof expiresInSec === 'number' && expiresInSec > 0
        ? expiresInSec * 1000
        : typeof expiresInSec === 'string' && Number(expiresInSec) > 0
          ? Number(expiresInSec) * 1000
          : 3_600_000;
    const expiresAtMs = fetchedAtMs + lifetimeMs;
    cached = { accessToken, expiresAtMs, renewAtMs: expiresAtMs - Math.min(marginMs, lifetimeMs / 10) };
    return { accessToken, expiresAtMs };
  };

  return {
    token() {
      if (cached && options.clock.nowMs() < cached.renewAtMs) {
        return Promise.resolve({ accessToken: cached.accessToken, expiresAtMs: cached.expiresAtMs });
      }
      inFlight ??= request().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
    get requestCount() {
      return requestCount;
    },
  };
}

/**
 * A webhook subscription: where to POST (url), which messages (the WebSocket stream's filters,
 * sinks/websocket-filter.ts), in which body format, and an optional HMAC secret.
 *
 * The same validation serves every source: the configuration (file, environment, --webhook-url),
 * `coincide webhooks add`, and rows read back from the database. A URL must be https, or plain
 * http to a host the operator names in webhooks.allowHttpHosts (e.g. a receiver on the same
 * machine); credentials in the URL's user-info are refused (use a secret).
 */
import { createHash } from 'node:crypto';
import { CoincideError } from '../errors.ts';
import { parseStreamFilters, type StreamFilters } from '../sinks/websocket-filter.ts';

export const WEBHOOK_FORMATS = ['json', 'slack', 'text'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export type WebhookSource = 'cli' | 'config';

export interface WebhookSubscription {
  /** Stable id: the idempotency key is `<id>:<seq>`, the cursor is kept under it. */
  id: string;
  url: string;
  format: WebhookFormat;
  filters: StreamFilters;
  /** HMAC-SHA256 key of the signature header; never logged. */
  secret?: string;
  source: WebhookSource;
}

/** Ids are short names safe in a header, a metric label and a command line. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEYS = ['id', 'url', 'format', 'filters', 'secret'];
/** A secret shorter than this is refused: HMAC keys should carry at least 128 bits. */
export const MIN_SECRET_LENGTH = 16;

function bad(message: string): never {
  throw new CoincideError('CONFIG_INVALID', message);
}

/**
 * Checks a webhook URL against the transport policy: https anywhere; http only to a host listed
 * in `allowHttpHosts` (compared case-insensitively, IPv6 without brackets).
 */
export function checkWebhookUrl(url: string, allowHttpHosts: readonly string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CoincideError('WEBHOOK_URL_REFUSED', `"${redactUrl(url)}" is not a URL`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new CoincideError(
      'WEBHOOK_URL_REFUSED',
      `${redactUrl(url)}: credentials in the URL are refused; give the subscription a secret instead`,
    );
  }
  if (parsed.protocol === 'https:') return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (parsed.protocol === 'http:') {
    if (allowHttpHosts.some((allowed) => allowed.replace(/^\[|\]$/g, '').toLowerCase() === host))
      return parsed;
    throw new CoincideError(
      'WEBHOOK_URL_REFUSED',
      `${redactUrl(url)}: plain http to ${host} is refused; use https, or name the host in webhooks.allowHttpHosts`,
    );
  }
  throw new CoincideError('WEBHOOK_URL_REFUSED', `${redactUrl(url)}: only https (or allowed http) URLs`);
}

/**
 * The URL as it may be shown or logged: scheme, host and port only. A webhook URL often is a
 * credential itself (a Slack or Mattermost incoming-webhook path is the key to post).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** The id of a subscription that was given none: stable for the same URL and format. */
export function defaultWebhookId(url: string, format: WebhookFormat): string {
  return `wh-${createHash('sha256').update(`${format} ${url}`).digest('hex').slice(0, 12)}`;
}

export function parseWebhookFormat(value: unknown): WebhookFormat {
  if (value === undefined) return 'json';
  if (typeof value !== 'string' || !WEBHOOK_FORMATS.includes(value as WebhookFormat)) {
    bad(`webhook format must be one of ${WEBHOOK_FORMATS.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as WebhookFormat;
}

export function checkWebhookId(id: string): string {
  if (!ID_PATTERN.test(id)) bad(`webhook id "${id}" must be 1-64 characters of A-Z a-z 0-9 . _ - `);
  return id;
}

export function checkSecret(secret: unknown): string | undefined {
  if (secret === undefined || secret === null || secret === '') return undefined;
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    bad(`a webhook secret must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

function filtersOf(value: unknown, where: string): StreamFilters {
  try {
    return parseStreamFilters(value);
  } catch (error) {
    return bad(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One subscription from the configuration: {url, id?, format?, filters?, secret?}. Unknown keys
 * are refused (a typo must not silently drop a filter).
 */
export function parseWebhookSpec(
  value: unknown,
  allowHttpHosts: readonly string[],
  where = 'webhooks.subscriptions',
): WebhookSubscription {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    bad(`${where}: each subscription must be an object {url, format?, filters?, secret?, id?}`);
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) bad(`${where}: unknown key "${key}" (known: ${KEYS.join(', ')})`);
  }
  if (typeof input.url !== 'string') bad(`${where}: a subscription needs a url`);
  const url = input.url;
  try {
    checkWebhookUrl(url, allowHttpHosts);
  } catch (error) {
    bad(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const format = parseWebhookFormat(input.format);
  if (input.id !== undefined && typeof input.id !== 'string') bad(`${where}: id must be a string`);
  const id = checkWebhookId(input.id ?? defaultWebhookId(url, format));
  const secret = checkSecret(input.secret);
  return {
    id,
    url,
    format,
    filters: filtersOf(input.filters, `${where} ${id} filters`),
    ...(secret === undefined ? {} : { secret }),
    source: 'config',
  };
}

/** Every subscription the configuration defines: the full list, then the bare --webhook-url ones. */
export function webhooksFromConfig(options: {
  subscriptions: readonly unknown[];
  urls: readonly string[];
  allowHttpHosts: readonly string[];
}): WebhookSubscription[] {
  const all = [
    ...options.subscriptions.map((spec, i) =>
      parseWebhookSpec(spec, options.allowHttpHosts, `webhooks.subscriptions[${i}]`),
    ),
    ...options.urls.map((url) => parseWebhookSpec({ url }, options.allowHttpHosts, 'webhooks.urls')),
  ];
  const seen = new Set<string>();
  for (const subscription of all) {
    if (seen.has(subscription.id)) bad(`webhook id "${subscription.id}" is defined twice`);
    seen.add(subscription.id);
  }
  return all;
}

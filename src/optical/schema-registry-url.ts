/**
 * Where `serve` may fetch Confluent writer schemas from (optical.kafka.schemaRegistryUrl): the
 * configured registry's one host. Checked when the configuration is read, so that `serve` refuses
 * a bad URL at once (CONFIG_INVALID, exit 2). Kept apart from schema-registry.ts, which loads
 * avsc, as config.ts imports it on every start.
 */
import { CoincideError } from '../errors.ts';

/** Hosts a schema registry may be reached over plain http: this machine only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The registry URL `serve` may fetch schemas from (optical.kafka.schemaRegistryUrl), or
 * CONFIG_INVALID saying why not: https, or plain http to this machine only (a local registry,
 * tests); no credentials in the URL (they would be logged). The registry's answers are confined
 * to this one host: HttpSchemaRegistry follows no redirect.
 */
export function checkSchemaRegistryUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CoincideError('CONFIG_INVALID', `schema registry URL ${JSON.stringify(url)} is not a URL`, {
      cause: error,
    });
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(host)))) {
    throw new CoincideError(
      'CONFIG_INVALID',
      `schema registry URL ${url}: https only (plain http only to 127.0.0.1, ::1 or localhost)`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw new CoincideError('CONFIG_INVALID', 'schema registry URL: credentials in the URL are not allowed');
  return parsed;
}

/**
 * Which sky-map URLs may be fetched (issue 12: a VTP author names the URL, so the service must
 * not become a way to reach arbitrary hosts):
 *   - https only (plain http only with `allowHttp`);
 *   - the host must be on `allowedHosts` (exact, case-insensitive; "*.example.org" for every
 *     subdomain); default DEFAULT_SKYMAP_HOSTS;
 *   - the addresses the host resolves to must be public, unless `allowPrivateAddresses`
 *     (checked where the connection is made: src/sky/guarded-fetch.ts, after DNS resolution).
 * Serving maps from a loopback test server therefore takes all three: an allow-list entry
 * ("127.0.0.1"), allowHttp, and allowPrivateAddresses. Nothing of it is on by default.
 */
import { CoincideError } from '../errors.ts';

/** GraceDB (production, playground, test) and the GCN / HEASARC hosts that serve GRB maps. */
export const DEFAULT_SKYMAP_HOSTS: readonly string[] = [
  'gracedb.ligo.org',
  'gracedb-playground.ligo.org',
  'gracedb-test.ligo.org',
  'gcn.nasa.gov',
  'gcn.gsfc.nasa.gov',
  'heasarc.gsfc.nasa.gov',
];

export interface SkyMapUrlPolicy {
  /** Hosts maps may come from; default DEFAULT_SKYMAP_HOSTS. */
  allowedHosts?: readonly string[];
  /** Accept plain http: URLs (local mirrors, tests); https: only by default. */
  allowHttp?: boolean;
  /** Connect to loopback, link-local and private addresses (tests, local mirrors); refused by default. */
  allowPrivateAddresses?: boolean;
}

function refused(url: string, message: string): CoincideError {
  return new CoincideError('FETCH_FAILED', `${url}: ${message}`, { retriable: false });
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e.startsWith('*.') ? host.endsWith(e.slice(1)) : host === e;
  });
}

/** The parsed URL when the policy allows fetching it; throws FETCH_FAILED (not retriable) otherwise. */
export function checkSkyMapUrl(url: string, policy: SkyMapUrlPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CoincideError('FETCH_FAILED', `${url}: not a URL`, { cause: error });
  }
  if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && policy.allowHttp === true))) {
    throw refused(url, `protocol ${parsed.protocol} is not allowed`);
  }
  if (parsed.username !== '' || parsed.password !== '')
    throw refused(url, 'credentials in the URL are not allowed');
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!hostAllowed(host, policy.allowedHosts ?? DEFAULT_SKYMAP_HOSTS)) {
    throw refused(url, `host ${host} is not on the sky-map host allow-list`);
  }
  return parsed;
}

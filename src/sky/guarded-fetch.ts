/**
 * The sky-map downloader's HTTP client: a GET that resolves the host itself and refuses, before
 * any connection is made, a host that resolves to a loopback, link-local or private address
 * (sky/address-class.ts), unless `allowPrivateAddresses`. The check runs in the socket's own
 * `lookup`, so the address checked is the address connected to (no DNS rebinding window).
 * Redirects are not followed here: the caller checks each Location against its URL policy
 * (sky/url-policy.ts) and asks again.
 *
 * Written on node:http/https rather than the global fetch because fetch has no per-request DNS
 * hook without an extra dependency (undici's Agent), and this is the only place that needs one.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { CoincideError } from '../errors.ts';
import { isNonPublicAddress } from './address-class.ts';

export type SkyMapHttpGet = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

function privateRefused(url: string, address: string): CoincideError {
  return new CoincideError(
    'FETCH_FAILED',
    `${url}: the host resolves to ${address}, a loopback, link-local or private address (refused unless allowed)`,
    { retriable: false },
  );
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
  }
  const status = res.statusCode ?? 502;
  const noBody = status === 204 || status === 304 || (status >= 300 && status < 400);
  if (noBody) res.resume();
  return new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
    status,
    headers,
  });
}

export function createGuardedGet(options: { allowPrivateAddresses: boolean }): SkyMapHttpGet {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const parsed = new URL(url);
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      // An address in the URL is connected to without a lookup: check it here.
      if (isIP(host) !== 0 && !options.allowPrivateAddresses && isNonPublicAddress(host)) {
        reject(privateRefused(url, host));
        return;
      }
      const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
        dnsLookup(
          hostname,
          { all: true, family: lookupOptions.family ?? 0 },
          (error, addresses: LookupAddress[]) => {
            if (error) {
              callback(error, '', 0);
              return;
            }
            const bad = options.allowPrivateAddresses
              ? undefined
              : addresses.find((a) => isNonPublicAddress(a.address));
            const first = addresses[0];
            if (bad || !first) {
              callback(bad ? privateRefused(url, bad.address) : new Error(`${hostname}: no address`), '', 0);
              return;
            }
            if (lookupOptions.all)
              (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
            else callback(null, first.address, first.family);
          },
        );
      };
      const request = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(
        parsed,
        { method: 'GET', lookup, signal: init.signal, headers: { accept: '*/*', 'user-agent': 'coincide' } },
        (res) => {
          resolve(toResponse(res));
        },
      );
      request.on('error', reject);
      request.end();
    });
}

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isCoincideError } from '../../src/errors.ts';
import { isNonPublicAddress } from '../../src/sky/address-class.ts';
import { loadSkyMapFromUrl } from '../../src/sky/skymap-fetch.ts';
import { checkSkyMapUrl, DEFAULT_SKYMAP_HOSTS } from '../../src/sky/url-policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-url-policy-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const refusedCode = (e: unknown): boolean => isCoincideError(e) && e.code === 'FETCH_FAILED' && !e.retriable;

describe('sky-map URL policy', () => {
  it('allows https on the default hosts only', () => {
    for (const host of DEFAULT_SKYMAP_HOSTS) checkSkyMapUrl(`https://${host}/x.fits`, {});
    checkSkyMapUrl('https://GRACEDB.ligo.org/api/superevents/S1/files/bayestar.multiorder.fits,0', {});
    for (const url of [
      'http://gracedb.ligo.org/x.fits',
      'ftp://gracedb.ligo.org/x.fits',
      'file:///etc/passwd',
      'https://127.0.0.1/x.fits',
      'https://[::1]/x.fits',
      'https://169.254.169.254/latest/meta-data',
      'https://gracedb.ligo.org.evil.example/x.fits',
      'https://user:pw@gracedb.ligo.org/x.fits',
      'not a url',
    ]) {
      assert.throws(
        () => checkSkyMapUrl(url, {}),
        (e) => isCoincideError(e) && e.code === 'FETCH_FAILED',
        url,
      );
    }
  });

  it('takes *.domain entries and plain http only when configured', () => {
    checkSkyMapUrl('https://maps.example.org/x.fits', { allowedHosts: ['*.example.org'] });
    assert.throws(() => checkSkyMapUrl('https://example.org/x.fits', { allowedHosts: ['*.example.org'] }));
    checkSkyMapUrl('http://mirror.local/x.fits', { allowedHosts: ['mirror.local'], allowHttp: true });
  });

  it('classes loopback, link-local, private and reserved addresses as non-public', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '[::1]',
      'nonsense',
    ])
      assert.ok(isNonPublicAddress(a), a);
    for (const a of ['8.8.8.8', '131.215.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])
      assert.ok(!isNonPublicAddress(a), a);
  });

  it('refuses a host that resolves to loopback before connecting, redirects included', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.end('HTTP/1.1 302 Found\r\nLocation: http://localhost:1/x.fits\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await assert.rejects(
        loadSkyMapFromUrl(`http://localhost:${port}/x.fits`, {
          cacheDir: join(dir, 'a'),
          allowedHosts: ['localhost'],
          allowHttp: true,
        }),
        (e) => refusedCode(e) && /loopback, link-local or private/.test((e as Error).message),
      );
      assert.equal(connections, 0);
      // With private addresses allowed, the redirect to a host off the allow-list is refused.
      await assert.rejects(
        loadSkyMapFromUrl(`http://127.0.0.1:${port}/x.fits`, {
          cacheDir: join(dir, 'b'),
          allowedHosts: ['127.0.0.1'],
          allowHttp: true,
          allowPrivateAddresses: true,
        }),
        (e) =>
          refusedCode(e) && /host localhost is not on the sky-map host allow-list/.test((e as Error).message),
      );
      assert.equal(connections, 1);
    } finally {
      server.close();
    }
  });
});

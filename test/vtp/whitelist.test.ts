import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALLOW_ALL, createWhitelist } from '../../src/vtp/whitelist.ts';

describe('CIDR whitelist', () => {
  it('denies everyone when empty', () => {
    assert.equal(createWhitelist([]).allows('127.0.0.1'), false);
    assert.equal(createWhitelist([]).allows('::1'), false);
  });

  it('matches IPv4 CIDR exactly: 127.0.0.1/32 denies 127.0.0.2', () => {
    const list = createWhitelist(['127.0.0.1/32']);
    assert.equal(list.allows('127.0.0.1'), true);
    assert.equal(list.allows('127.0.0.2'), false);
  });

  it('accepts netmask notation and host bits set, like ip_network(strict=False)', () => {
    assert.equal(createWhitelist(['10.0.0.0/255.0.0.0']).allows('10.200.1.1'), true);
    assert.equal(createWhitelist(['10.0.0.1/8']).allows('10.9.9.9'), true);
    assert.equal(createWhitelist(['10.0.0.1/8']).allows('11.0.0.1'), false);
  });

  it('matches IPv6 networks and checks IPv4-mapped IPv6 peers as IPv4', () => {
    const list = createWhitelist(['2001:db8::/32', '192.168.0.0/16']);
    assert.equal(list.allows('2001:db8:1::5'), true);
    assert.equal(list.allows('2001:db9::5'), false);
    assert.equal(list.allows('::ffff:192.168.3.4'), true);
    assert.equal(createWhitelist(['0.0.0.0/0']).allows('::1'), false, 'Comet default refuses IPv6');
    assert.equal(createWhitelist(ALLOW_ALL).allows('::1'), true);
  });

  it('refuses a malformed entry with CONFIG_INVALID', () => {
    assert.throws(() => createWhitelist(['10.0.0.0/33']), { code: 'CONFIG_INVALID' });
    assert.throws(() => createWhitelist(['example.org']), { code: 'CONFIG_INVALID' });
  });
});

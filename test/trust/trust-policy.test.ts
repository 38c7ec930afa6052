import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCoincideError } from '../../src/errors.ts';
import { eventSource } from '../../src/trust/event-source.ts';
import { parseSourcePattern } from '../../src/trust/source-pattern.ts';
import { createTrustPolicy } from '../../src/trust/trust-policy.ts';

describe('event sources', () => {
  it('names each input as trust rules see it', () => {
    assert.deepEqual(eventSource('vtp-receiver', '10.1.2.3:5555'), {
      input: 'vtp-receiver',
      peer: '10.1.2.3:5555',
      address: '10.1.2.3',
      name: '10.1.2.3',
    });
    assert.equal(eventSource('vtp-receiver', '[::1]:5555').address, '::1');
    assert.equal(
      eventSource('vtp-subscriber', 'voevent.gcn.nasa.gov:8099').name,
      'upstream:voevent.gcn.nasa.gov:8099',
    );
    assert.equal(
      eventSource('gcn-kafka', 'gcn.classic.voevent.FERMI_GBM_GND_POS').name,
      'gcn:gcn.classic.voevent.FERMI_GBM_GND_POS',
    );
    assert.equal(eventSource('replay', 'night.tar.bz2').name, 'replay:night.tar.bz2');
  });

  it('matches CIDRs against authors only, names against the other inputs only', () => {
    const cidr = parseSourcePattern('10.0.0.0/8');
    assert.ok(cidr.matches(eventSource('vtp-receiver', '10.9.9.9:1')));
    assert.ok(cidr.matches(eventSource('vtp-receiver', '::ffff:10.9.9.9:1')));
    assert.ok(!cidr.matches(eventSource('vtp-receiver', '11.0.0.1:1')));
    assert.ok(!cidr.matches(eventSource('vtp-subscriber', '10.9.9.9:8099')));
    const gcn = parseSourcePattern('gcn:gcn.classic.voevent.*');
    assert.ok(gcn.matches(eventSource('gcn-kafka', 'gcn.classic.voevent.LVC_PRELIMINARY')));
    assert.ok(!gcn.matches(eventSource('gcn-kafka', 'gcn.notices.icecube.lvk_nu_track_search')));
    const upstream = parseSourcePattern('upstream:a.example:8099');
    assert.ok(upstream.matches(eventSource('vtp-subscriber', 'a.example:8099')));
    assert.ok(!upstream.matches(eventSource('vtp-subscriber', 'a.example:80990')));
  });

  it('refuses malformed patterns with CONFIG_INVALID', () => {
    for (const bad of ['nonsense', 'gcn:', ':x', '10.0.0.0/33']) {
      assert.throws(
        () => parseSourcePattern(bad),
        (e) => isCoincideError(e) && e.code === 'CONFIG_INVALID',
        bad,
      );
    }
    assert.throws(
      () => createTrustPolicy({ authorityRules: ['gwnet'] }),
      (e) => isCoincideError(e) && e.code === 'CONFIG_INVALID',
    );
  });
});

describe('trust policy', () => {
  it('by default trusts loopback authors, subscriptions, GCN and replay, and nobody else', () => {
    const policy = createTrustPolicy();
    const ivorn = 'ivo://nasa.gsfc.gcn/Fermi#x';
    assert.deepEqual(policy.judge(ivorn, 'vtp-receiver', '127.0.0.1:1'), { accepted: true, trusted: true });
    assert.deepEqual(policy.judge(ivorn, 'vtp-receiver', '[::1]:1'), { accepted: true, trusted: true });
    assert.deepEqual(policy.judge(ivorn, 'vtp-subscriber', 'h:8099'), { accepted: true, trusted: true });
    assert.deepEqual(policy.judge(ivorn, 'gcn-kafka', 'gcn.classic.voevent.X'), {
      accepted: true,
      trusted: true,
    });
    assert.deepEqual(policy.judge(ivorn, 'replay', 'f.xml'), { accepted: true, trusted: true });
    assert.deepEqual(policy.judge(ivorn, 'vtp-receiver', '192.0.2.7:1'), { accepted: true, trusted: false });
  });

  it("accepts a protected authority only from its rules' sources, with a reason otherwise", () => {
    const policy = createTrustPolicy({
      trustedSources: ['127.0.0.1'],
      authorityRules: [
        'gwnet@gcn:gcn.classic.voevent.LVC_*',
        'gwnet@192.0.2.0/24',
        '*.gsfc.gcn@upstream:gcn:8099',
      ],
    });
    assert.deepEqual(policy.judge('ivo://gwnet/LVC#S1', 'gcn-kafka', 'gcn.classic.voevent.LVC_INITIAL'), {
      accepted: true,
      trusted: true,
    });
    assert.deepEqual(policy.judge('ivo://GWNET/LVC#S1', 'vtp-receiver', '192.0.2.9:4'), {
      accepted: true,
      trusted: true,
    });
    assert.deepEqual(policy.judge('ivo://gwnet/LVC#S1', 'vtp-receiver', '127.0.0.1:4'), {
      accepted: false,
      reason: 'ivorn authority gwnet is not accepted from 127.0.0.1',
    });
    assert.deepEqual(policy.judge('ivo://nasa.gsfc.gcn/SWIFT#1', 'vtp-subscriber', 'other:8099'), {
      accepted: false,
      reason: 'ivorn authority nasa.gsfc.gcn is not accepted from upstream:other:8099',
    });
    // An unprotected authority: trusted by the trusted sources only.
    assert.deepEqual(policy.judge('ivo://org.svom/fsc#1', 'vtp-receiver', '127.0.0.1:4'), {
      accepted: true,
      trusted: true,
    });
    assert.deepEqual(policy.judge('ivo://org.svom/fsc#1', 'gcn-kafka', 'gcn.x'), {
      accepted: true,
      trusted: false,
    });
  });
});

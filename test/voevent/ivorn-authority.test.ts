import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorityMatches, ivornAuthority, ivornHasAuthority } from '../../src/voevent/ivorn-authority.ts';

describe('ivornAuthority', () => {
  it('takes the authority of real ivorns, lowercased', () => {
    assert.equal(ivornAuthority('ivo://gwnet/LVC#S190425z-1-Preliminary'), 'gwnet');
    assert.equal(ivornAuthority('ivo://nasa.gsfc.gcn/Fermi#GBM_Fin_Pos_2019'), 'nasa.gsfc.gcn');
    assert.equal(ivornAuthority('IVO://NASA.GSFC.GCN/SWIFT#BAT'), 'nasa.gsfc.gcn');
    assert.equal(ivornAuthority('ivo://svom.bao.ac.cn#x'), 'svom.bao.ac.cn');
    assert.equal(ivornAuthority('ivo://voevent.phys.soton.ac.uk?x'), 'voevent.phys.soton.ac.uk');
    assert.equal(ivornAuthority('ivo://coincide.local'), 'coincide.local');
  });

  it('is undefined for what is not an ivo:// identifier with an authority', () => {
    assert.equal(ivornAuthority(''), undefined);
    assert.equal(ivornAuthority('ivo://'), undefined);
    assert.equal(ivornAuthority('ivo:///LVC#x'), undefined);
    assert.equal(ivornAuthority('http://gwnet/LVC#x'), undefined);
    assert.equal(ivornAuthority('gwnet/LVC'), undefined);
  });
});

describe('authorityMatches', () => {
  it('matches exactly, case-insensitively', () => {
    assert.ok(authorityMatches('gwnet', 'GWNET'));
    assert.ok(!authorityMatches('gwnet2', 'gwnet'));
    assert.ok(!authorityMatches('evil.gwnet', 'gwnet'));
  });

  it('matches *.suffix on subdomains only', () => {
    assert.ok(authorityMatches('nasa.gsfc.gcn', '*.gsfc.gcn'));
    assert.ok(!authorityMatches('gsfc.gcn', '*.gsfc.gcn'));
    assert.ok(!authorityMatches('nasa.gsfc.gcn.evil', '*.gsfc.gcn'));
  });

  it('ivornHasAuthority checks an ivorn against a list', () => {
    assert.ok(ivornHasAuthority('ivo://gwnet/LVC#S1', ['nasa.gsfc.gcn', 'gwnet']));
    assert.ok(!ivornHasAuthority('ivo://gwnetx/LVC#S1', ['gwnet']));
    assert.ok(!ivornHasAuthority('not-an-ivorn', ['gwnet']));
  });
});

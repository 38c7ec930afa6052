import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { matchesFilters, parseStreamFilters } from '../../src/sinks/websocket-filter.ts';
import { makeCoincidence, makeNotice, makeTriple } from '../http/records.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof CoincideError ? error.code : 'other';
  }
  return undefined;
};

describe('stream filters', () => {
  it('passes everything when no criterion is set', () => {
    assert.ok(matchesFilters('notice', makeNotice(), {}));
    assert.ok(matchesFilters('coincidence', makeCoincidence(), {}));
  });

  it('matches messenger, observatory and notice type case-insensitively, on either side of a pair', () => {
    const f = parseStreamFilters({ messengers: ['OPTICAL'], observatories: ['lsst', 'ztf'] });
    assert.ok(matchesFilters('coincidence', makeCoincidence(), f));
    assert.ok(!matchesFilters('notice', makeNotice(), f));
    assert.ok(
      matchesFilters('notice', makeNotice(), parseStreamFilters({ noticeTypes: ['fermi_gbm_gnd_pos'] })),
    );
  });

  it('matches any trigger of a triple, and filters by pair type', () => {
    const triple = makeTriple();
    // The triple's trigger is the GW; its partner the Fermi GRB.
    assert.ok(matchesFilters('coincidence', triple, parseStreamFilters({ messengers: ['gamma'] })));
    assert.ok(matchesFilters('coincidence', triple, parseStreamFilters({ observatories: ['fermi'] })));
    assert.ok(
      matchesFilters('coincidence', triple, parseStreamFilters({ noticeTypes: ['fermi_gbm_gnd_pos'] })),
    );
    const triples = parseStreamFilters({ pairTypes: ['MM-MM-OPTICAL'] });
    assert.ok(matchesFilters('coincidence', triple, triples));
    assert.ok(matchesFilters('withdrawn', makeTriple({ status: 'withdrawn' }), triples));
    assert.ok(!matchesFilters('coincidence', makeCoincidence(), triples));
    assert.ok(matchesFilters('notice', makeNotice(), triples));
    assert.equal(
      codeOf(() => parseStreamFilters({ pairTypes: ['quadruple'] })),
      'BAD_REQUEST',
    );
  });

  it('applies tiers and maximum pChance to coincidences only', () => {
    const f = parseStreamFilters({ tiers: ['gold'], maxPChance: 0.01 });
    assert.ok(matchesFilters('notice', makeNotice(), f));
    assert.ok(matchesFilters('coincidence', makeCoincidence({ tier: 'gold', pChance: 0.01 }), f));
    assert.ok(!matchesFilters('coincidence', makeCoincidence({ tier: 'gold', pChance: 0.02 }), f));
    assert.ok(!matchesFilters('withdrawn', makeCoincidence({ tier: null, pChance: 0 }), f));
  });

  it('tests a cone against the optical candidate, and against a notice localisation that may overlap it', () => {
    const cone = parseStreamFilters({ region: { raDeg: 150, decDeg: 2, radiusDeg: 0.5 } });
    assert.ok(matchesFilters('coincidence', makeCoincidence(), cone)); // candidate at (150.3, 2.1)
    const far = parseStreamFilters({ region: { raDeg: 10, decDeg: -60, radiusDeg: 1 } });
    assert.ok(!matchesFilters('coincidence', makeCoincidence(), far));
    assert.ok(!matchesFilters('notice', makeNotice(), far));
    // A 3.5 deg circle centred 4 deg from a 1 deg cone may overlap it.
    assert.ok(
      matchesFilters(
        'notice',
        makeNotice(),
        parseStreamFilters({ region: { raDeg: 154.1, decDeg: 2.2, radiusDeg: 1 } }),
      ),
    );
    // A sky map without a centre cannot be excluded.
    assert.ok(
      matchesFilters(
        'notice',
        makeNotice({ region: { type: 'skymap', url: 'https://example.org/map.fits' } }),
        far,
      ),
    );
  });

  it('wraps right ascension across 0/360 degrees', () => {
    const cone = parseStreamFilters({ region: { raDeg: 359.9, decDeg: 2.1, radiusDeg: 1 } });
    const c = makeCoincidence();
    c.counterpart = { ...(c.counterpart as object), raDeg: 0.2, decDeg: 2.1 } as typeof c.counterpart;
    assert.ok(matchesFilters('coincidence', c, cone));
  });

  it('refuses malformed filters with BAD_REQUEST', () => {
    assert.equal(
      codeOf(() => parseStreamFilters({ colour: ['red'] })),
      'BAD_REQUEST',
    );
    assert.equal(
      codeOf(() => parseStreamFilters({ types: ['alert'] })),
      'BAD_REQUEST',
    );
    assert.equal(
      codeOf(() => parseStreamFilters({ maxPChance: 2 })),
      'BAD_REQUEST',
    );
    assert.equal(
      codeOf(() => parseStreamFilters({ region: { raDeg: 400, decDeg: 0, radiusDeg: 1 } })),
      'BAD_REQUEST',
    );
    assert.equal(
      codeOf(() => parseStreamFilters([])),
      'BAD_REQUEST',
    );
  });
});

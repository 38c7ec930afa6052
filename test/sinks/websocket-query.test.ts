import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStreamQuery } from '../../src/sinks/websocket-query.ts';

const parse = (query: string): ReturnType<typeof parseStreamQuery> =>
  parseStreamQuery(new URLSearchParams(query));

describe('parseStreamQuery', () => {
  it('reads since and every filter, singular or plural, comma-separated or repeated', () => {
    assert.deepEqual(parse('since=120&messenger=gw,gamma&tier=gold&tiers=silver&token=x'), {
      since: 120,
      filters: { messengers: ['gw', 'gamma'], tiers: ['gold', 'silver'] },
    });
    assert.deepEqual(
      parse('type=coincidence&observatory=LVK&role=observation&noticeType=LVK_PRELIMINARY&maxPChance=0.01'),
      {
        filters: {
          types: ['coincidence'],
          observatories: ['lvk'],
          roles: ['observation'],
          noticeTypes: ['lvk_preliminary'],
          maxPChance: 0.01,
        },
      },
    );
    assert.deepEqual(parse('region=197.45,-23.38,10'), {
      filters: { region: { raDeg: 197.45, decDeg: -23.38, radiusDeg: 10 } },
    });
    assert.deepEqual(parse(''), { filters: {} });
  });

  it('refuses unknown parameters and values with a message naming them', () => {
    assert.throws(() => parse('tier=platinum'), /unknown tier "platinum" \(one of gold, silver, bronze\)/);
    assert.throws(() => parse('messenger=gravity'), /unknown messenger "gravity"/);
    assert.throws(() => parse('role=bogus'), /unknown role "bogus"/);
    assert.throws(() => parse('type=alerts'), /unknown message type "alerts"/);
    assert.throws(() => parse('colour=red'), /unknown parameter "colour"/);
    assert.throws(() => parse('since=-1'), /since must be an integer seq >= 0/);
    assert.throws(() => parse('since=abc'), /since must be an integer/);
    assert.throws(() => parse('region=1,2'), /region must be RA,DEC,RADIUS/);
    assert.throws(() => parse('region=1,2,x'), /region must be a number/);
    assert.throws(() => parse('maxPChance=2'), /maxPChance/);
    assert.throws(() => parse('tier=gold,'), /tier has an empty value/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Notice } from '../../../src/notices/notice.ts';
import { parseNoticeDocument } from '../../../src/notices/parse-notice.ts';
import { NOTICE_SCHEMA_V1, NOTICE_SCHEMAS } from '../../../src/sinks/avro/notice-avro.ts';
import { decodeValue, encodeValue, HEADER_FINGERPRINT } from '../../../src/sinks/avro/versioned-schema.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../../helpers/shared.ts';

/** Every sample under ../shared that normalises into a Notice. */
function realNotices(): Notice[] {
  const files = [
    ...listFiles(`${SAMPLES_DIR}/voevent`, ['.xml']),
    ...listFiles(`${SAMPLES_DIR}/gcn-json`, ['.json', '.txt']),
  ];
  const notices: Notice[] = [];
  for (const file of files) {
    try {
      notices.push(parseNoticeDocument(readFileSync(file)));
    } catch {
      // not a notice (schemas, circulars, malformed samples): not this test's subject
    }
  }
  return notices;
}

const roundTrip = (notice: Notice, format: 'avro' | 'json' = 'avro'): Notice => {
  const encoded = encodeValue(NOTICE_SCHEMA_V1, notice, format);
  return decodeValue(NOTICE_SCHEMAS, encoded.value, encoded.headers);
};

const minimal: Notice = {
  ivorn: 'ivo://test.coincide/min#1',
  role: 'test',
  messenger: 'other',
  observatory: 'Test',
  instrument: 'T',
  noticeType: 'Test',
  triggerId: 'Test:1',
  alertType: 'initial',
  triggerTime: '2026-01-01T00:00:00.000Z',
  triggerTimeMjd: 61041,
  region: { type: 'none' },
  params: {},
  citations: [],
  source: { format: 'voevent', sha256: 'a'.repeat(64) },
};

describe('Notice Avro schema v1', () => {
  test('rebuilds every real notice from the samples exactly', { skip: skipUnlessShared() }, () => {
    const notices = realNotices();
    assert.ok(notices.length >= 100, `only ${notices.length} sample notices normalised`);
    const kinds = new Set(notices.map((n) => n.region.type));
    for (const kind of ['circle', 'skymap', 'none'])
      assert.ok(kinds.has(kind as Notice['region']['type']), kind);
    for (const notice of notices) assert.deepStrictEqual(roundTrip(notice), notice, notice.ivorn);
    // JSON carries the Notice's JSON contract: the same, except that JSON writes -0 as 0.
    for (const notice of notices) {
      assert.deepStrictEqual(roundTrip(notice, 'json'), JSON.parse(JSON.stringify(notice)), notice.ivorn);
    }
  });

  test('keeps absent optional fields absent and present ones present, params of every type included', () => {
    assert.deepStrictEqual(roundTrip(minimal), minimal);
    assert.equal('eventName' in roundTrip(minimal), false);
    const full: Notice = {
      ...minimal,
      eventName: 'S260101a',
      revision: 3,
      issuedTime: '2026-01-01T00:05:00.000Z',
      region: { type: 'skymap', url: 'https://example.org/map.fits', raDeg: 10, decDeg: -5 },
      farHz: 1e-9,
      pAstro: 0.97,
      classification: 'BNS',
      classificationProbabilities: { BNS: 0.9, Terrestrial: 0.1 },
      hasNs: 1,
      hasRemnant: 0.5,
      hasMassGap: 0,
      significant: false,
      energyTeV: 0.3,
      mock: true,
      flags: ['test-submission'],
      params: Object.fromEntries([
        ['s', 'text'],
        ['i', 42],
        ['f', -0.5],
        ['z', -0],
        ['t', true],
        ['n', null],
        ['empty', ''],
        ['__proto__', 'a param with an awkward name'],
      ]) as Record<string, string | number | boolean | null>,
      citations: [{ ivorn: 'ivo://x/y#1', cite: 'supersedes' }],
    };
    assert.deepStrictEqual(roundTrip(full), full);
    const circle: Notice = {
      ...minimal,
      region: {
        type: 'circle',
        raDeg: 1,
        decDeg: 2,
        radiusDeg: 0.1,
        containment: 0.9,
        systematicIncluded: false,
      },
    };
    assert.deepStrictEqual(roundTrip(circle), circle);
    const ellipse: Notice = {
      ...minimal,
      region: {
        type: 'ellipse',
        raDeg: 1,
        decDeg: 2,
        semiMajorDeg: 3,
        semiMinorDeg: 1,
        posAngleDeg: 45,
        containment: 0.5,
      },
    };
    assert.deepStrictEqual(roundTrip(ellipse), ellipse);
  });

  test('round-trips any params map of strings, numbers, booleans and nulls', () => {
    const value = fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true }), fc.string());
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), (generated) => {
        const params = Object.fromEntries(Object.entries(generated));
        const notice = { ...minimal, params };
        assert.deepStrictEqual(roundTrip(notice), notice);
      }),
      { numRuns: 200 },
    );
  });

  test('publishes a SHA-256 fingerprint of the canonical schema, and refuses unknown fingerprints and garbage', () => {
    const encoded = encodeValue(NOTICE_SCHEMA_V1, minimal, 'avro');
    assert.match(encoded.headers[HEADER_FINGERPRINT] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(
      encoded.headers[HEADER_FINGERPRINT],
      `sha256:${NOTICE_SCHEMA_V1.type.fingerprint('sha256').toString('hex')}`,
    );
    assert.equal(NOTICE_SCHEMA_V1.id, 'coincide.v1.Notice/1');
    assert.throws(
      () =>
        decodeValue(NOTICE_SCHEMAS, encoded.value, { ...encoded.headers, [HEADER_FINGERPRINT]: 'sha256:00' }),
      {
        code: 'AVRO_UNKNOWN_SCHEMA',
      },
    );
    assert.throws(() => decodeValue(NOTICE_SCHEMAS, encoded.value.subarray(0, 10), encoded.headers), {
      code: 'AVRO_MALFORMED',
    });
    assert.throws(
      () => encodeValue(NOTICE_SCHEMA_V1, { ...minimal, role: 'nonsense' } as unknown as Notice, 'avro'),
      {
        code: 'AVRO_MALFORMED',
      },
    );
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoincideError } from '../../src/errors.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'notices');

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

function refusalCode(input: Uint8Array | string): string {
  try {
    parseNoticeDocument(input);
  } catch (error) {
    assert.ok(error instanceof CoincideError, `not a CoincideError: ${String(error)}`);
    assert.ok(!error.message.includes('\n'));
    return error.code;
  }
  return 'parsed';
}

describe('parseNoticeDocument', () => {
  it('parses a VOEvent and records the SHA-256 of the exact input bytes', () => {
    const bytes = fixture('gbm-flt-pos.xml');
    const n = parseNoticeDocument(bytes);
    assert.equal(n.source.format, 'voevent');
    assert.equal(n.source.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(n.triggerId, 'Fermi:725857450');
    assert.equal(n.triggerTime, '2024-01-02T03:04:05.670Z');
    assert.equal(n.revision, 47);
    assert.equal(n.issuedTime, '2024-01-02T03:04:20.000Z', 'Who/Date, read as UTC');
    assert.deepEqual(
      parseNoticeDocument(bytes.toString('utf8')),
      n,
      'a string gives the same Notice as its UTF-8 bytes',
    );
  });

  it('accepts a UTF-8 byte-order mark and leading whitespace', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('\n  '),
      fixture('lvk-preliminary.json'),
    ]);
    assert.equal(parseNoticeDocument(bytes).triggerId, 'LVK:S240102x');
  });

  it('parses an LVK JSON alert: BBH, not significant, FAR in Hz, embedded map reference', () => {
    const n = parseNoticeDocument(fixture('lvk-preliminary.json'));
    assert.equal(n.source.format, 'gcn-json');
    assert.equal(n.alertType, 'preliminary');
    assert.equal(n.classification, 'BBH');
    assert.equal(n.significant, false);
    assert.equal(n.farHz, 1.5e-8);
    assert.ok(Math.abs(n.pAstro! - 0.61) < 1e-12);
    assert.equal(n.triggerTime, '2024-01-02T03:04:05.678Z');
    assert.equal(n.issuedTime, '2024-01-02T03:10:00.000Z', 'time_created');
    assert.match(n.region.type === 'skymap' ? n.region.url : '', /^embedded:sha256:[0-9a-f]{64}$/);
  });

  it('refuses malformed inputs with stable codes', () => {
    assert.equal(refusalCode(fixture('empty.xml')), 'INPUT_EMPTY');
    assert.equal(refusalCode('  \n\t'), 'INPUT_EMPTY');
    assert.equal(refusalCode(fixture('truncated.xml')), 'XML_MALFORMED');
    assert.equal(refusalCode(fixture('not-xml.txt')), 'NOTICE_UNKNOWN_FORMAT');
    assert.equal(refusalCode(fixture('wrong-namespace.xml')), 'VOEVENT_BAD_NAMESPACE');
    assert.equal(refusalCode(fixture('missing-wherewhen.xml')), 'NOTICE_BAD_VALUE');
    assert.equal(refusalCode(fixture('nan-coordinates.xml')), 'VOEVENT_BAD_VALUE');
    assert.equal(refusalCode(fixture('out-of-range-dec.xml')), 'VOEVENT_BAD_VALUE');
    assert.equal(refusalCode(fixture('billion-laughs.xml')), 'XML_DTD_FORBIDDEN');
    assert.equal(refusalCode(fixture('truncated.json')), 'JSON_MALFORMED');
  });

  it('refuses binary input', () => {
    assert.equal(
      refusalCode(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0xff, 0xfe])),
      'INPUT_BINARY',
    );
    assert.equal(refusalCode(new Uint8Array([0x4f, 0x62, 0x6a, 0x02, 0x00, 0x02])), 'INPUT_BINARY');
    assert.equal(
      refusalCode(new Uint8Array([0x4f, 0x62, 0x6a, 0x01, 0x00, 0x02])),
      'AVRO_MALFORMED',
      'a broken Avro container',
    );
    assert.equal(refusalCode(Buffer.from('{"a": "\u0000"}')), 'INPUT_BINARY');
  });

  it('refuses JSON notices with out-of-range values', () => {
    const base = {
      $schema: 'https://gcn.nasa.gov/schema/main/gcn/notices/einstein_probe/wxt/alert.schema.json',
      instrument: 'WXT',
      trigger_time: '2024-03-01T21:46:05.13Z',
      id: ['1'],
    };
    assert.equal(
      refusalCode(JSON.stringify({ ...base, ra: 400, dec: 0, ra_dec_error: 0.1 })),
      'NOTICE_BAD_VALUE',
    );
    // An error of −1 is GCN's "no localisation" placeholder: a time-only notice (issue 10).
    assert.deepEqual(
      parseNoticeDocument(JSON.stringify({ ...base, ra: 10, dec: 0, ra_dec_error: -1 })).region,
      { type: 'none' },
    );
    assert.equal(
      refusalCode(JSON.stringify({ ...base, ra: 10, dec: 0, ra_dec_error: 'big' })),
      'NOTICE_BAD_VALUE',
    );
    assert.equal(
      refusalCode(JSON.stringify({ ...base, trigger_time: '2024-02-31T00:00:00Z' })),
      'NOTICE_BAD_VALUE',
    );
    assert.equal(refusalCode(JSON.stringify({ ...base, trigger_time: undefined })), 'NOTICE_UNSUPPORTED');
  });

  it('refuses JSON that is not a notice', () => {
    assert.equal(refusalCode('[1, 2]'), 'NOTICE_UNSUPPORTED');
    assert.equal(refusalCode('{"hello": "world"}'), 'NOTICE_UNSUPPORTED');
    assert.equal(
      refusalCode('{"$schema": "https://json-schema.org/draft/2020-12/schema"}'),
      'NOTICE_UNSUPPORTED',
    );
    assert.equal(refusalCode('{"superevent_id": "S1", "t_0": 1}'), 'NOTICE_UNSUPPORTED');
    assert.equal(
      refusalCode('{"alert_datetime": "2024-06-01T00:00:00Z"}'),
      'NOTICE_UNSUPPORTED',
      'heartbeat',
    );
    assert.equal(refusalCode('{"circularId": 1, "subject": "GRB", "body": "text"}'), 'NOTICE_UNSUPPORTED');
  });
});

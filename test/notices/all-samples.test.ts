/**
 * Every XML, JSON and Avro file among the upstream samples (voevent/, gcn-json/) either becomes a
 * Notice or is refused with the expected code and a reason; nothing throws anything else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { isCoincideError } from '../../src/errors.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

/** The samples that are not notices, with the code they are refused with. */
const EXPECTED_REFUSALS: Readonly<Record<string, string>> = {
  'gcn-json/gcn-schema/circulars.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/boom/alert.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/core/Localization.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/core/Pointing.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/core/Reporter.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/core/Spectral.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/core/Statistics.example.json': 'NOTICE_UNSUPPORTED',
  'gcn-json/gcn-schema/notices/heasarc/archive_alert.example.json': 'NOTICE_UNSUPPORTED',
  // A GraceDB superevent record (JSON) saved under an .xml name.
  'voevent/other/MS220722v.xml': 'NOTICE_UNSUPPORTED',
  // Unbound namespace prefix.
  'voevent/other/Swift_unknown_fail.xml': 'XML_MALFORMED',
  // Comet's broker test event: no WhereWhen.
  'voevent/other/TestEvent-2018-05-29T17:38:06.xml': 'NOTICE_UNSUPPORTED',
  // https:// instead of http:// namespace.
  'voevent/other/adacs_Antares_1438351269.xml': 'VOEVENT_BAD_NAMESPACE',
  // LIGO_LW document with a DOCTYPE.
  'voevent/other/coinc.xml': 'XML_DTD_FORBIDDEN',
  // GCN control packet.
  'voevent/other/kill_socket.xml': 'NOTICE_UNSUPPORTED',
  // An XMPP message.
  'voevent/other/lvalert_xmpp.xml': 'VOEVENT_NOT_VOEVENT',
  // VOEvent 2.1 drafts.
  'voevent/other/voevent-ex1.xml': 'VOEVENT_BAD_NAMESPACE',
  'voevent/other/voevent-ex2.xml': 'VOEVENT_BAD_NAMESPACE',
};

describe('every upstream notice sample', { skip: skipUnlessShared() }, () => {
  const files = [
    ...listFiles(join(SAMPLES_DIR, 'voevent'), ['.xml']),
    ...listFiles(join(SAMPLES_DIR, 'gcn-json'), ['.json', '.txt', '.avro']),
  ];

  it('finds the sample set', () => {
    assert.ok(files.length > 200, `only ${files.length} samples found`);
  });

  it('parses into a Notice, or is refused with the expected code and a reason', () => {
    const outcomes: string[] = [];
    for (const file of files) {
      const name = relative(SAMPLES_DIR, file);
      const expected = EXPECTED_REFUSALS[name];
      try {
        const notice = parseNoticeDocument(readFileSync(file));
        if (expected !== undefined) outcomes.push(`${name}: parsed, expected ${expected}`);
        assert.match(notice.triggerTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, name);
        assert.ok(notice.triggerId.length > 0, name);
        assert.ok(Number.isFinite(notice.triggerTimeMjd), name);
        assert.match(notice.source.sha256, /^[0-9a-f]{64}$/, name);
      } catch (error) {
        if (!isCoincideError(error)) throw error;
        assert.ok(error.message.length > 10, `${name}: the refusal gives a reason`);
        assert.ok(!error.message.includes('\n'), `${name}: the reason is one line`);
        if (error.code !== expected)
          outcomes.push(`${name}: ${error.code} (${error.message}), expected ${expected ?? 'a Notice'}`);
      }
    }
    assert.deepEqual(outcomes, []);
  });

  it('gives every VOEvent notice its params by name and GCN notices a known type name', () => {
    const n = parseNoticeDocument(readFileSync(join(SAMPLES_DIR, 'voevent/grb/SWIFT_1125809-092.xml')));
    assert.equal(n.params.Packet_Type, 61);
    assert.equal(n.params['Solution_Status.GRB_Identified'], true);
    assert.equal(n.params.GRB_Identified, true);
  });
});

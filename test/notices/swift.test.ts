import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('Swift VOEvents', { skip: skipUnlessShared() }, () => {
  it('reads BAT_GRB_Pos_ACK as a 3-arcmin, 90 %, systematics-included circle with the GRB name', () => {
    const n = parseSample('voevent/grb/SWIFT_1125809-092.xml');
    assert.deepEqual(summary(n), {
      observatory: 'Swift',
      instrument: 'BAT',
      noticeType: 'SWIFT_BAT_GRB_POS_ACK',
      triggerId: 'Swift:1125809',
      alertType: 'initial',
      triggerTime: '2022-09-30T11:11:52.120Z',
      role: 'observation',
    });
    assertCircle(n.region, {
      raDeg: 64.7373,
      decDeg: 13.3517,
      radiusDeg: 0.05,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.equal(n.eventName, 'GRB 220930');
  });

  it('reads the XRT position of the same trigger as an X-ray update at its own observation time', () => {
    const n = parseSample('voevent/grb/SWIFT_1125809-104.xml');
    assert.deepEqual(summary(n), {
      observatory: 'Swift',
      instrument: 'XRT',
      noticeType: 'SWIFT_XRT_POSITION',
      triggerId: 'Swift:1125809',
      alertType: 'update',
      triggerTime: '2022-09-30T11:14:42.140Z',
      role: 'observation',
    });
    assert.equal(n.messenger, 'xray');
    assertCircle(n.region, {
      raDeg: 64.7149,
      decDeg: 13.35,
      radiusDeg: 0.0013,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.deepEqual(n.citations, [
      { ivorn: 'ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1125809-092', cite: 'followup' },
    ]);
  });

  it('pairs BAT_GRB_Pos 655721 with its XRT_Pos', () => {
    const bat = parseSample('voevent/grb/BAT_GRB_Pos_655721-214.xml');
    const xrt = parseSample('voevent/grb/XRT_Pos_655721-326.xml');
    assert.equal(bat.triggerId, 'Swift:655721');
    assert.equal(xrt.triggerId, 'Swift:655721');
    assertCircle(xrt.region, {
      raDeg: 319.6588,
      decDeg: -34.9131,
      radiusDeg: 0.001,
      containment: 0.9,
      systematicIncluded: true,
    });
  });

  it('flags a lost star-tracker lock', () => {
    const n = parseSample('voevent/grb/SWIFT_Lost_starlock.xml');
    assert.ok(n.flags?.includes('star-track-lost-lock'));
    assert.equal(n.alertType, 'initial');
  });

  it('makes the Scaledmap pointing direction and the radius-0 FOM notice time-only', () => {
    const scaled = parseSample('voevent/grb/BAT_Scaledmap_1193078-563.xml');
    assert.deepEqual(scaled.region, { type: 'none' });
    assert.ok(scaled.flags?.includes('pointing-direction'));
    assert.deepEqual(parseSample('voevent/grb/voevent_number=393.xml').region, { type: 'none' });
  });

  it('reads a BAT position declared "not a GRB" as a retraction of the trigger', () => {
    const text = readFileSync(samplePath('voevent/grb/SWIFT_1125809-092.xml'), 'utf8');
    const notGrb = text.replace(/(name="Def_NOT_a_GRB"\s+value=)"false"/, '$1"true"');
    assert.ok(notGrb !== text, 'the flag was set');
    const n = parseNoticeDocument(notGrb);
    assert.equal(n.alertType, 'retraction');
    assert.equal(n.triggerId, 'Swift:1125809');
    assert.ok(n.flags?.includes('not-a-grb'));
  });

  it('reads a UVOT position (Packet_Type 81) as an optical update', () => {
    const text = readFileSync(samplePath('voevent/grb/SWIFT_1125809-104.xml'), 'utf8');
    const uvot = text.replace(/(name="Packet_Type"\s+value=)"67"/, '$1"81"');
    assert.ok(uvot !== text, 'the packet type was changed');
    const n = parseNoticeDocument(uvot);
    assert.equal(n.instrument, 'UVOT');
    assert.equal(n.messenger, 'optical');
    assert.equal(n.noticeType, 'SWIFT_UVOT_POS');
    assert.equal(n.alertType, 'update');
  });

  it('keeps test positions as role test, marked mock', () => {
    const n = parseSample('voevent/other/BAT_GRB_Test_Pos_2023-05-01T02:32:27.00-071.xml');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.noticeType, 'SWIFT_BAT_GRB_POS_TEST');
  });
});

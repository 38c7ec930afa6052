import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../../helpers/shared.ts';
import { assertCircle, parseSample, summary } from '../sample-notice.ts';

const GBM = 'gcn-json/gcn-schema/notices/fermi/gbm';

describe('GCN unified-schema JSON notices', { skip: skipUnlessShared() }, () => {
  it('reads the Fermi GBM JSON chain: flight positions include systematics, ground and final do not', () => {
    const alert = parseSample(`${GBM}/trigger.alert.example.json`);
    assert.deepEqual(summary(alert), {
      observatory: 'Fermi',
      instrument: 'GBM',
      noticeType: 'gcn.notices.fermi.gbm.trigger/INITIAL_ALERT',
      triggerId: 'Fermi:745121685',
      alertType: 'initial',
      triggerTime: '2024-08-24T02:14:40.430Z',
      role: 'observation',
    });
    assert.deepEqual(alert.region, { type: 'none' });
    assert.equal(alert.issuedTime, '2024-08-24T02:14:54.000Z');
    assert.equal(alert.source.format, 'gcn-json');
    const flight = parseSample(`${GBM}/trigger.flight3.example.json`);
    assert.equal(flight.alertType, 'update');
    assert.equal(flight.revision, 4);
    assertCircle(flight.region, {
      raDeg: 235.883,
      decDeg: 68.683,
      radiusDeg: 7.15,
      containment: 0.68,
      systematicIncluded: true,
    });
    assert.equal(flight.classification, 'GRB');
    const ground = parseSample(`${GBM}/trigger.ground1.example.json`);
    assertCircle(ground.region, {
      raDeg: 92.17,
      decDeg: -66.98,
      radiusDeg: 1.34,
      containment: 0.68,
      systematicIncluded: false,
    });
    const final = parseSample(`${GBM}/trigger.final.example.json`);
    assert.equal(final.triggerId, 'Fermi:745121685');
    assertCircle(final.region, {
      raDeg: 29.24,
      decDeg: -63.62,
      radiusDeg: 1,
      containment: 0.68,
      systematicIncluded: false,
    });
  });

  it('reads the IceCube track JSON with the same trigger-id form as the VOEvents, FAR in Hz and energy in TeV', () => {
    const n = parseSample(
      'gcn-json/gcn-schema/notices/icecube/single_neutrino_alerts.gold_bronze_track_alerts.example.json',
    );
    assert.deepEqual(summary(n), {
      observatory: 'IceCube',
      instrument: 'IC86',
      noticeType: 'gcn.notices.icecube.single_neutrino_alerts',
      triggerId: 'IceCube:137840_57034692',
      alertType: 'initial',
      triggerTime: '2023-04-16T05:22:26.151Z',
      role: 'observation',
    });
    assert.equal(n.messenger, 'neutrino');
    assert.equal(n.eventName, 'IceCube-230416A');
    assertCircle(n.region, {
      raDeg: 345.82,
      decDeg: 9.01,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: false,
    });
    assert.equal(n.farHz, 8.029e-8);
    assert.equal(n.pAstro, 0.34064);
    assert.equal(n.energyTeV, 127.29);
  });

  it('reads both KM3NeT JSON examples, FAR already in Hz', () => {
    const track = parseSample('gcn-json/gcn-schema/notices/km3net/alert.example.json');
    assert.equal(track.triggerId, 'KM3NeT:1');
    assert.equal(track.eventName, 'KM3-240901A');
    assert.equal(track.triggerTime, '2024-09-01T01:16:47.000Z');
    assert.equal(track.farHz, 8.029e-8);
    assertCircle(track.region, {
      raDeg: 10.82,
      decDeg: 20.01,
      radiusDeg: 0.9,
      containment: 0.9,
      systematicIncluded: false,
    });
    const multiplet = parseSample('gcn-json/gcn-schema/notices/km3net/alert.multiplet.example.json');
    assert.equal(multiplet.triggerId, 'KM3NeT:2');
    assert.ok(multiplet.flags?.includes('potential-counterpart'));
  });

  it('reads SVOM JSON (trigger_time without Z, alert_tense test) with its slew status', () => {
    const n = parseSample('gcn-json/gcn-schema/notices/svom/eclairs/trigger.slewing.example.json');
    assert.equal(n.triggerId, 'SVOM:sb24022203');
    assert.equal(n.triggerTime, '2024-02-22T08:51:31.320Z');
    assert.equal(n.role, 'test');
    assert.equal(n.mock, true);
    assert.equal(n.alertType, 'update');
    assert.ok(n.flags?.includes('slew-accepted'));
    const grm = parseSample('gcn-json/gcn-schema/notices/svom/grm/trigger.example.json');
    assert.equal(grm.instrument, 'GRM');
  });

  it('reads Einstein Probe alerts with and without an id', () => {
    const n = parseSample('gcn-json/einstein-probe/alert_247.json');
    assert.deepEqual(summary(n), {
      observatory: 'EinsteinProbe',
      instrument: 'WXT',
      noticeType: 'gcn.notices.einstein_probe.wxt.alert',
      triggerId: 'EinsteinProbe:01709259773',
      alertType: 'initial',
      triggerTime: '2026-04-09T11:45:11.949Z',
      role: 'observation',
    });
    assert.equal(n.messenger, 'xray');
    assertCircle(n.region, {
      raDeg: 184.664,
      decDeg: -6.146,
      radiusDeg: 0.05174976,
      containment: 0.9,
      systematicIncluded: false,
    });
    const noId = parseSample('gcn-json/einstein-probe/EP240508.json');
    assert.equal(noId.triggerId, 'EinsteinProbe:WXT-2024-05-08T07:38:01.151Z');
    assertCircle(noId.region, {
      raDeg: 229.837999999,
      decDeg: -29.746999999,
      radiusDeg: 0.05089517,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads Swift BAT-GUANO: positions, the embedded map and the retraction', () => {
    const loc = parseSample('gcn-json/gcn-schema/notices/swift/bat/guano.loc_arc_min.example.json');
    assert.equal(loc.triggerId, 'Swift:694215995');
    assertCircle(loc.region, {
      raDeg: 336.26,
      decDeg: 25.139,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.equal(loc.farHz, 1e-5);
    const map = parseSample('gcn-json/gcn-schema/notices/swift/bat/guano.loc_map.example.json');
    assert.equal(map.region.type, 'skymap');
    assert.match(map.region.type === 'skymap' ? map.region.url : '', /^embedded:sha256:[0-9a-f]{64}$/);
    const retraction = parseSample('gcn-json/gcn-schema/notices/swift/bat/Guano.Retraction.example.json');
    assert.equal(retraction.alertType, 'retraction');
    assert.equal(retraction.triggerId, 'Swift:694215995');
  });

  it('reads legacy gwcelery payloads (ra_uncertainty, no $schema)', () => {
    const swift = parseSample('gcn-json/gwcelery/kafka_alert_swift.json');
    assertCircle(swift.region, {
      raDeg: 14.5,
      decDeg: -40.1,
      radiusDeg: 0.03,
      containment: 0.9,
      systematicIncluded: true,
    });
    assert.deepEqual(parseSample('gcn-json/gwcelery/kafka_alert_swift_noloc.json').region, { type: 'none' });
    const fermi = parseSample('gcn-json/gwcelery/kafka_alert_fermi.json');
    assert.equal(fermi.triggerId, 'Fermi-GBM-Targeted-Private:699554499710');
    assertCircle(fermi.region, {
      raDeg: 14.5,
      decDeg: -40.1,
      radiusDeg: 0.3,
      containment: 0.68,
      systematicIncluded: true,
    });
  });

  it('reads MAXI circle, ellipse, rectangle, no-error and retraction notices', () => {
    const dir = 'gcn-json/gcn-schema/notices/maxi';
    const circle = parseSample(`${dir}/gsc.unknown.circle.example.json`);
    assert.equal(circle.triggerId, 'MAXI:9995289617');
    assert.equal(circle.eventName, 'GRB 230220A');
    assertCircle(circle.region, {
      raDeg: 346.56,
      decDeg: 18.61,
      radiusDeg: 1.5,
      containment: 0.9,
      systematicIncluded: false,
    });
    assert.deepEqual(parseSample(`${dir}/gsc.unknown.ellipse.example.json`).region, {
      type: 'ellipse',
      raDeg: 346.56,
      decDeg: 18.61,
      semiMajorDeg: 0.22,
      semiMinorDeg: 0.19,
      posAngleDeg: 153,
      containment: 0.9,
    });
    const rectangle = parseSample(`${dir}/gsc.unknown.rectangle.example.json`);
    assert.equal(rectangle.region.type, 'circle');
    assert.deepEqual(parseSample(`${dir}/gsc.unknown.noerror.example.json`).region, { type: 'none' });
    assert.equal(parseSample(`${dir}/gsc.unknown.retraction.example.json`).alertType, 'retraction');
  });

  it('reads FRB notices: a CHIME ellipse and the four alert types', () => {
    const detection = parseSample('gcn-json/gcn-schema/notices/chime/frb.detection.example.json');
    assert.equal(detection.messenger, 'radio');
    assert.equal(detection.triggerId, 'CHIME:427325191');
    assert.equal(detection.region.type, 'ellipse');
    assert.equal(
      parseSample('gcn-json/gcn-schema/notices/chime/frb.subsequent.example.json').triggerId,
      'CHIME:427325192',
    );
    assert.equal(
      parseSample('gcn-json/gcn-schema/notices/dsa110/frb.retraction.example.json').alertType,
      'retraction',
    );
  });

  it('reads Super-K with its 68 % containment', () => {
    const n = parseSample('gcn-json/gcn-schema/notices/superk/sn_alert.real.example.json');
    assert.equal(n.observatory, 'Super-Kamiokande');
    assertCircle(n.region, {
      raDeg: 270.82,
      decDeg: 31.46,
      radiusDeg: 0.91,
      containment: 0.68,
      systematicIncluded: false,
    });
    assert.equal(parseSample('gcn-json/gcn-schema/notices/superk/sn_alert.test.example.json').role, 'test');
  });
});

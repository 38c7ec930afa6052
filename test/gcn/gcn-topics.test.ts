import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyGcnTopic,
  compileTopicPatterns,
  DEFAULT_GCN_TOPIC_PATTERNS,
  matchesAny,
} from '../../src/gcn/gcn-topics.ts';

describe('GCN topics', () => {
  test('the default patterns take the classic VOEvent, unified JSON, SVOM VOEvent, LVK and heartbeat topics', () => {
    for (const topic of [
      'gcn.classic.voevent.FERMI_GBM_FLT_POS',
      'gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK',
      'gcn.notices.einstein_probe.wxt.alert',
      'gcn.notices.icecube.lvk_nu_track_search',
      'gcn.notices.svom.voevent.eclairs',
      'igwn.gwalert',
      'gcn.heartbeat',
    ]) {
      assert.equal(matchesAny(topic, DEFAULT_GCN_TOPIC_PATTERNS), true, topic);
    }
    for (const topic of [
      'gcn.classic.text.FERMI_GBM_FLT_POS',
      'gcn.classic.binary.SWIFT_BAT_GRB_POS_ACK',
      'gcn.circulars',
      'igwn.gwalert.test',
      'xgcn.heartbeat',
    ]) {
      assert.equal(matchesAny(topic, DEFAULT_GCN_TOPIC_PATTERNS), false, topic);
    }
  });

  test('tells the heartbeat, VOEvent XML and JSON topics apart', () => {
    assert.equal(classifyGcnTopic('gcn.heartbeat'), 'heartbeat');
    assert.equal(classifyGcnTopic('gcn.classic.voevent.INTEGRAL_WEAK'), 'voevent');
    assert.equal(classifyGcnTopic('gcn.notices.svom.voevent.mxt'), 'voevent');
    assert.equal(classifyGcnTopic('gcn.notices.svom.eclairs'), 'json');
    assert.equal(classifyGcnTopic('igwn.gwalert'), 'json');
  });

  test('anchors string patterns at both ends and refuses invalid ones with CONFIG_INVALID', () => {
    const [heartbeat, fermi] = compileTopicPatterns(['gcn.heartbeat', 'gcn\\.classic\\.voevent\\.FERMI_.*']);
    assert.ok(heartbeat && fermi);
    assert.equal(heartbeat.test('gcn.heartbeat'), true);
    assert.equal(heartbeat.test('gcn.heartbeat.extra'), false);
    assert.equal(fermi.test('gcn.classic.voevent.FERMI_GBM_ALERT'), true);
    assert.equal(fermi.test('gcn.classic.voevent.SWIFT_BAT_QL_POS'), false);
    assert.throws(() => compileTopicPatterns(['gcn.(']), { code: 'CONFIG_INVALID' });
  });
});

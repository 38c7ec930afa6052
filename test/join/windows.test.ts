import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
import { defaultRegionResolver, gbmCoreSystematicDeg } from '../../src/join/region-resolver.ts';
import {
  checkWindowTable,
  classifyNotice,
  DEFAULT_WINDOWS,
  latestWindowEndSec,
  longestWindowSpanSec,
  orientPair,
} from '../../src/join/windows.ts';
import { makeNotice } from './make-records.ts';

describe('windows', () => {
  test('the defaults are the documented ones, with dt = counterpart − trigger', () => {
    assert.deepEqual(DEFAULT_WINDOWS['gw-cbc×grb'], { startSec: -1, endSec: 5 });
    assert.deepEqual(DEFAULT_WINDOWS['gw-burst×grb'], { startSec: -60, endSec: 600 });
    assert.deepEqual(DEFAULT_WINDOWS['gw-cbc×neutrino'], { startSec: -500, endSec: 500 });
    assert.deepEqual(DEFAULT_WINDOWS['grb×optical'], { startSec: 0, endSec: 3 * 86_400 });
    assert.deepEqual(DEFAULT_WINDOWS['gw-cbc×optical'], { startSec: 0, endSec: 14 * 86_400 });
    assert.deepEqual(DEFAULT_WINDOWS['neutrino×optical'], { startSec: -86_400, endSec: 30 * 86_400 });
    assert.deepEqual(checkWindowTable(DEFAULT_WINDOWS), []);
    assert.equal(longestWindowSpanSec(DEFAULT_WINDOWS), 31 * 86_400);
  });

  test('GW is the trigger of a GW × GRB pair whichever notice is seen first', () => {
    assert.deepEqual(orientPair(DEFAULT_WINDOWS, 'gw-cbc', 'grb'), {
      window: { startSec: -1, endSec: 5 },
      swapped: false,
    });
    assert.deepEqual(orientPair(DEFAULT_WINDOWS, 'grb', 'gw-cbc'), {
      window: { startSec: -1, endSec: 5 },
      swapped: true,
    });
    assert.equal(orientPair(DEFAULT_WINDOWS, 'grb', 'grb'), undefined);
    // A GRB as a counterpart may precede the GW by up to 60 s (bursts): it must stay that long.
    assert.equal(latestWindowEndSec(DEFAULT_WINDOWS, 'grb'), 3 * 86_400);
  });

  test('notices are classified by messenger, LVK Burst alerts as bursts', () => {
    assert.equal(classifyNotice(makeNotice({ triggerId: 'a', messenger: 'gw', timeMjd: 0 })), 'gw-cbc');
    assert.equal(
      classifyNotice(makeNotice({ triggerId: 'a', messenger: 'gw', timeMjd: 0, group: 'Burst' })),
      'gw-burst',
    );
    assert.equal(classifyNotice(makeNotice({ triggerId: 'a', messenger: 'gamma', timeMjd: 0 })), 'grb');
    assert.equal(
      classifyNotice(makeNotice({ triggerId: 'a', messenger: 'neutrino', timeMjd: 0 })),
      'neutrino',
    );
  });

  test('a malformed window table is refused with CONFIG_INVALID', () => {
    assert.throws(() => createJoinEngine({ windows: { 'grb×optical': { startSec: 10, endSec: 0 } } }), {
      code: 'CONFIG_INVALID',
    });
    assert.throws(() => createJoinEngine({ windows: { 'optical×grb': { startSec: 0, endSec: 1 } } }), {
      code: 'CONFIG_INVALID',
    });
  });
});

describe('region resolver', () => {
  test('adds the GBM core systematic in quadrature to statistical-only GBM radii', () => {
    assert.equal(gbmCoreSystematicDeg('FERMI_GBM_GND_POS'), 3.72);
    assert.equal(gbmCoreSystematicDeg('FERMI_GBM_FLT_POS'), 7.52);
    assert.equal(gbmCoreSystematicDeg('SWIFT_BAT_GRB_POS'), 0);
    const gbm = makeNotice({ triggerId: 'Fermi:1', timeMjd: 0 });
    gbm.noticeType = 'FERMI_GBM_GND_POS';
    gbm.region = {
      type: 'circle',
      raDeg: 100,
      decDeg: 0,
      radiusDeg: 3.41,
      containment: 0.68,
      systematicIncluded: false,
    };
    const withSys = defaultRegionResolver(gbm, 0.9);
    // 68 % radius √(3.41² + 3.72²) = 5.05°: the 90 % radius is 5.05 × 2.146 / 1.5096 = 7.18°.
    assert.ok(withSys?.contains(107, 0));
    assert.ok(!withSys?.contains(107.5, 0));
    gbm.region = { ...gbm.region, systematicIncluded: true };
    assert.ok(!defaultRegionResolver(gbm, 0.9)?.contains(107, 0));
  });

  test('notices without a position give no region (messenger pairs then use time only)', () => {
    assert.equal(defaultRegionResolver(makeNotice({ triggerId: 'x', timeMjd: 0 }), 0.9), undefined);
  });
});

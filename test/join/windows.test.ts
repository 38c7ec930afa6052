import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJoinEngine } from '../../src/join/engine.ts';
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

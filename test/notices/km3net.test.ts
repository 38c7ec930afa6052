import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { farParamToHz } from '../../src/notices/km3net.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { SECONDS_PER_JULIAN_YEAR } from '../../src/notices/voevent-family.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';
import { assertCircle } from './sample-notice.ts';

describe('KM3NeT VOEvents', () => {
  it('reads the alert and converts its FAR from yr⁻¹ to Hz', () => {
    const n = parseNoticeDocument(readFileSync(join(PROJECT_ROOT, 'fixtures/notices/km3net-alert.xml')));
    assert.equal(n.observatory, 'KM3NeT');
    assert.equal(n.messenger, 'neutrino');
    assert.equal(n.triggerId, 'KM3NeT:1', 'the same id as the JSON alert');
    assert.equal(n.eventName, 'KM3-240901A');
    assert.equal(n.alertType, 'initial');
    assert.equal(n.revision, 1);
    assert.equal(n.triggerTime, '2024-09-01T01:16:47.000Z');
    assert.ok(Math.abs(n.farHz! - 2.5 / SECONDS_PER_JULIAN_YEAR) < 1e-22);
    assertCircle(n.region, {
      raDeg: 10.82,
      decDeg: 20.01,
      radiusDeg: 0.9,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('keeps a FAR already labelled Hz', () => {
    assert.equal(farParamToHz(1e-7, 'Hz'), 1e-7);
    assert.equal(farParamToHz(31_557_600, 'yr^-1'), 1);
  });
});

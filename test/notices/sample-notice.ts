/**
 * Test helpers for the notice normalisers: parse one upstream sample into a Notice, and
 * compare regions with a tolerance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import type { Notice, NoticeRegion } from '../../src/notices/notice.ts';
import { samplePath } from '../helpers/shared.ts';

export function parseSample(relativePath: string): Notice {
  return parseNoticeDocument(readFileSync(samplePath(relativePath)));
}

export function assertCircle(
  region: NoticeRegion,
  expected: {
    raDeg: number;
    decDeg: number;
    radiusDeg: number;
    containment: number;
    systematicIncluded: boolean;
  },
): void {
  assert.equal(region.type, 'circle', `expected a circle, got ${JSON.stringify(region)}`);
  assert.ok(Math.abs(region.raDeg - expected.raDeg) < 1e-9, `RA ${region.raDeg} != ${expected.raDeg}`);
  assert.ok(Math.abs(region.decDeg - expected.decDeg) < 1e-9, `Dec ${region.decDeg} != ${expected.decDeg}`);
  assert.ok(
    Math.abs(region.radiusDeg - expected.radiusDeg) < 1e-9,
    `radius ${region.radiusDeg} != ${expected.radiusDeg}`,
  );
  assert.equal(region.containment, expected.containment);
  assert.equal(region.systematicIncluded, expected.systematicIncluded);
}

/** The fields every test checks, in one object for a readable deepEqual. */
export function summary(n: Notice): Record<string, unknown> {
  return {
    observatory: n.observatory,
    instrument: n.instrument,
    noticeType: n.noticeType,
    triggerId: n.triggerId,
    alertType: n.alertType,
    triggerTime: n.triggerTime,
    role: n.role,
  };
}

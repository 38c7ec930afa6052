import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createJoinEngine } from '../../src/join/engine.ts';
import { overlapIntegral } from '../../src/join/score.ts';
import { defaultRegionResolver } from '../../src/join/region-resolver.ts';
import type { Notice } from '../../src/notices/notice.ts';
import type { OpticalAlert } from '../../src/optical/optical-alert.ts';
import { circle, makeAlert, makeNotice } from './make-records.ts';

const T0 = 60_100;
const SEC = 1 / 86_400;

const noticeArb = fc.record({
  kind: fc.constantFrom('gw', 'grb', 'neutrino'),
  dtDays: fc.double({ min: 0, max: 2, noNaN: true }),
  raDeg: fc.double({ min: 0, max: 40, noNaN: true }),
  decDeg: fc.double({ min: -20, max: 20, noNaN: true }),
  radiusDeg: fc.double({ min: 1, max: 15, noNaN: true }),
  dtSec: fc.integer({ min: -700, max: 700 }),
});
const alertArb = fc.record({
  dtDays: fc.double({ min: -2, max: 8, noNaN: true }),
  raDeg: fc.double({ min: 0, max: 40, noNaN: true }),
  decDeg: fc.double({ min: -20, max: 20, noNaN: true }),
  reliability: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('engine against a naive nested loop', () => {
  test('the engine finds exactly the pairs a nested loop over the same stream finds', () => {
    fc.assert(
      fc.property(
        fc.array(noticeArb, { minLength: 1, maxLength: 8 }),
        fc.array(alertArb, { maxLength: 60 }),
        (ns, as) => {
          // Notices come in small clusters in time so that messenger pairs happen.
          const notices: Notice[] = ns.map((n, i) =>
            makeNotice({
              triggerId: `T${i}`,
              messenger: n.kind === 'gw' ? 'gw' : n.kind === 'grb' ? 'gamma' : 'neutrino',
              timeMjd: T0 + Math.floor(n.dtDays) * 0.5 + n.dtSec * SEC,
              region: circle(n.raDeg, n.decDeg, n.radiusDeg),
              farHz: n.kind === 'gw' ? 1e-9 : undefined,
            }),
          );
          const alerts: OpticalAlert[] = as.map((a, i) =>
            makeAlert({
              objectId: `o${i}`,
              raDeg: a.raDeg,
              decDeg: a.decDeg,
              timeMjd: T0 + a.dtDays,
              reliability: a.reliability,
            }),
          );
          // Stream in event-time order (notices at their trigger time), huge lateness: everything joins.
          const events = [
            ...notices.map((n) => ({ t: n.triggerTimeMjd, n })),
            ...alerts.map((a) => ({ t: a.timeMjd, a })),
          ].sort((x, y) => x.t - y.t);
          const engine = createJoinEngine({ allowedLatenessSec: 40 * 86_400 });
          const got = new Set<string>();
          for (const e of events) {
            const out = 'n' in e ? engine.onNotice(e.n) : engine.onOpticalAlert((e as { a: OpticalAlert }).a);
            for (const c of out) {
              const key = `${c.trigger.triggerId}|${'objectId' in c.counterpart ? c.counterpart.objectId : c.counterpart.triggerId}`;
              if (c.status === 'candidate') got.add(key);
              else got.delete(key);
            }
          }
          // The naive loop: every notice × alert, every notice × notice.
          const expected = new Set<string>();
          const opticalDays: Record<string, [number, number]> = {
            gw: [0, 14],
            grb: [0, 3],
            neutrino: [-1, 30],
          };
          notices.forEach((n, i) => {
            const kind = ns[i]?.kind ?? 'grb';
            // The same region model as the engine's (its geometry is tested in region-resolver.test.ts).
            const region = defaultRegionResolver(n, 0.9);
            if (!region) throw new Error('a circle notice has a region');
            const [lo, hi] = opticalDays[kind] ?? [0, 0];
            for (const a of alerts) {
              const dt = a.firstDetectionMjd - n.triggerTimeMjd;
              const okTime = dt >= lo - 60 * SEC && dt <= hi;
              if (okTime && (a.reliability ?? 0) >= 0.5 && region.contains(a.raDeg, a.decDeg))
                expected.add(`${n.triggerId}|${a.objectId}`);
            }
            if (kind !== 'gw') return;
            notices.forEach((m, j) => {
              const other = ns[j]?.kind;
              const dtSec = (m.triggerTimeMjd - n.triggerTimeMjd) / SEC;
              // A pair whose sky densities never meet (I_Ω = 0) is not a coincidence (searches.ts).
              const otherRegion = defaultRegionResolver(m, 0.9);
              if (!otherRegion || !(overlapIntegral(region, otherRegion) > 0)) return;
              if (other === 'grb' && dtSec >= -1 - 1e-6 && dtSec <= 5 + 1e-6)
                expected.add(`${n.triggerId}|${m.triggerId}`);
              if (other === 'neutrino' && Math.abs(dtSec) <= 500 + 1e-6)
                expected.add(`${n.triggerId}|${m.triggerId}`);
            });
          });
          assert.deepEqual([...got].sort(), [...expected].sort());
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  });
});

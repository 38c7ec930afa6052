/**
 * A notice whose coincidence windows had already closed (event time) when it arrived is logged
 * at info with the reason, and counted in /metrics (coincide_notices_windows_closed_total), over
 * the real VTP receiver of a running app.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '../../src/logger.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { startTestApp } from '../http/start-app.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

const GBM = readFileSync(join(PROJECT_ROOT, 'fixtures', 'demo', 'fermi-gbm-524666471-gnd-pos.xml'), 'utf8');

/** The demo's GBM notice as another trigger, `daysEarlier` before it. */
function earlierGbm(daysEarlier: number): Buffer {
  const iso = new Date(Date.parse('2017-08-17T12:41:06.18Z') - daysEarlier * 86_400_000).toISOString();
  return Buffer.from(
    GBM.replaceAll('2017-08-17T12:41:06.18', iso.slice(0, 22))
      .replaceAll('524666471', '524000001')
      .replace(
        /name="Burst_TJD" value="(\d+)"/,
        (_m, tjd: string) => `name="Burst_TJD" value="${Number(tjd) - daysEarlier}"`,
      ),
  );
}

describe('notices after their windows closed', () => {
  it('are logged at info with the reason and counted in /metrics', async () => {
    const logger = createMemoryLogger();
    const t = await startTestApp({ logger });
    try {
      const send = async (bytes: Buffer): Promise<void> => {
        const receipt = await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
        assert.equal(receipt.role, 'ack');
      };
      await send(Buffer.from(GBM));
      // Ten days earlier: a GRB's windows end 3 days after it (GRB × optical), long before now.
      await send(earlierGbm(10));
      const metric = async (): Promise<string> =>
        (
          await (
            await fetch(`${t.httpUrl}/metrics`, { headers: { Authorization: `Bearer ${t.adminToken}` } })
          ).text()
        )
          .split('\n')
          .filter((line) => line.startsWith('coincide_notices_windows_closed_total'))
          .join('\n');
      const deadline = Date.now() + 30_000;
      while (!(await metric()).includes('class="grb"} 1') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(await metric(), /coincide_notices_windows_closed_total\{class="grb"\} 1$/);
      const lines = logger.records.filter(
        (r) => r.level !== 'debug' && String(r.msg).includes('windows closed'),
      );
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.level, 'info');
      assert.equal(lines[0]?.triggerId, 'Fermi:524000001');
      assert.equal(lines[0]?.triggerClass, 'grb');
      assert.match(String(lines[0]?.windowsClosedAt), /^2017-08-10T12:41:06/);
    } finally {
      await t.stop();
    }
  });
});

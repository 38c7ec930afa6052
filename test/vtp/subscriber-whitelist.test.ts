/**
 * The broadcaster's --subscriber-whitelist (Comet's semantics, ../shared/reference/vtp.md §8),
 * through the real app with a real Comet as the subscriber: a subscriber from an unlisted
 * address is closed at once and gets nothing; from a listed one (loopback, the default) it is
 * served.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '../../src/logger.ts';
import { sendEvent } from '../../src/vtp/sender.ts';
import { samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { startTestApp, type TestApp } from '../http/start-app.ts';
import { startComet, type CometBroker } from '../peers/processes.ts';

const GBM_GND = 'voevent/grb/GBM_Gnd_Pos_2023-09-11T07:53:09.73_716111594_58-491.xml';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  // A wait limit, not a timing assertion: Comet starts and connects in its own time.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function subscribers(t: TestApp): Promise<number> {
  const health = (await (
    await fetch(`${t.httpUrl}/healthz`, { headers: { Authorization: `Bearer ${t.adminToken}` } })
  ).json()) as { vtpSubscribers?: number };
  return health.vtpSubscribers ?? 0;
}

async function cometSubscribedTo(t: TestApp): Promise<CometBroker> {
  return startComet(
    [
      '--remote',
      `127.0.0.1:${t.ports.vtpBroadcaster}`,
      '--local-ivo',
      'ivo://test.comet/whitelist',
      '--save-event',
      '--save-event-directory',
      '{SAVE_DIR}',
    ],
    /Starting factory|starting up/,
  );
}

describe('VTP broadcaster --subscriber-whitelist', { skip: skipUnlessShared() }, () => {
  it('closes a Comet subscriber from an unlisted address at once, with nothing relayed to it', async () => {
    const logger = createMemoryLogger();
    const t = await startTestApp({ flags: { 'subscriber-whitelist': '192.0.2.0/24,2001:db8::/32' }, logger });
    let comet: CometBroker | undefined;
    try {
      comet = await cometSubscribedTo(t);
      await until('the refusal', () =>
        logger.records.find((r) => r.msg === 'Attempted subscription from non-whitelisted peer'),
      );
      assert.equal(await subscribers(t), 0);
      const receipt = await sendEvent({
        host: '127.0.0.1',
        port: t.ports.vtpReceiver,
        bytes: readFileSync(samplePath(GBM_GND)),
      });
      assert.equal(receipt.role, 'ack');
      // Comet retries; every attempt is refused again, and it never holds a subscription.
      const refusals = (): number =>
        logger.records.filter((r) => r.msg === 'Attempted subscription from non-whitelisted peer').length;
      const seen = refusals();
      await until('Comet to retry and be refused again', () => (refusals() > seen ? true : undefined));
      assert.equal(await subscribers(t), 0);
      assert.deepEqual(readdirSync(comet.saveDir), []);
    } finally {
      await comet?.stop();
      comet?.removeDir();
      await t.stop();
    }
  });

  it('serves a Comet subscriber from loopback, the default', async () => {
    const t = await startTestApp();
    let comet: CometBroker | undefined;
    try {
      assert.deepEqual(t.app.config.vtp.subscriberWhitelist, ['127.0.0.0/8', '::1/128']);
      comet = await cometSubscribedTo(t);
      await until('Comet to subscribe', async () => ((await subscribers(t)) >= 1 ? true : undefined));
      const bytes = readFileSync(samplePath(GBM_GND));
      const receipt = await sendEvent({ host: '127.0.0.1', port: t.ports.vtpReceiver, bytes });
      assert.equal(receipt.role, 'ack');
      const broker = comet;
      const saved = await until('Comet to save the relayed event', () => readdirSync(broker.saveDir)[0]);
      assert.ok(readFileSync(`${broker.saveDir}/${saved}`).equals(bytes), 'relayed byte-identical');
    } finally {
      await comet?.stop();
      comet?.removeDir();
      await t.stop();
    }
  });
});

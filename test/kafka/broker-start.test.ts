/**
 * Start-up failures of the project's broker script are clear and leave nothing behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { startBroker } from '../../scripts/kafka/broker.ts';
import { findKafkaInstallation } from '../../scripts/kafka/fetch.ts';

function skipUnlessFetched(): false | string {
  if (findKafkaInstallation()) return false;
  if (process.env.CI)
    throw new Error('the Kafka jars must be fetched in CI (npx tsx scripts/kafka/fetch.ts)');
  return 'skipped: Kafka is not fetched (npx tsx scripts/kafka/fetch.ts)';
}

test(
  'a broker whose port is taken fails with a clear error quoting broker.log, and removes its temp folder',
  { skip: skipUnlessFetched() },
  async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    let dataDir: string | undefined;
    try {
      await assert.rejects(
        startBroker({
          port: address.port,
          saslPort: null,
          fetchIfMissing: false,
          startTimeoutMs: 60_000,
          log: (line) => {
            const match = /data in (\S+)\)/.exec(line);
            if (match) dataDir = match[1];
          },
        }),
        (error: Error) => {
          assert.match(error.message, new RegExp(`failed to start on 127\\.0\\.0\\.1:${address.port}`));
          assert.match(error.message, /broker\.log/);
          assert.match(error.message, /Address already in use|BindException|exited/i);
          return true;
        },
      );
      assert.equal(dataDir, undefined, 'the broker never reported ready');
    } finally {
      blocker.close();
    }
    if (dataDir !== undefined) assert.equal(existsSync(dataDir), false);
  },
);

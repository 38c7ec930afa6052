/**
 * The broker for one test run (imported by scripts/run-tests.ts): a fresh single-node Kafka on
 * free ports in a temp folder, stopped (and the folder removed) by stop().
 *
 * Besides returning the PLAINTEXT bootstrap (which run-tests exports as
 * COINCIDE_TEST_KAFKA_BROKERS), it sets COINCIDE_TEST_KAFKA_SASL_BROKERS in this process's
 * environment to the OAUTHBEARER listener, so the test processes run-tests spawns inherit it.
 */
import { startBroker } from './broker.ts';

export interface TestBroker {
  bootstrap: string;
  saslBootstrap?: string;
  stop(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const broker = await startBroker({
    heapMb: 512,
    fastStart: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (broker.saslBootstrap !== undefined) process.env.COINCIDE_TEST_KAFKA_SASL_BROKERS = broker.saslBootstrap;
  return {
    bootstrap: broker.bootstrap,
    ...(broker.saslBootstrap === undefined ? {} : { saslBootstrap: broker.saslBootstrap }),
    stop: () => broker.stop(),
  };
}

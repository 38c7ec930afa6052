/**
 * The trust rules of `coincide serve`, assembled from the configuration (src/trust/): which
 * sources may carry which ivorn authorities, and whose notices may make coincidences. The
 * receiver's own whitelist (vtp.receiveWhitelist, loopback only by default) is applied before
 * these, at accept.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createTrustPolicy, type TrustPolicy } from '../trust/trust-policy.ts';

export function createServeTrust(config: Config, logger: Logger): TrustPolicy {
  const policy = createTrustPolicy({
    trustedSources: config.trust.trustedSources,
    authorityRules: config.trust.authorityRules,
  });
  logger.info('trust rules', {
    receiveWhitelist: config.vtp.receiveWhitelist,
    trustedSources: config.trust.trustedSources,
    authorityRules: config.trust.authorityRules,
  });
  return policy;
}

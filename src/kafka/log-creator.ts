/**
 * A kafkajs `logCreator` that writes kafkajs's logs through our Logger (one JSON line each).
 *
 * kafkajs levels: NOTHING 0, ERROR 1, WARN 2, INFO 4, DEBUG 5. A kafkajs entry is
 * `{namespace, level, label, log: {timestamp, logger, message, ...extra}}`.
 * One adjustment: kafkajs logs every failed request of a connection ("[Connection] Response
 * ...") at ERROR even when it then retries (e.g. "The group coordinator is not available" while
 * a fresh broker creates __consumer_offsets); those become WARN, since the operation's own
 * outcome is reported separately.
 */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../logger.ts';

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log as Record<string, unknown> & { message: string };
      // kafkajs's own timestamp and logger name duplicate our record's.
      delete extra.timestamp;
      delete extra.logger;
      const fields = { kafkajs: namespace, ...extra };
      const text = `kafkajs: ${message}`;
      switch (level) {
        case logLevel.ERROR:
          if (namespace === 'Connection' && message.startsWith('Response ')) logger.warn(text, fields);
          else logger.error(text, fields);
          return;
        case logLevel.WARN:
          logger.warn(text, fields);
          return;
        case logLevel.INFO:
          logger.info(text, fields);
          return;
        default:
          logger.debug(text, fields);
      }
    };
}

/**
 * One optical Kafka message decoded into its alerts, with its failure reported: what both Kafka
 * sources (kafka-source.ts on kafkajs, rdkafka-source.ts on librdkafka) do with each message.
 *
 * - An empty value, or one that does not decode, is counted, logged and passed to
 *   `onDecodeError`; it yields no alerts (the source skips it, its offset committed, so one bad
 *   message never blocks a partition). A thrown value that is not a CoincideError is reported as
 *   AVRO_MALFORMED.
 * - A retriable failure (the schema registry down) is not reported: it is returned, and the
 *   source fetches the message again later.
 * - The decode is synchronous unless a schema must be fetched (OpticalAlertDecoder's
 *   decodeMessageSync): a promise is returned only then, as one promise per message is
 *   measurable at tens of thousands of messages per second.
 */
import { CoincideError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OpticalAlertDecoder } from './alert-decoder.ts';
import type { AlertMessageMeta, OpticalKafkaFormat } from './kafka-source.ts';
import type { OpticalAlert } from './optical-alert.ts';

/** What became of one message: its alerts (none if it was reported), or a failure to retry. */
export type AlertMessageOutcome = { alerts: OpticalAlert[] } | { retry: CoincideError };

export interface KafkaAlertMessagesOptions {
  decoder: OpticalAlertDecoder;
  /** 'fink': the writer schema is the key, the value schemaless Avro; 'auto' (default): the value alone. */
  format?: OpticalKafkaFormat;
  logger: Logger;
  onDecodeError?: (error: CoincideError, meta: AlertMessageMeta) => void;
}

const NO_ALERTS: AlertMessageOutcome = { alerts: [] };

export class KafkaAlertMessages {
  /** Messages reported as undecodable so far. */
  decodeErrors = 0;
  private readonly fink: boolean;

  constructor(private readonly options: KafkaAlertMessagesOptions) {
    this.fink = options.format === 'fink';
  }

  /**
   * The alerts of one message (`key` is read only in the 'fink' format). A promise only when the
   * registry must be asked for the schema.
   */
  decode(
    key: Buffer | string | null | undefined,
    value: Buffer | null,
    meta: AlertMessageMeta,
  ): AlertMessageOutcome | Promise<AlertMessageOutcome> {
    if (value === null || value.length === 0) {
      this.report(new CoincideError('INPUT_EMPTY', 'Kafka message has no value'), meta);
      return NO_ALERTS;
    }
    const decoder = this.options.decoder;
    try {
      const alerts = this.fink
        ? decoder.decodeSchemaKeyed(
            key === undefined || key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key),
            value,
          )
        : decoder.decodeMessageSync(value);
      if (alerts) return { alerts };
    } catch (error) {
      return this.failed(error, meta);
    }
    return decoder.decodeMessage(value).then(
      (alerts) => ({ alerts }),
      (error: unknown) => this.failed(error, meta),
    );
  }

  /** Counts, logs and passes on a message that does not decode (it is skipped). */
  report(error: CoincideError, meta: AlertMessageMeta): void {
    this.decodeErrors += 1;
    this.options.logger.warn('undecodable optical alert message skipped', {
      ...meta,
      code: error.code,
      error: error.message,
    });
    this.options.onDecodeError?.(error, meta);
  }

  private failed(error: unknown, meta: AlertMessageMeta): AlertMessageOutcome {
    if (error instanceof CoincideError && error.retriable) return { retry: error };
    this.report(
      error instanceof CoincideError
        ? error
        : new CoincideError('AVRO_MALFORMED', String(error), { cause: error }),
      meta,
    );
    return NO_ALERTS;
  }
}

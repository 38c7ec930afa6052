/**
 * The one ingest path every input uses (VTP receiver, VTP subscriber, GCN Kafka, replay):
 *
 * VOEvent XML:
 *   secure parse -> classify -> de-dup pre-check -> [IVOID rule] -> [schema validation]
 *   -> normalise (pure) -> durable store (event + notice, one transaction; dedup by SHA-256)
 *   -> resolve (the caller may ack now) -> callbacks (onEvent, onNotice) on a later turn.
 * JSON notices (GCN Kafka unified schema, LVK; first byte '{'): de-dup pre-check -> normalise
 *   (the normaliser parses and checks them) -> durable store -> resolve -> callbacks.
 *
 * Duplicates (same bytes) resolve as 'duplicate' and never reach the callbacks, which is what cuts
 * loops in relay chains. Callbacks run after the caller has been answered, and their failures are
 * logged, never turned into a nak (Comet: the ack is sent before handlers run).
 */
import { CoincideError, describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import { sha256Hex, type EventInput, type EventStore } from '../store/event-store.ts';
import { parseIvoid } from '../vtp/ivoid.ts';
import { classifyPayload, documentOf, type ParsedPayload } from '../vtp/payload.ts';

export interface ValidationResult {
  valid: boolean;
  /** Human-readable reasons (the first one becomes the nak reason). */
  errors: string[];
}

/** Schema validation of raw event bytes (voevent/validate.ts adapts to this). */
export type EventValidator = (bytes: Buffer) => Promise<ValidationResult>;

/**
 * Turns raw VOEvent bytes into a Notice (notices/parse-notice.ts adapts to this). May throw
 * CoincideError NOTICE_UNSUPPORTED for events that are not notices: they are stored and relayed
 * without a Notice.
 */
export type EventNormaliser = (bytes: Buffer, sha256: string) => Notice;

export interface IngestedEvent {
  eventId: number;
  sha256: string;
  ivorn: string;
  role: string;
  /** The exact bytes received. */
  bytes: Buffer;
  input: EventInput;
  peer: string;
  receivedAtMs: number;
  /** 'voevent' (XML) or 'json' (GCN unified-schema / LVK JSON notices from Kafka). */
  format: 'voevent' | 'json';
  /** The parsed document of a VOEvent (for xpath filters); never re-serialised. Absent for JSON. */
  payload?: ParsedPayload;
  notice?: Notice;
}

export interface IngestOptions {
  input: EventInput;
  peer: string;
  /** Already parsed payload of these bytes (saves a parse). */
  payload?: ParsedPayload;
  /** Run the schema validator (author submissions: yes; events from an upstream broker: no, as Comet). */
  validate?: boolean;
  /** Enforce Comet's IVOID rule with a non-empty local ID (author submissions). */
  checkIvoid?: boolean;
}

export type IngestOutcome =
  | { outcome: 'accepted'; eventId: number; sha256: string; ivorn: string; notice?: Notice }
  | { outcome: 'duplicate'; eventId: number; sha256: string; ivorn: string }
  | {
      outcome: 'rejected';
      /** For a nak: Comet's wording where there is one. */
      reason: string;
      code: ErrorCode;
      /** '' when the payload has no ivorn (nothing to nak: the connection is just closed). */
      ivorn: string;
      sha256: string;
    };

export interface EventIngestorOptions {
  store: EventStore;
  /** Omitted: no schema validation anywhere (say so in the logs of whoever wires it). */
  validator?: EventValidator;
  normalise?: EventNormaliser;
  logger: Logger;
  clock: Clock;
  onEvent?: (event: IngestedEvent) => void | Promise<void>;
  onNotice?: (notice: Notice, event: IngestedEvent) => void | Promise<void>;
}

/** First non-whitespace byte is '{' (a JSON object; XML starts with '<' or a BOM). */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b;
  }
  return false;
}

export interface EventIngestor {
  ingest(bytes: Buffer, options: IngestOptions): Promise<IngestOutcome>;
}

export function createEventIngestor(options: EventIngestorOptions): EventIngestor {
  const { store, validator, normalise, logger, clock, onEvent, onNotice } = options;

  const runCallbacks = (event: IngestedEvent): void => {
    setImmediate(() => {
      const call = async (name: string, fn: () => void | Promise<void>): Promise<void> => {
        try {
          await fn();
        } catch (error) {
          logger.error(`ingest ${name} handler failed`, { ivorn: event.ivorn, error: describeError(error) });
        }
      };
      if (onEvent) void call('onEvent', () => onEvent(event));
      if (onNotice && event.notice) {
        const notice = event.notice;
        void call('onNotice', () => onNotice(notice, event));
      }
    });
  };

  const rejected = (code: ErrorCode, reason: string, ivorn: string, sha256: string): IngestOutcome => ({
    outcome: 'rejected',
    code,
    reason,
    ivorn,
    sha256,
  });

  const findDuplicate = (sha256: string, ivorn: string): IngestOutcome | undefined => {
    // One indexed lookup (sha256 is UNIQUE); the common case, a new event, finds nothing.
    const existing = store.getEventBySha256(sha256);
    return existing
      ? { outcome: 'duplicate', eventId: existing.id, sha256, ivorn: ivorn || existing.ivorn }
      : undefined;
  };

  /**
   * A JSON notice (GCN Kafka unified schema, LVK alerts): no XML, no schema check here; the
   * normaliser is the parser, and the Notice gives the ivorn and role that are stored.
   */
  const ingestJson = async (
    bytes: Buffer,
    sha256: string,
    receivedAtMs: number,
    ingestOptions: IngestOptions,
  ): Promise<IngestOutcome> => {
    const known = findDuplicate(sha256, '');
    if (known) return known;
    if (!normalise) return rejected('NOTICE_UNSUPPORTED', 'JSON input needs a normaliser', '', sha256);
    let notice: Notice;
    try {
      notice = normalise(bytes, sha256);
    } catch (error) {
      return rejected(
        isCoincideError(error) ? error.code : 'JSON_MALFORMED',
        describeError(error),
        '',
        sha256,
      );
    }
    const put = await store.putEvent({
      bytes,
      sha256,
      ivorn: notice.ivorn,
      role: notice.role,
      receivedAtMs,
      peer: ingestOptions.peer,
      input: ingestOptions.input,
      notice,
    });
    if (put.status === 'duplicate')
      return { outcome: 'duplicate', eventId: put.eventId, sha256, ivorn: notice.ivorn };
    runCallbacks({
      eventId: put.eventId,
      sha256,
      ivorn: notice.ivorn,
      role: notice.role,
      bytes,
      input: ingestOptions.input,
      peer: ingestOptions.peer,
      receivedAtMs,
      format: 'json',
      notice,
    });
    return { outcome: 'accepted', eventId: put.eventId, sha256, ivorn: notice.ivorn, notice };
  };

  return {
    async ingest(bytes, ingestOptions) {
      const receivedAtMs = clock.nowMs();
      const sha256 = sha256Hex(bytes);
      if (ingestOptions.payload === undefined && looksLikeJson(bytes)) {
        return ingestJson(bytes, sha256, receivedAtMs, ingestOptions);
      }
      let payload = ingestOptions.payload;
      if (!payload) {
        try {
          payload = classifyPayload(bytes);
        } catch (error) {
          const code = isCoincideError(error) ? error.code : 'XML_MALFORMED';
          return rejected(code, describeError(error), '', sha256);
        }
      }
      const checked = payload;
      /**
       * The payload may have been classified from its root start tag only (classifyPayload); a
       * document that is not well-formed is refused as unparsable (ivorn '', as Comet, which
       * parses before anything else). Reading the DOM decides; it is only built when the schema
       * validator did not already prove the document well-formed.
       */
      const unparsable = (): IngestOutcome | undefined => {
        try {
          documentOf(checked);
          return undefined;
        } catch (error) {
          const code = isCoincideError(error) ? error.code : 'XML_MALFORMED';
          return rejected(code, describeError(error), '', sha256);
        }
      };
      if (payload.kind !== 'voevent') {
        return rejected('VOEVENT_NOT_VOEVENT', `not a VOEvent (role "${payload.role}")`, '', sha256);
      }
      const ivorn = payload.ivorn;
      if (ivorn === '') return rejected('VOEVENT_MISSING_FIELD', 'VOEvent has no ivorn', '', sha256);
      const known = findDuplicate(sha256, ivorn);
      if (known) return known; // the same bytes were stored, so they are well-formed
      if (ingestOptions.checkIvoid) {
        const ivoid = parseIvoid(ivorn);
        if (!ivoid)
          return unparsable() ?? rejected('VTP_INVALID_IVOID', `Invalid IVOID: ${ivorn}`, ivorn, sha256);
        if (ivoid.localId === '')
          return unparsable() ?? rejected('VTP_NO_LOCAL_ID', 'No per-event local ID', ivorn, sha256);
      }
      if (ingestOptions.validate && validator) {
        const result = await validator(bytes);
        if (!result.valid) {
          return (
            unparsable() ??
            rejected('SCHEMA_INVALID', result.errors[0] ?? 'schema validation failed', ivorn, sha256)
          );
        }
      } else {
        const refused = unparsable();
        if (refused) return refused;
      }
      let notice: Notice | undefined;
      if (normalise) {
        try {
          notice = normalise(bytes, sha256);
        } catch (error) {
          if (!(error instanceof CoincideError && error.code === 'NOTICE_UNSUPPORTED')) {
            logger.warn('event stored without a notice: normalisation failed', {
              ivorn,
              error: describeError(error),
            });
          }
        }
      }
      const put = await store.putEvent({
        bytes,
        sha256,
        ivorn,
        role: payload.role,
        receivedAtMs,
        peer: ingestOptions.peer,
        input: ingestOptions.input,
        ...(notice ? { notice } : {}),
      });
      if (put.status === 'duplicate') return { outcome: 'duplicate', eventId: put.eventId, sha256, ivorn };
      runCallbacks({
        eventId: put.eventId,
        sha256,
        ivorn,
        role: payload.role,
        bytes,
        input: ingestOptions.input,
        peer: ingestOptions.peer,
        receivedAtMs,
        format: 'voevent',
        payload,
        ...(notice ? { notice } : {}),
      });
      return { outcome: 'accepted', eventId: put.eventId, sha256, ivorn, ...(notice ? { notice } : {}) };
    },
  };
}

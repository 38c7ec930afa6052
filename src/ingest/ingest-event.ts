/**
 * The one ingest path every input uses (VTP receiver, VTP subscriber, GCN Kafka, replay):
 *
 * VOEvent XML:
 *   secure parse -> classify -> [IVOID rule] -> [schema validation] (a refusal of bytes already
 *   stored answers 'duplicate' instead) -> durable store of the raw event, marked "normalisation
 *   pending" (dedup by SHA-256: INSERT OR IGNORE; a copy already stored answers 'duplicate')
 *   -> resolve (the caller may ack now)
 *   -> after the ack, on a later turn: normalise -> store the notice and clear the mark (one
 *      transaction) -> callbacks (onEvent, onNotice).
 *   Normalisation (~1 ms of parsing per event) is kept off the ack path: the ack only waits for
 *   what the rule "committed before acked" needs, the raw bytes. The raw row is the durable
 *   record; if the process dies between the ack and the notice, `resumePending()` (run at
 *   start-up) normalises what the crash left pending and runs the callbacks then.
 * JSON notices (GCN Kafka unified schema, LVK; first byte '{'): de-dup pre-check -> normalise
 *   (the normaliser is the parser: it gives the ivorn and role to store, so it cannot wait)
 *   -> durable store (event + notice, one transaction) -> resolve -> callbacks.
 *
 * Duplicates (same bytes) resolve as 'duplicate' and never reach the callbacks, which is what cuts
 * loops in relay chains. Callbacks run after the caller has been answered, and their failures are
 * logged, never turned into a nak (Comet: the ack is sent before handlers run).
 */
import { CoincideError, describeError, isCoincideError, type ErrorCode } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Notice } from '../notices/notice.ts';
import {
  sha256Hex,
  type EventInput,
  type EventStore,
  type WriterNormalisation,
} from '../store/event-store.ts';
import type { TrustVerdict } from '../trust/trust-policy.ts';
import { parseIvoid } from '../vtp/ivoid.ts';
import { wellFormednessError } from '../voevent/xml-parse.ts';
import { prescanXml, type XmlPrescan } from '../voevent/xml-prescan.ts';
import { classifyPayload, type ParsedPayload } from '../vtp/payload.ts';

export interface ValidationResult {
  valid: boolean;
  /** Human-readable reasons (the first one becomes the nak reason). */
  errors: string[];
  /**
   * Set by a validator that parsed the document: true when it is not well-formed (refused as
   * unparsable, without a second parse), false when it is (an invalid one is nak'ed). Unset: the
   * ingest path checks well-formedness itself.
   */
  malformed?: boolean;
}

/**
 * Schema validation of raw event bytes (schema-adapter.ts adapts the project's validator to
 * this); `prescan`, when given, is the pre-scan of these bytes (not made again).
 */
export type EventValidator = (bytes: Buffer, prescan?: XmlPrescan) => Promise<ValidationResult>;

/**
 * Turns raw VOEvent bytes into a Notice (notices/parse-notice.ts adapts to this, in the calling
 * thread or in a thread of its own: normalisation-thread.ts). May throw (or reject with)
 * CoincideError NOTICE_UNSUPPORTED for events that are not notices: they are stored and relayed
 * without a Notice.
 */
export type EventNormaliser = (bytes: Buffer, sha256: string) => Notice | Promise<Notice>;

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
  /** The source's trust verdict (src/trust/): false = its notice is published, never joined. */
  trusted: boolean;
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
  /**
   * Judges each event's source against its ivorn's authority (src/trust/trust-policy.ts): a
   * refusal is a rejection (TRUST_REFUSED, a nak with its reason); omitted: every source is
   * accepted and trusted.
   */
  trust?: (ivorn: string, input: string, peer: string) => TrustVerdict;
}

/** True when the pre-scan finds a markup declaration (a DTD) in the document. */
function hasDtd(bytes: Uint8Array): boolean {
  try {
    prescanXml(bytes, { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: Number.MAX_SAFE_INTEGER });
    return false;
  } catch (error) {
    return isCoincideError(error) && error.code === 'XML_DTD_FORBIDDEN';
  }
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
  /**
   * Normalises the stored events whose normalisation a crash interrupted (acked, stored, no
   * notice yet) and runs their callbacks, oldest first; resolves with how many. Call once at
   * start-up, after the callbacks' outputs are ready and before any input starts. An ingestor
   * that was not told to does it at its first ingest (the inputs have started, so the outputs
   * exist), so that no user of the ingest path can leave them pending for good. Later calls
   * resolve with 0.
   */
  resumePending(): Promise<number>;
  /** Resolves once the post-ack work (normalisation, notice, callbacks) of every accepted event has run. */
  idle(): Promise<void>;
}

export function createEventIngestor(options: EventIngestorOptions): EventIngestor {
  const { store, validator, normalise, logger, clock, onEvent, onNotice } = options;
  const judge = options.trust ?? ((): TrustVerdict => ({ accepted: true, trusted: true }));

  /** Calls onEvent and onNotice now; their failures are logged, never thrown. */
  const callCallbacks = (event: IngestedEvent): void => {
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
  };
  /** The callbacks on a later turn, after the caller has been answered. */
  const runCallbacks = (event: IngestedEvent): void => {
    setImmediate(() => {
      callCallbacks(event);
    });
  };

  /** The event's Notice, or undefined when it is not a notice (NOTICE_UNSUPPORTED) or unreadable. */
  const normaliseStored = async (event: IngestedEvent): Promise<Notice | undefined> => {
    if (!normalise) return undefined;
    try {
      return await normalise(event.bytes, event.sha256);
    } catch (error) {
      if (!(error instanceof CoincideError && error.code === 'NOTICE_UNSUPPORTED')) {
        logger.warn('event stored without a notice: normalisation failed', {
          ivorn: event.ivorn,
          error: describeError(error),
        });
      }
      return undefined;
    }
  };

  /**
   * The deferred part of a stored VOEvent: normalise, commit the notice with the pending mark
   * cleared, then run the callbacks. Normalisations start as soon as each ack is written and
   * their commits are asked for as they finish (so they share transactions); only the callbacks
   * wait their turn, so that downstream sees events in the order they were stored. When the
   * notice cannot be committed, the callbacks do not run: the event stays pending and
   * resumePending() takes it up at the next start, so that nothing goes downstream twice.
   */
  let completing: Promise<void> = Promise.resolve();
  /**
   * `byWriter`: the store's writer has the event normalised after its commit, by the
   * normalisation thread it hands it to (PutEventResult `normalised`): nothing to do here but
   * wait for its notice.
   */
  const afterAck = (event: IngestedEvent, byWriter?: Promise<WriterNormalisation>): void => {
    const completed = byWriter
      ? byWriter.then(({ notice, warning }) => {
          if (warning !== undefined) {
            logger.warn('event stored without a notice: normalisation failed', {
              ivorn: event.ivorn,
              error: warning,
            });
          }
          return notice ? { ...event, notice } : event;
        })
      : new Promise<IngestedEvent>((resolve, reject) => {
          // setImmediate: the caller's ack is written first.
          setImmediate(() => {
            void normaliseStored(event)
              .then(async (notice) => {
                if (normalise) await store.completeNormalisation(event.eventId, event.receivedAtMs, notice);
                return notice ? { ...event, notice } : event;
              })
              .then(resolve, reject);
          });
        });
    // Handled below, in turn; this keeps a failure that comes before its turn from counting as
    // an unhandled rejection meanwhile.
    completed.catch(() => undefined);
    completing = completing
      .then(() => completed)
      .then(callCallbacks, (error: unknown) => {
        logger.error('could not complete an event after its ack; left pending for the next start', {
          ivorn: event.ivorn,
          error: describeError(error),
        });
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
    const existing = store.storedKey(sha256);
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
      notice = await normalise(bytes, sha256);
    } catch (error) {
      return rejected(
        isCoincideError(error) ? error.code : 'JSON_MALFORMED',
        describeError(error),
        '',
        sha256,
      );
    }
    const verdict = judge(notice.ivorn, ingestOptions.input, ingestOptions.peer);
    if (!verdict.accepted) return rejected('TRUST_REFUSED', verdict.reason, notice.ivorn, sha256);
    const put = await store.putEvent({
      bytes,
      sha256,
      ivorn: notice.ivorn,
      role: notice.role,
      receivedAtMs,
      peer: ingestOptions.peer,
      input: ingestOptions.input,
      notice,
      trusted: verdict.trusted,
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
      trusted: verdict.trusted,
    });
    return { outcome: 'accepted', eventId: put.eventId, sha256, ivorn: notice.ivorn, notice };
  };

  /**
   * The events left pending by an earlier run, through the same after-ack path. Only those
   * pending when it starts (ids up to the largest then): events acked meanwhile are already on
   * their way and must not be taken twice.
   */
  let resuming: Promise<number> | undefined;
  const resume = async (): Promise<number> => {
    let count = 0;
    let lastId = 0;
    const upToId = store.lastPendingNormalisationId();
    for (;;) {
      const batch = store.pendingNormalisation(100, lastId).filter((e) => e.id <= upToId);
      if (batch.length === 0) return count;
      for (const stored of batch) {
        lastId = stored.id;
        let payload: ParsedPayload | undefined;
        try {
          payload = classifyPayload(stored.bytes);
        } catch {
          payload = undefined; // it was well-formed when stored; relayed without a parsed payload
        }
        afterAck({
          eventId: stored.id,
          sha256: stored.sha256,
          ivorn: stored.ivorn,
          role: stored.role,
          bytes: stored.bytes,
          input: stored.input,
          peer: stored.peer,
          receivedAtMs: stored.receivedAtMs,
          format: 'voevent',
          ...(payload ? { payload } : {}),
          trusted: stored.trusted,
        });
        count += 1;
      }
      await completing;
    }
  };

  return {
    async idle() {
      // A completion may queue behind the one awaited; wait until the chain stops growing.
      for (let last: Promise<void> | undefined; last !== completing;) {
        last = completing;
        await last;
      }
    },

    resumePending() {
      // Once per ingestor: a second call (or one after the first ingest started it) waits for it.
      if (resuming) return resuming.then(() => 0);
      resuming = resume();
      return resuming;
    },

    async ingest(bytes, ingestOptions) {
      if (resuming === undefined) {
        resuming = resume();
        resuming.catch((error: unknown) => {
          logger.error('could not resume the events left pending', { error: describeError(error) });
        });
      }
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
      /**
       * The payload was classified from its pre-scan only (classifyPayload); a document that is
       * not well-formed is refused as unparsable (ivorn '', as Comet, which parses before anything
       * else). libxml2 decides (voevent/xml-parse.ts), once: when the schema validator has parsed
       * the document, its verdict says it and nothing is parsed again.
       */
      const unparsable = (validated?: ValidationResult): IngestOutcome | undefined => {
        if (validated?.malformed === false) return undefined;
        if (validated?.malformed === true) {
          return rejected('XML_MALFORMED', validated.errors[0] ?? 'not well-formed XML', '', sha256);
        }
        // A DTD never reaches a parser (billion laughs, XXE): refused, with a reason.
        if (hasDtd(bytes)) {
          return rejected(
            'XML_DTD_FORBIDDEN',
            'DTDs and entity declarations are refused',
            payload.ivorn,
            sha256,
          );
        }
        const error = wellFormednessError(bytes);
        return error === undefined ? undefined : rejected('XML_MALFORMED', error, '', sha256);
      };
      if (payload.kind !== 'voevent') {
        return rejected('VOEVENT_NOT_VOEVENT', `not a VOEvent (role "${payload.role}")`, '', sha256);
      }
      const ivorn = payload.ivorn;
      if (ivorn === '') return rejected('VOEVENT_MISSING_FIELD', 'VOEvent has no ivorn', '', sha256);
      /**
       * Bytes already stored are a duplicate, whatever the checks below would say of them now
       * (a source no longer trusted; an event first stored from an upstream broker, which is
       * not schema-checked). The store is asked only before a refusal: for an event that passes,
       * the writer's INSERT OR IGNORE gives the same answer (put.status 'duplicate'), so the
       * common case, a new event, costs no database read in this thread (issue 14: 35-45 µs
       * of the main thread per event). Stored bytes were well-formed, so `unparsable` goes first.
       */
      const refuse = (refusal: IngestOutcome): IngestOutcome => findDuplicate(sha256, ivorn) ?? refusal;
      if (ingestOptions.checkIvoid) {
        const ivoid = parseIvoid(ivorn);
        if (!ivoid) {
          return (
            unparsable() ?? refuse(rejected('VTP_INVALID_IVOID', `Invalid IVOID: ${ivorn}`, ivorn, sha256))
          );
        }
        if (ivoid.localId === '')
          return unparsable() ?? refuse(rejected('VTP_NO_LOCAL_ID', 'No per-event local ID', ivorn, sha256));
      }
      // Before the schema validation: a refused source costs no more than this.
      const verdict = judge(ivorn, ingestOptions.input, ingestOptions.peer);
      if (!verdict.accepted) {
        return unparsable() ?? refuse(rejected('TRUST_REFUSED', verdict.reason, ivorn, sha256));
      }
      if (ingestOptions.validate && validator) {
        const result = await validator(bytes, payload.prescan);
        if (!result.valid) {
          return (
            unparsable(result) ??
            refuse(rejected('SCHEMA_INVALID', result.errors[0] ?? 'schema validation failed', ivorn, sha256))
          );
        }
      } else {
        const refused = unparsable();
        if (refused) return refused;
      }
      const put = await store.putEvent({
        bytes,
        sha256,
        ivorn,
        role: payload.role,
        receivedAtMs,
        peer: ingestOptions.peer,
        input: ingestOptions.input,
        pendingNormalisation: normalise !== undefined,
        trusted: verdict.trusted,
      });
      if (put.status === 'duplicate') return { outcome: 'duplicate', eventId: put.eventId, sha256, ivorn };
      afterAck(
        {
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
          trusted: verdict.trusted,
        },
        put.normalised,
      );
      return { outcome: 'accepted', eventId: put.eventId, sha256, ivorn };
    },
  };
}

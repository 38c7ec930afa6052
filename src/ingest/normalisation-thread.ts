/**
 * The app's normaliser (notices/parse-notice.ts `parseNoticeDocument`) in a worker thread.
 *
 * Why: normalising a VOEvent parses it in full (~1.3 ms), more than the rest of its ingest put
 * together. It runs after the ack, but in the main thread it would still hold up the
 * submissions that arrive meanwhile; in a thread of its own it runs on another core.
 *
 * Errors: what the normaliser throws comes back with its code (NOTICE_UNSUPPORTED, ...), as if
 * it had run here. If the thread itself fails, the document is normalised in the calling
 * thread instead: slower, never lost.
 */
import type { MessagePort } from 'node:worker_threads';
import { CoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import { ownCopy, startThreadClient } from '../worker-thread.ts';

export interface ThreadedNormaliser {
  normalise(bytes: Uint8Array): Promise<Notice>;
  /** Resolves once the thread has started, or has failed to (the calling thread normalises then). */
  ready(): Promise<void>;
  /** Stops the thread; later documents are normalised in the calling thread. */
  close(): Promise<void>;
}

/** Marks a failure of the thread itself (not of the document), for the fallback below. */
const THREAD_FAILED = Symbol('normalisation thread failed');

export interface ThreadedNormaliserOptions {
  /**
   * A port to the event writer thread (EventStore `normaliser`): the thread also normalises the
   * events the writer hands it after their commit (store/event-normalisation.ts).
   */
  writerPort?: MessagePort;
}

export function createThreadedNormaliser(options: ThreadedNormaliserOptions = {}): ThreadedNormaliser {
  const { writerPort } = options;
  const thread = startThreadClient<Uint8Array, Notice>(
    new URL('./normalisation-thread-worker.ts', import.meta.url),
    {
      ...(writerPort ? { workerData: { writerPort }, transferList: [writerPort] } : {}),
      // A normaliser error without a code of its own is a bad value in the document.
      requestFailed: (message, code) => new CoincideError(code ?? 'NOTICE_BAD_VALUE', message),
      threadFailed: (reason, cause) =>
        Object.assign(new CoincideError('NOTICE_BAD_VALUE', `normalisation thread: ${reason}`, { cause }), {
          [THREAD_FAILED]: true,
        }),
    },
  );
  return {
    async normalise(bytes) {
      try {
        const own = ownCopy(bytes);
        return await thread.call(own, [own.buffer]);
      } catch (error) {
        if (typeof error === 'object' && error !== null && THREAD_FAILED in error)
          return parseNoticeDocument(bytes);
        throw error;
      }
    },
    ready: () => thread.ready().catch(() => undefined),
    close: () => thread.close(),
  };
}

/**
 * The event writer thread and the normalisation thread, talking directly (issue 14): the writer
 * hands each event it has just committed with the "normalisation pending" mark to the
 * normalisation thread over a MessagePort of their own, and gets the notice row back the same
 * way, to commit it with its next write (event-writer-thread.ts).
 *
 * Why: the event bytes are already in the writer thread, and the notice goes to the store. Sent
 * through the main thread instead, each event costs it four more messages (the bytes out to the
 * normalisation thread, the Notice back as a structured clone, the notice row out to the writer,
 * its answer back) and a JSON.stringify. The writer itself never parses (a write arriving during
 * a parse would wait for it: the ack p99 of the design where the writer normalised was 1.5-3x
 * worse), and the normalisation thread keeps its low priority (thread-priority.ts).
 *
 * Protocol: the writer posts arrays of EventToNormalise (one message per transaction); the
 * thread answers each array with an array of NormalisedRow, in order.
 */
import type { MessagePort } from 'node:worker_threads';
import { describeError, isCoincideError } from '../errors.ts';
import type { Notice } from '../notices/notice.ts';
import { noticeRow, type NoticeRowValues } from './event-writes.ts';

export interface EventToNormalise {
  eventId: number;
  receivedAtMs: number;
  bytes: Uint8Array;
  sha256: string;
}

export interface NormalisedRow {
  eventId: number;
  receivedAtMs: number;
  /** Absent: the event is not a notice (NOTICE_UNSUPPORTED) or could not be normalised. */
  notice?: NoticeRowValues;
  /** Why normalising failed (other than NOTICE_UNSUPPORTED): the event is stored without a notice. */
  warning?: string;
}

/** The normalisation of one stored event, as the writer commits it. */
export function normaliseStoredEvent(
  event: EventToNormalise,
  normalise: (bytes: Uint8Array, sha256: string) => Notice,
): NormalisedRow {
  let notice: Notice | undefined;
  let warning: string | undefined;
  try {
    notice = normalise(event.bytes, event.sha256);
  } catch (error) {
    // NOTICE_UNSUPPORTED: a valid event that is not a notice, stored and relayed without one.
    if (!(isCoincideError(error) && error.code === 'NOTICE_UNSUPPORTED')) warning = describeError(error);
  }
  return {
    eventId: event.eventId,
    receivedAtMs: event.receivedAtMs,
    ...(notice ? { notice: noticeRow(notice) } : {}),
    ...(warning !== undefined ? { warning } : {}),
  };
}

/** The normalisation thread's side: answers every array of events the writer posts on `port`. */
export function serveEventNormalisation(
  port: MessagePort,
  normalise: (bytes: Uint8Array, sha256: string) => Notice,
): void {
  port.on('message', (events: EventToNormalise[]) => {
    port.postMessage(events.map((event) => normaliseStoredEvent(event, normalise)));
  });
}

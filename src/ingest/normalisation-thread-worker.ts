/**
 * The normalisation thread (see normalisation-thread.ts): the app's normaliser
 * (notices/parse-notice.ts) on one document per request, answered in the order asked; and, when
 * given a port to the event writer thread, on the events the writer hands it after their commit
 * (store/event-normalisation.ts). It runs after the ack, at a lower priority than the ack path
 * (thread-priority.ts).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Notice } from '../notices/notice.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import { serveEventNormalisation } from '../store/event-normalisation.ts';
import { DEFERRED_WORK_NICE, setThreadNice } from '../thread-priority.ts';
import { serveThreadRequests } from '../worker-thread.ts';

setThreadNice(DEFERRED_WORK_NICE);
serveThreadRequests((bytes: Uint8Array): Notice => parseNoticeDocument(bytes));
const writerPort = (workerData as { writerPort?: MessagePort } | undefined)?.writerPort;
if (writerPort)
  serveEventNormalisation(writerPort, (bytes, sha256) => parseNoticeDocument(bytes, { sha256 }));

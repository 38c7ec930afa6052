/**
 * The normalisation thread (see normalisation-thread.ts): the app's normaliser
 * (notices/parse-notice.ts) on one document per request, answered in the order asked. It runs
 * after the ack, at a lower priority than the ack path (thread-priority.ts).
 */
import type { Notice } from '../notices/notice.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import { DEFERRED_WORK_NICE, setThreadNice } from '../thread-priority.ts';
import { serveThreadRequests } from '../worker-thread.ts';

setThreadNice(DEFERRED_WORK_NICE);
serveThreadRequests((bytes: Uint8Array): Notice => parseNoticeDocument(bytes));

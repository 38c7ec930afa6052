/**
 * The normalisation thread (see normalisation-thread.ts): the app's normaliser
 * (notices/parse-notice.ts) on one document per request, answered in the order asked.
 */
import type { Notice } from '../notices/notice.ts';
import { parseNoticeDocument } from '../notices/parse-notice.ts';
import { serveThreadRequests } from '../worker-thread.ts';

serveThreadRequests((bytes: Uint8Array): Notice => parseNoticeDocument(bytes));

/** The thread side of the import pool (import-pool.ts): prepares runs of documents. */
import { workerData } from 'node:worker_threads';
import { serveThreadRequests } from '../worker-thread.ts';
import {
  PreparedRegionCache,
  prepareImportDocument,
  threadPrepared,
  type ImportDocument,
} from './import-prepare.ts';

const levelsPct = (workerData as { levelsPct: number[] }).levelsPct;

const cache = new PreparedRegionCache();

serveThreadRequests((docs: ImportDocument[]) =>
  docs.map((doc) => threadPrepared(prepareImportDocument(doc, levelsPct, cache))),
);

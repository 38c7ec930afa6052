import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCoincideError } from '../../src/errors.ts';
import { createThreadedNormaliser } from '../../src/ingest/normalisation-thread.ts';
import type { Notice } from '../../src/notices/notice.ts';
import { parseNoticeDocument } from '../../src/notices/parse-notice.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

/** The Notice, or the code of the error, of one document. */
async function outcomeOf(normalise: () => Notice | Promise<Notice>): Promise<Notice | string> {
  try {
    return await normalise();
  } catch (error) {
    return isCoincideError(error) ? error.code : `uncoded: ${String(error)}`;
  }
}

describe('normalisation thread', () => {
  it(
    'gives the Notice, or the error code, of the in-thread normaliser',
    { skip: skipUnlessShared() },
    async () => {
      const threaded = createThreadedNormaliser();
      try {
        const files = [
          ...listFiles(`${SAMPLES_DIR}/voevent`, ['.xml']),
          ...listFiles(`${SAMPLES_DIR}/gcn-json`, ['.json']),
        ];
        assert.ok(files.length > 10);
        let notices = 0;
        for (const file of files) {
          const bytes = readFileSync(file);
          const inThread = await outcomeOf(() => parseNoticeDocument(bytes));
          assert.deepEqual(await outcomeOf(() => threaded.normalise(bytes)), inThread, file);
          if (typeof inThread !== 'string') notices += 1;
        }
        assert.ok(notices > 10, 'most samples are notices');
      } finally {
        await threaded.close();
      }
    },
  );

  it('keeps the error code of a document that is not a notice', async () => {
    const threaded = createThreadedNormaliser();
    try {
      await assert.rejects(threaded.normalise(Buffer.from('   ')), { code: 'INPUT_EMPTY' });
      await assert.rejects(threaded.normalise(Buffer.from('{"not": "a notice"}')), (error: unknown) => {
        assert.ok(isCoincideError(error));
        assert.equal(
          error.code,
          (() => {
            try {
              parseNoticeDocument(Buffer.from('{"not": "a notice"}'));
              return 'none';
            } catch (e) {
              return isCoincideError(e) ? e.code : 'uncoded';
            }
          })(),
        );
        return true;
      });
    } finally {
      await threaded.close();
    }
  });

  it('normalises in the calling thread once its thread is closed', async () => {
    const threaded = createThreadedNormaliser();
    await threaded.close();
    await assert.rejects(threaded.normalise(Buffer.from('   ')), { code: 'INPUT_EMPTY' });
  });
});

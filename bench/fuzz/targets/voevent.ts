/**
 * The VOEvent reader and notice normalisation (src/voevent/parse.ts, src/notices/*): the path of
 * every received VOEvent, through parseNoticeDocument.
 */
import fc from 'fast-check';
import { parseNoticeDocument } from '../../../src/notices/parse-notice.ts';
import { pristineSeeds, showBytes } from '../mutate.ts';
import { countSeeds } from '../seeds.ts';
import type { FuzzTarget } from '../target.ts';
import { voeventDocuments, xmlSeeds } from './xml-seeds.ts';

export const voeventTarget: FuzzTarget<Uint8Array> = {
  name: 'voevent',
  covers: 'src/voevent/parse.ts, src/notices/normalise-voevent.ts and the notice families',
  setup({ sharedSeeds }) {
    const seeds = xmlSeeds(sharedSeeds);
    return Promise.resolve({
      arbitrary: fc.oneof(
        { weight: 11, arbitrary: voeventDocuments(seeds.all) },
        { weight: 1, arbitrary: pristineSeeds(seeds.all) },
      ),
      run(bytes) {
        parseNoticeDocument(bytes);
      },
      show: showBytes,
      seedCounts: countSeeds({ project: seeds.project, shared: seeds.shared }),
    });
  },
};

/**
 * GCN JSON notices, IGWN alerts (JSON and Avro) through parseNoticeDocument
 * (src/notices/parse-notice.ts, src/notices/gcn-json/*).
 */
import fc from 'fast-check';
import { parseNoticeDocument } from '../../../src/notices/parse-notice.ts';
import { generatedJson, JSON_TOKENS } from '../gen/json.ts';
import { mutatedSeeds, pristineSeeds, showBytes } from '../mutate.ts';
import { countSeeds, projectSeeds, sharedSeeds } from '../seeds.ts';
import type { FuzzTarget } from '../target.ts';

export const gcnJsonTarget: FuzzTarget<Uint8Array> = {
  name: 'gcn-json',
  covers: 'src/notices/parse-notice.ts, src/notices/gcn-json/* (JSON and IGWN Avro alerts)',
  setup({ sharedSeeds: useShared }) {
    const project = [
      ...projectSeeds('fixtures/notices', ['.json']),
      ...projectSeeds('fixtures/demo', ['.json']),
    ];
    const shared = sharedSeeds(useShared, 'gcn-json', ['.json', '.avro']);
    const all = [...project, ...shared];
    const schemas = [
      ...new Set(
        all.flatMap(
          (s) => /"\$schema"\s*:\s*"([^"]+)"/.exec(Buffer.from(s.bytes).toString('utf8'))?.[1] ?? [],
        ),
      ),
      'https://gcn.nasa.gov/schema/main/gcn/notices/icecube/lvk_nu_track_search.schema.json',
    ];
    return Promise.resolve({
      arbitrary: fc.oneof(
        { weight: 6, arbitrary: mutatedSeeds(all, { tokens: JSON_TOKENS, focusBytes: 64 * 1024 }) },
        { weight: 4, arbitrary: generatedJson(schemas) },
        { weight: 1, arbitrary: pristineSeeds(all) },
      ),
      run(bytes) {
        parseNoticeDocument(bytes);
      },
      show: showBytes,
      seedCounts: countSeeds({ project, shared }),
    });
  },
};

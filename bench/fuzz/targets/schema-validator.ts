/**
 * The schema validator (src/voevent/schema-validator.ts: the guard, then libxml2 against the
 * VOEvent 2.0/1.1 and Transport schemas). It answers with a verdict rather than throwing: a
 * refusal must carry a code from src/errors.ts, counted here by throwing it.
 */
import { CoincideError, ERROR_CODES } from '../../../src/errors.ts';
import { createSchemaValidator } from '../../../src/voevent/schema-validator.ts';
import { showBytes } from '../mutate.ts';
import { countSeeds } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';
import { voeventDocuments, xmlSeeds } from './xml-seeds.ts';

export const schemaValidatorTarget: FuzzTarget<Uint8Array> = {
  name: 'schema-validator',
  covers: 'src/voevent/schema-validator.ts (guard + libxml2 XSD validation)',
  setup({ sharedSeeds }) {
    const seeds = xmlSeeds(sharedSeeds);
    const validator = createSchemaValidator();
    return Promise.resolve({
      arbitrary: voeventDocuments(seeds.all),
      run(bytes) {
        const verdict = validator.validateSync(bytes);
        if (verdict.valid) return;
        if (verdict.code === undefined || !(verdict.code in ERROR_CODES)) {
          throw new FuzzFinding(
            `invalid verdict without a known code: ${JSON.stringify(verdict).slice(0, 300)}`,
          );
        }
        throw new CoincideError(verdict.code, verdict.errors.join('; '));
      },
      show: showBytes,
      seedCounts: countSeeds({ project: seeds.project, shared: seeds.shared }),
      close: () => validator.close(),
    });
  },
};

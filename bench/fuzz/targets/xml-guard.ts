/**
 * The XML guard (src/voevent/secure-xml.ts): guardXml and peekXmlRoot on any bytes.
 * Property beyond "coded refusal": when guardXml accepts, peekXmlRoot reads the same root.
 */
import fc from 'fast-check';
import { guardXml, peekXmlRoot } from '../../../src/voevent/secure-xml.ts';
import { generatedXml, nestedXml, XML_TOKENS } from '../gen/xml.ts';
import { mutatedSeeds, pristineSeeds, showBytes } from '../mutate.ts';
import { countSeeds } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';
import { xmlSeeds } from './xml-seeds.ts';

export const xmlGuardTarget: FuzzTarget<Uint8Array> = {
  name: 'xml-guard',
  covers: 'src/voevent/secure-xml.ts (guardXml, peekXmlRoot)',
  setup({ sharedSeeds }) {
    const seeds = xmlSeeds(sharedSeeds);
    return Promise.resolve({
      arbitrary: fc.oneof(
        { weight: 5, arbitrary: mutatedSeeds(seeds.all, { tokens: XML_TOKENS }) },
        { weight: 3, arbitrary: generatedXml },
        { weight: 1, arbitrary: nestedXml },
        { weight: 1, arbitrary: pristineSeeds(seeds.all) },
      ),
      run(bytes) {
        const guarded = guardXml(bytes);
        const peeked = peekXmlRoot(bytes);
        if (JSON.stringify(peeked) !== JSON.stringify(guarded.root)) {
          throw new FuzzFinding(
            `peekXmlRoot ${JSON.stringify(peeked)} differs from guardXml ${JSON.stringify(guarded.root)}`,
          );
        }
      },
      show: showBytes,
      seedCounts: countSeeds({ project: seeds.project, shared: seeds.shared }),
    });
  },
};

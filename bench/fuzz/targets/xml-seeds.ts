/** The XML seeds shared by the XML, VOEvent and VTP targets. */
import fc from 'fast-check';
import { generatedVoEvent } from '../gen/voevent.ts';
import { generatedXml, nestedXml, XML_TOKENS } from '../gen/xml.ts';
import { mutatedSeeds, type Seed } from '../mutate.ts';
import { projectSeeds, sharedSeeds } from '../seeds.ts';

export interface XmlSeeds {
  project: Seed[];
  shared: Seed[];
  all: Seed[];
}

export function xmlSeeds(useShared: boolean): XmlSeeds {
  const project = [
    ...projectSeeds('fixtures/voevent', ['.xml']),
    ...projectSeeds('fixtures/notices', ['.xml']),
    ...projectSeeds('fixtures/demo', ['.xml']),
  ];
  const shared = sharedSeeds(useShared, 'voevent', ['.xml']);
  return { project, shared, all: [...project, ...shared] };
}

/** VOEvent-like documents: mutated seeds, generated VOEvents, generated XML, deep nesting. */
export function voeventDocuments(seeds: readonly Seed[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedSeeds(seeds, { tokens: XML_TOKENS }) },
    { weight: 3, arbitrary: generatedVoEvent },
    { weight: 1, arbitrary: generatedXml },
    { weight: 1, arbitrary: nestedXml },
  );
}

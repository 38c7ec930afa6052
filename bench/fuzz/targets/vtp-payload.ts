/**
 * One VTP payload (src/vtp/payload.ts, messages.ts, transport-sniff.ts) as every role reads it:
 * the fast recogniser of acks and iamalives, the lazy classifier, the full DOM parse and the
 * Transport message reader. Properties beyond "coded refusal" (both documented in the modules):
 *  - when sniffSimpleTransport names a role, the full parser reads a Transport with that role;
 *  - classifyPayload (+ DOM access) and parsePayload agree: same outcome, same classification;
 *  - as on the service's paths, nesting is measured before any parse: a document nested deeper
 *    than the limit is refused (XML_TOO_DEEP) or flagged by classifyPayload, in agreement with
 *    nesting-scan.ts, and is never parsed (a DOM of 20,000 nested elements costs seconds).
 */
import fc from 'fast-check';
import { CoincideError, isCoincideError } from '../../../src/errors.ts';
import { DEFAULT_MAX_NESTING_DEPTH, nestingWithin } from '../../../src/vtp/nesting-scan.ts';
import { readTransport, xpathFiltersOf } from '../../../src/vtp/messages.ts';
import { classifyPayload, documentOf, parsePayload, type ParsedPayload } from '../../../src/vtp/payload.ts';
import { sniffSimpleTransport } from '../../../src/vtp/transport-sniff.ts';
import { generatedXml, nestedXml, XML_TOKENS } from '../gen/xml.ts';
import { generatedTransport } from '../gen/transport.ts';
import { generatedVoEvent } from '../gen/voevent.ts';
import { mutatedSeeds, showBytes } from '../mutate.ts';
import { countSeeds } from '../seeds.ts';
import { FuzzFinding, type FuzzTarget } from '../target.ts';
import { transportSeeds } from './transport-seeds.ts';
import { xmlSeeds } from './xml-seeds.ts';

function attempt<T>(read: () => T): { value: T } | { error: unknown } {
  try {
    return { value: read() };
  } catch (error) {
    return { error };
  }
}

const codeOf = (error: unknown): string => (isCoincideError(error) ? error.code : `uncoded ${String(error)}`);

function summary(p: ParsedPayload): string {
  return JSON.stringify([p.kind, p.role, p.ivorn, p.rootLocalName, p.rootNamespace]);
}

export const vtpPayloadTarget: FuzzTarget<Uint8Array> = {
  name: 'vtp-payload',
  covers: 'src/vtp/payload.ts, src/vtp/messages.ts (readTransport), src/vtp/transport-sniff.ts',
  setup({ sharedSeeds }) {
    const xml = xmlSeeds(sharedSeeds);
    const transport = transportSeeds();
    const all = [...transport, ...xml.all];
    return Promise.resolve({
      arbitrary: fc.oneof(
        { weight: 4, arbitrary: mutatedSeeds(transport, { tokens: XML_TOKENS }) },
        { weight: 4, arbitrary: mutatedSeeds(all, { tokens: XML_TOKENS }) },
        { weight: 3, arbitrary: generatedTransport },
        { weight: 1, arbitrary: generatedVoEvent },
        { weight: 1, arbitrary: generatedXml },
        { weight: 1, arbitrary: nestedXml },
      ),
      run(input) {
        const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
        const sniffed = sniffSimpleTransport(bytes);
        const within = nestingWithin(bytes, DEFAULT_MAX_NESTING_DEPTH);
        const classified = attempt(() => classifyPayload(bytes));
        const flaggedDeep =
          'value' in classified
            ? classified.value.nestedTooDeep
            : isCoincideError(classified.error) && classified.error.code === 'XML_TOO_DEEP';
        if (flaggedDeep === within) {
          throw new FuzzFinding(
            `nesting-scan says ${within ? 'within' : 'beyond'} the limit, classifyPayload ${flaggedDeep ? 'too deep' : 'not too deep'}`,
          );
        }
        // The sniffer reads only the root start tag (a linear scan, no DOM): it may name the role
        // of a too-deep document, which the service then refuses like any other.
        if (!within) {
          throw new CoincideError('XML_TOO_DEEP', 'nested deeper than the limit: refused before any parse');
        }
        const full = attempt(() => parsePayload(bytes));
        const lazy = attempt(() => {
          const payload = classifyPayload(bytes);
          documentOf(payload);
          return payload;
        });
        if (
          sniffed !== undefined &&
          !('value' in full && full.value.kind === 'transport' && full.value.role === sniffed)
        ) {
          throw new FuzzFinding(
            `sniffSimpleTransport says ${sniffed}, the full parser says ${'value' in full ? summary(full.value) : codeOf(full.error)}`,
          );
        }
        if ('value' in full !== 'value' in lazy) {
          throw new FuzzFinding(
            `parsePayload ${'value' in full ? summary(full.value) : codeOf(full.error)} but classifyPayload ${'value' in lazy ? summary(lazy.value) : codeOf(lazy.error)}`,
          );
        }
        if ('error' in full) {
          if ('error' in lazy && codeOf(lazy.error) !== codeOf(full.error)) {
            throw new FuzzFinding(
              `parsePayload refuses with ${codeOf(full.error)}, classifyPayload with ${codeOf(lazy.error)}`,
            );
          }
          throw full.error;
        }
        if ('value' in lazy && summary(lazy.value) !== summary(full.value)) {
          throw new FuzzFinding(
            `parsePayload ${summary(full.value)} but classifyPayload ${summary(lazy.value)}`,
          );
        }
        if (full.value.kind === 'transport') xpathFiltersOf(readTransport(full.value));
      },
      show: showBytes,
      seedCounts: countSeeds({ transport, project: xml.project, shared: xml.shared }),
    });
  },
};

/**
 * The namespaces of the documents this project reads: VOEvent roots and VTP Transport roots.
 */
import type { VoEventVersion } from './voevent.ts';

export const VOEVENT_2_0_NS = 'http://www.ivoa.net/xml/VOEvent/v2.0';
export const VOEVENT_1_1_NS = 'http://www.ivoa.net/xml/VOEvent/v1.1';
/** VOEvent 1.1 puts STC elements (ObsDataLocation...) in this namespace. */
export const STC_1_30_NS = 'http://www.ivoa.net/xml/STC/stc-v1.30.xsd';

/** VOEvent root namespace -> version. */
export const VOEVENT_NAMESPACES: ReadonlyMap<string, VoEventVersion> = new Map([
  [VOEVENT_2_0_NS, '2.0'],
  [VOEVENT_1_1_NS, '1.1'],
]);

/**
 * Namespaces of the VTP Transport root seen on the wire (reference/vtp.md §3.2): Comet's,
 * GCN/pygcn's, the 4PiSky variant, the unmerged VTP 2.0 erratum and Comet's unreleased branch.
 */
export const TRANSPORT_NAMESPACES: readonly string[] = [
  'http://www.telescope-networks.org/xml/Transport/v1.1',
  'http://telescope-networks.org/schema/Transport/v1.1',
  'http://telescope-networks.org/xml/Transport/v1.1',
  'http://www.ivoa.net/xml/VTP/v2',
  'http://www.telescope-networks.org/xml/Transport/v2.0',
];

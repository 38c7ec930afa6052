/** Transport messages as coincide writes them (and as Comet and pygcn send them): VTP seeds. */
import {
  ack,
  authenticate,
  authenticateReply,
  iamalive,
  iamaliveReply,
  nak,
  TRANSPORT_NAMESPACE_COMET,
} from '../../../src/vtp/messages.ts';
import type { Seed } from '../mutate.ts';
import { projectSeeds } from '../seeds.ts';

export function transportSeeds(): Seed[] {
  const at = { nowMs: Date.UTC(2026, 0, 1) };
  const comet = { ...at, namespace: TRANSPORT_NAMESPACE_COMET };
  const ivo = 'ivo://coincide/fuzz';
  const event = 'ivo://nasa.gsfc.gcn/Fermi#GBM_Fin_Pos2017-08-17T12:41:06.47_524666471-0-118';
  const made: Array<[string, Buffer]> = [
    ['ack', ack(event, ivo, at)],
    ['nak', nak(event, ivo, 'Previously seen by this broker', comet)],
    ['iamalive', iamalive(ivo, at)],
    ['iamalive-reply', iamaliveReply(ivo, 'ivo://peer/sub', comet)],
    ['authenticate', authenticate(ivo, at)],
    [
      'authenticate-reply',
      authenticateReply(
        ivo,
        'ivo://peer/sub',
        ["//Param[@name='Packet_Type' and @value='115']", '//Who'],
        at,
      ),
    ],
  ];
  return [
    ...made.map(([name, bytes]) => ({ name, bytes })),
    ...projectSeeds('fixtures/voevent', ['transport-ack.xml']),
  ];
}

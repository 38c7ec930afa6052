/** Every fuzz target, by name, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from '../target.ts';
import { avroAlertsTarget } from './avro-alerts.ts';
import { configTarget } from './config.ts';
import { fitsSkyMapTarget } from './fits-skymap.ts';
import { gcnJsonTarget } from './gcn-json.ts';
import { httpApiTarget } from './http-api.ts';
import { mocTextTarget } from './moc-text.ts';
import { websocketStreamTarget } from './websocket-stream.ts';
import { schemaValidatorTarget } from './schema-validator.ts';
import { voeventTarget } from './voevent.ts';
import { vtpFramingTarget } from './vtp-framing.ts';
import { vtpPayloadTarget } from './vtp-payload.ts';
import { xmlGuardTarget } from './xml-guard.ts';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  vtpFramingTarget,
  vtpPayloadTarget,
  xmlGuardTarget,
  voeventTarget,
  schemaValidatorTarget,
  gcnJsonTarget,
  avroAlertsTarget,
  fitsSkyMapTarget,
  mocTextTarget,
  httpApiTarget,
  websocketStreamTarget,
  configTarget,
];

export function findTarget(name: string): FuzzTarget {
  const target = FUZZ_TARGETS.find((t) => t.name === name);
  if (!target)
    throw new Error(`unknown fuzz target ${name} (known: ${FUZZ_TARGETS.map((t) => t.name).join(', ')})`);
  return target;
}

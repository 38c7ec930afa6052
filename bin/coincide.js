#!/usr/bin/env -S node --initial-old-space-size=128
// Entry point of the `coincide` command: runs the TypeScript sources through tsx,
// so that `npx coincide ...` works straight after `npm ci` with no build step.
// A command line that names no known command (--help, --version, a typo) is answered by
// bin/cli-top-level.js alone, without tsx: `coincide --help` stays well under 0.5 s.
// A command with a bundle (bin/cli-bundle.js: `replay`) runs from that plain-JavaScript bundle,
// without tsx, whenever it can be built; otherwise through tsx like the others.
//
// --initial-old-space-size=128: with V8's default the old generation starts so small that the
// ~10 MiB Kafka fetch responses of the optical stream survive young collections and are freed
// only by full mark-compacts (72 against 6 in a 10,000-alert run); this flag doubles kafkajs
// consume throughput (bench/optical.ts). It cannot be set from NODE_OPTIONS or at run time.
import process from 'node:process';
import { commandBundle } from './cli-bundle.js';
import { isCommandName, namedCommand, runTopLevel } from './cli-top-level.js';

const argv = process.argv.slice(2);
const named = namedCommand(argv);
if (named === undefined || !isCommandName(named)) {
  await runTopLevel(argv);
} else {
  const bundle = await commandBundle(named);
  // The bundle's entry never rejects once it runs (run-cli.ts reports a command's errors): a
  // rejection here is a bundle that could not be loaded, and the command runs through tsx instead.
  const ran =
    bundle !== undefined &&
    (await import(bundle.href).then(
      () => true,
      () => false,
    ));
  if (!ran) {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
  }
}

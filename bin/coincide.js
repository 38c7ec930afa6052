#!/usr/bin/env -S node --initial-old-space-size=128
// Entry point of the `coincide` command: runs the TypeScript sources through tsx,
// so that `npx coincide ...` works straight after `npm ci` with no build step.
//
// --initial-old-space-size=128: with V8's default the old generation starts so small that the
// ~10 MiB Kafka fetch responses of the optical stream survive young collections and are freed
// only by full mark-compacts (72 against 6 in a 10,000-alert run); this flag doubles kafkajs
// consume throughput (bench/optical.ts). It cannot be set from NODE_OPTIONS or at run time.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

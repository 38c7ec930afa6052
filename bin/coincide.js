#!/usr/bin/env node
// Entry point of the `coincide` command: runs the TypeScript sources through tsx,
// so that `npx coincide ...` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

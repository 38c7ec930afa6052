/**
 * How tests start the `coincide` command: as a user's shell does, Node with the flags of
 * bin/coincide.js's shebang line (`#!/usr/bin/env -S node --initial-old-space-size=128`), then
 * the script. Spawning `node bin/coincide.js` without them once hid a failure that only the
 * shebang's V8 flag caused (bundled worker threads refused it, and `coincide replay` exited 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './shared.ts';

export const CLI_PATH = join(PROJECT_ROOT, 'bin', 'coincide.js');

/** Node's flags on a `#!/usr/bin/env -S node …` line; throws on any other first line. */
export function shebangNodeFlags(scriptText: string): string[] {
  const firstLine = scriptText.split('\n', 1)[0] ?? '';
  const match = /^#!\S*\/env -S node((?:\s+\S+)*)\s*$/.exec(firstLine);
  if (!match) throw new Error(`not a "#!/usr/bin/env -S node" line: ${firstLine}`);
  return (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
}

/** The arguments of `process.execPath` that run the CLI: the shebang's flags, then the script. */
export const CLI_NODE_ARGS: readonly string[] = [
  ...shebangNodeFlags(readFileSync(CLI_PATH, 'utf8')),
  CLI_PATH,
];

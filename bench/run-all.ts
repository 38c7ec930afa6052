/**
 * `npm run bench`: runs every benchmark in bench/ one after the other (each in its own
 * process, so that one's memory and JIT state do not colour the next), or only those named:
 *   npm run bench -- sky join
 * Benchmarks print figures; they never pass or fail. The soak (an hour by default) and the
 * night (tens of GB of generated alerts) run only when named: `npm run bench -- soak`; join-ab
 * and archive-search-ab need the checkout to compare with (`npx tsx bench/join-ab.ts --baseline DIR`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_PARTS } from './bench-parts.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const ONLY_WHEN_NAMED = ['soak.ts', 'night.ts', 'join-ab.ts', 'archive-search-ab.ts'];
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith('.ts') && name !== 'run-all.ts' && !BENCH_PARTS.includes(name))
  .filter((name) =>
    wanted.length === 0 ? !ONLY_WHEN_NAMED.includes(name) : wanted.includes(name.replace(/\.ts$/, '')),
  )
  .sort();

let failures = 0;
for (const name of benches) {
  process.stdout.write(`\n=== bench/${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${benchDir}${name}`], { stdio: 'inherit' });
  if (result.status !== 0) failures += 1;
}
process.exitCode = failures === 0 ? 0 : 1;

/**
 * `coincide --help` against the target of 0.5 s, with the same-run baseline `node -e 0` (the
 * start of a bare Node process on this machine, now): each run alternates the two, and the
 * medians and their ratio are printed with the load average. `coincide parse --help` (tsx and
 * one command module) is shown beside them for scale.
 *
 *   npx tsx bench/cli-help.ts [--runs 15]        quick profile: --runs 5 (a few seconds)
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { numberArg } from './number-arg.ts';

const runs = numberArg('runs', 15);
const bin = join(import.meta.dirname, '..', 'bin', 'coincide.js');

function timeMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`${args.join(' ')}: exit ${run.status}: ${run.stderr.toString()}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const before = load();
const samples = { node: [] as number[], help: [] as number[], parseHelp: [] as number[] };
for (let i = 0; i < runs; i++) {
  samples.node.push(timeMs(['-e', '0']));
  samples.help.push(timeMs([bin, '--help']));
  samples.parseHelp.push(timeMs([bin, 'parse', '--help']));
}
const node = median(samples.node);
const help = median(samples.help);
const parseHelp = median(samples.parseHelp);
process.stdout.write(
  [
    `runs ${runs} (median wall time of a child process, stdout piped)`,
    `node -e 0                 ${node.toFixed(0)} ms   (same-run baseline)`,
    `coincide --help           ${help.toFixed(0)} ms   ratio ${(help / node).toFixed(2)} × node -e 0   target < 500 ms: ${help < 500 ? 'met' : 'NOT met'}`,
    `coincide parse --help     ${parseHelp.toFixed(0)} ms   ratio ${(parseHelp / node).toFixed(2)} × node -e 0`,
    `load average before ${before}, after ${load()}`,
  ].join('\n') + '\n',
);

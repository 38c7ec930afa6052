/**
 * `npm run fuzz`: every fuzz target (bench/fuzz/targets/) for 100,000 cases each, one after the
 * other, each in its own worker thread under a watchdog (supervise.ts). Prints, per target, the
 * cases run, how many were accepted, the refusals by error code, the findings, the slowest case
 * and the memory, then the load average. Exits 1 when there is any finding.
 *
 *   npm run fuzz                                  # everything, 100,000 cases per target
 *   npm run fuzz -- --cases 5000 voevent gcn-json # some targets, fewer cases
 *   npm run fuzz -- --seed 7                      # another run (cases are reproducible per seed)
 *   npm run fuzz -- --jobs 3                      # three targets at a time
 *
 * Findings: a crash (an error that is not a CoincideError), a CoincideError with an unknown code,
 * a property broken (see each target), a case slower than --slow-ms (1 s), a hang (the watchdog,
 * --watchdog-ms), a thread over its heap cap or the process over its RSS cap.
 */
import { loadavg } from 'node:os';
import { numberArg } from '../number-arg.ts';
import { superviseFuzzTargets, type SupervisedStats } from './supervise.ts';
import { sharedSeedsAvailable } from './seeds.ts';
import { FUZZ_TARGETS } from './targets/index.ts';

const cases = numberArg('cases', 100_000);
const seed = numberArg('seed', 20_261_207);
const slowCaseMs = numberArg('slow-ms', 1000);
const watchdogMs = numberArg('watchdog-ms', 30_000);
const jobs = Math.max(1, Math.floor(numberArg('jobs', 1)));
const optionValues = new Set(
  ['--cases', '--seed', '--slow-ms', '--watchdog-ms', '--jobs'].flatMap((flag) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? [i + 1] : [];
  }),
);
const names = process.argv.slice(2).filter((arg, i) => !arg.startsWith('--') && !optionValues.has(i + 2));
const targets = FUZZ_TARGETS.filter((t) => names.length === 0 || names.includes(t.name));
if (targets.length === 0) throw new Error(`no target among ${names.join(', ')}`);

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const shared = sharedSeedsAvailable();
process.stdout.write(
  `fuzz: ${cases} cases per target, seed ${seed}, slow case > ${slowCaseMs} ms, ${jobs} at a time, load ${load()}\n`,
);
const results: Array<{ name: string; stats: SupervisedStats }> = [];

function report(name: string, covers: string, stats: SupervisedStats): void {
  const refusals = Object.entries(stats.refusals)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const lines = [
    `\n=== ${name}: ${covers}`,
    `seeds ${JSON.stringify(stats.seedCounts)}`,
    `cases ${stats.cases} in ${(stats.totalMs / 1000).toFixed(1)} s (${(stats.cases / (stats.totalMs / 1000)).toFixed(0)}/s): ` +
      `accepted ${stats.accepted}, refused ${stats.cases - stats.accepted - stats.findings.length - stats.findingsDropped}, ` +
      `findings ${stats.findings.length + stats.findingsDropped}`,
    `refusals by code: ${refusals || 'none'}`,
    `max case ${stats.maxCaseMs.toFixed(1)} ms (case ${stats.maxCaseIndex}); heap max ${mb(stats.maxHeapBytes)}, ` +
      `after GC ${mb(stats.heapAfterGcStartBytes)} -> ${mb(stats.heapAfterGcEndBytes)}; process RSS max ${mb(stats.maxRssBytes)}; ` +
      `thread restarts ${stats.restarts}; load ${load()}`,
    ...stats.findings.map(
      (finding) =>
        `  FINDING ${finding.kind} at case ${finding.caseIndex}: ${finding.message}\n    input ${finding.input.slice(0, 600)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// --jobs N runs N targets at a time, each in its own thread (the process RSS cap is shared).
const queue = [...targets];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
      const stats = (
        await superviseFuzzTargets([target.name], {
          cases,
          seed,
          sharedSeeds: shared,
          slowCaseMs,
          watchdogMs,
          // One process RSS cap shared by the N threads of --jobs N: 1.5 GB each.
          maxRssBytes: jobs * 1.5 * 1024 ** 3,
        })
      ).get(target.name);
      if (!stats) throw new Error(`${target.name}: no result`);
      results.push({ name: target.name, stats });
      report(target.name, target.covers, stats);
    }
  }),
);
results.sort(
  (a, b) => targets.findIndex((t) => t.name === a.name) - targets.findIndex((t) => t.name === b.name),
);

process.stdout.write('\ntarget              cases  accepted   refused  findings  max case ms  heap max MB\n');
for (const { name, stats } of results) {
  const findings = stats.findings.length + stats.findingsDropped;
  process.stdout.write(
    `${name.padEnd(18)}${String(stats.cases).padStart(7)}${String(stats.accepted).padStart(10)}` +
      `${String(stats.cases - stats.accepted - findings).padStart(10)}${String(findings).padStart(10)}` +
      `${stats.maxCaseMs.toFixed(1).padStart(13)}${(stats.maxHeapBytes / 2 ** 20).toFixed(0).padStart(13)}\n`,
  );
}
process.stdout.write(`load average ${load()}\n`);
process.exitCode = results.some((r) => r.stats.findings.length > 0) ? 1 : 0;

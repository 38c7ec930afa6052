/**
 * The one test command (`npm test`): node's test runner over test/**\/*.test.ts through tsx.
 *
 * It starts the real local Kafka broker once for the whole run (unless --no-kafka), exports
 * its address as COINCIDE_TEST_KAFKA_BROKERS, runs the tests, then stops the broker. The last
 * line printed is "tests: N passed, N failed, N skipped".
 *
 *   npm test                      # everything
 *   npm test -- --no-kafka        # skip the broker (Kafka tests then report themselves skipped)
 *   npm test -- --no-python       # do not build .venv when it is missing (peer tests then skip)
 *   npm test -- test/vtp          # only the files under a path
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Longest a single test or hook may run (COINCIDE_TEST_TIMEOUT_MS), ms: the crash and soak-like tests take minutes on a loaded 2-core machine. */
const testTimeoutMs = Number(process.env.COINCIDE_TEST_TIMEOUT_MS) || 15 * 60_000;
/** Longest the whole run may take (COINCIDE_TEST_WALL_MIN), min: below CI's 90-minute limit, so a hang reports. */
const wallLimitMin = Number(process.env.COINCIDE_TEST_WALL_MIN) || 80;

function findTestFiles(path: string): string[] {
  const stats = statSync(path);
  if (stats.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => findTestFiles(join(path, name)));
}

interface RunOptions {
  withKafka: boolean;
  withPython: boolean;
  paths: string[];
}

function parseArgs(argv: string[]): RunOptions {
  const withKafka = !argv.includes('--no-kafka');
  const withPython = !argv.includes('--no-python');
  const paths = argv.filter((arg) => !arg.startsWith('--'));
  return { withKafka, withPython, paths: paths.length > 0 ? paths : ['test'] };
}

/**
 * On a fresh clone `npm test` builds .venv itself (Comet, pygcn and the reference libraries,
 * from PyPI), as it fetches the Kafka jars, so that the two README commands run everything.
 * When that fails (no network), the peer tests say they were skipped (and fail under CI).
 */
function ensurePythonEnvironment(withPython: boolean): void {
  if (!withPython) return;
  const python = join(projectRoot, '.venv', 'bin', 'python');
  const hasPeers = existsSync(join(projectRoot, '.venv', 'bin', 'comet-sendvo'));
  const hasReference =
    existsSync(python) &&
    spawnSync(python, [
      '-c',
      'import ligo.skymap, mocpy, healpy, astropy_healpix, fastavro, ligo.raven, fink_client, confluent_kafka',
    ]).status === 0;
  if (hasPeers && hasReference) return;
  process.stderr.write('run-tests: building .venv (scripts/setup-python.sh --reference)\n');
  const run = spawnSync(join(projectRoot, 'scripts', 'setup-python.sh'), ['--reference'], {
    cwd: projectRoot,
    stdio: ['ignore', 2, 2],
  });
  if (run.status !== 0)
    process.stderr.write('run-tests: could not build .venv; the Python peer tests will skip\n');
}

interface TestBroker {
  bootstrap: string;
  stop(): Promise<void>;
}

async function startBrokerIfWanted(withKafka: boolean): Promise<TestBroker | undefined> {
  if (!withKafka) return undefined;
  const { startTestBroker } = await import('./kafka/test-broker.ts');
  const broker: TestBroker = await startTestBroker();
  return broker;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const files = options.paths
    .flatMap((p) => findTestFiles(join(projectRoot, p)))
    .map((f) => relative(projectRoot, f));
  if (files.length === 0) {
    process.stderr.write('run-tests: no test files found\n');
    return 1;
  }
  ensurePythonEnvironment(options.withPython);
  const broker = await startBrokerIfWanted(options.withKafka);
  const env = { ...process.env };
  if (broker) env.COINCIDE_TEST_KAFKA_BROKERS = broker.bootstrap;
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=2',
        // A test (or hook) that hangs fails after this, instead of running into CI's 90-minute limit.
        `--test-timeout=${testTimeoutMs}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/summary-reporter.mjs',
        '--test-reporter-destination=stdout',
        ...files,
      ],
      { cwd: projectRoot, env, stdio: 'inherit' },
    );
    // And a whole run that hangs outside any test (a file's top level) is stopped here.
    const watchdog = setTimeout(() => {
      process.stderr.write(`run-tests: the run exceeded ${wallLimitMin} minutes; stopping it\n`);
      child.kill('SIGKILL');
    }, wallLimitMin * 60_000);
    return await new Promise<number>((resolve) =>
      child.on('exit', (code, signal) => {
        clearTimeout(watchdog);
        resolve(code ?? (signal ? 1 : 0));
      }),
    );
  } finally {
    await broker?.stop();
  }
}

process.exitCode = await main();

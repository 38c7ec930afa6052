import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BUNDLED_COMMANDS, commandBundle, manifestPath } from '../../bin/cli-bundle.js';
import { stampFiles, stampsMatch } from '../../bin/source-stamps.js';
import { COMMAND_LOADERS } from '../../src/cli/commands.ts';
import { PROJECT_ROOT, samplePath, skipUnlessShared } from '../helpers/shared.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-bundle-'));
// Bundles are kept only inside the project's node_modules (bin/cli-bundle.js says why).
const cacheRoot = join(PROJECT_ROOT, 'node_modules', '.cache');
mkdirSync(cacheRoot, { recursive: true });
const caches = mkdtempSync(join(cacheRoot, 'coincide-cli-test-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(caches, { recursive: true, force: true });
});

interface Manifest {
  inputs: Array<[string, string, (number | null)?, number?]>;
  dir: string;
}

describe('command bundles (bin/cli-bundle.js)', () => {
  test('each bundled command names the module and export its loader gives', async () => {
    for (const [command, spec] of Object.entries(BUNDLED_COMMANDS)) {
      const loader = COMMAND_LOADERS[command];
      assert.ok(loader, command);
      const module = (await import(join(PROJECT_ROOT, spec.module))) as Record<string, unknown>;
      assert.equal(module[spec.export], await loader(), command);
      if (spec.early) {
        const early = (await import(join(PROJECT_ROOT, spec.early.module))) as Record<string, unknown>;
        assert.equal(typeof early[spec.early.export], 'function', `${command}: its early function`);
      }
    }
  });

  test('built once, reused while the sources are unchanged, built again when one changed', async () => {
    const cacheDir = join(caches, 'cache');
    const first = await commandBundle('replay', { cacheDir, env: {} });
    assert.ok(first, 'built');
    assert.ok(existsSync(first));
    const manifestFile = manifestPath(cacheDir, 'replay');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const sources = manifest.inputs.map(([path]) => path);
    assert.ok(sources.includes(join(PROJECT_ROOT, 'src/cli/replay.ts')));
    assert.ok(sources.includes(join(PROJECT_ROOT, 'src/replay/replay.ts')));
    assert.ok(!sources.some((path) => path.includes('/node_modules/')), 'packages are not bundled');
    assert.ok(!sources.includes(join(PROJECT_ROOT, 'src/cli/serve.ts')), 'only what the command imports');
    assert.equal((await commandBundle('replay', { cacheDir, env: {} }))?.href, first.href, 'reused');
    // Every source's time and size are recorded (none was modified in the last seconds).
    for (const [, , mtimeMs, size] of manifest.inputs.slice(0, -1)) {
      assert.equal(typeof mtimeMs, 'number');
      assert.equal(typeof size, 'number');
    }
    // A source touched (as a checkout may) but with the same content: read, hashed, still reused.
    const [path, digest] = manifest.inputs[0]!;
    manifest.inputs[0] = [path, digest, 1, 0];
    writeFileSync(manifestFile, JSON.stringify(manifest));
    assert.equal((await commandBundle('replay', { cacheDir, env: {} }))?.href, first.href, 'reused');
    // A source "changed": its time no longer matches, nor its digest.
    manifest.inputs[0] = [path, '0'.repeat(64), 1, 0];
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const second = await commandBundle('replay', { cacheDir, env: {} });
    assert.ok(second);
    assert.notEqual(second.href, first.href, 'built again');
    assert.ok(existsSync(first), 'the older bundle stays for processes that may still run from it');
    assert.equal(readdirSync(cacheDir).filter((name) => name.startsWith('replay-')).length, 2);
  });

  test('none for other commands, when turned off, or in a folder that cannot be written or is outside node_modules', async () => {
    const cacheDir = join(caches, 'cache-2');
    assert.equal(await commandBundle('serve', { cacheDir, env: {} }), undefined);
    assert.equal(await commandBundle('replay', { cacheDir, env: { COINCIDE_CLI_BUNDLE: '0' } }), undefined);
    const blocker = join(caches, 'a-file');
    writeFileSync(blocker, '');
    assert.equal(await commandBundle('replay', { cacheDir: join(blocker, 'cache'), env: {} }), undefined);
    // Outside the project's node_modules, packages would not resolve from the bundle.
    assert.equal(await commandBundle('replay', { cacheDir: join(dir, 'elsewhere'), env: {} }), undefined);
    assert.ok(!existsSync(join(dir, 'elsewhere')));
  });
});

describe('source stamps (bin/source-stamps.js)', () => {
  const file = join(dir, 'stamped.ts');

  test('a file is unchanged while its time and size are, and otherwise while its content is', () => {
    // Whole seconds, so that a time put back is exactly the one recorded.
    const t0 = 1_700_000_000;
    writeFileSync(file, 'export const a = 1;\n');
    utimesSync(file, t0, t0);
    const [stamp] = stampFiles([file]);
    assert.equal(stamp?.[2], t0 * 1000);
    assert.equal(stamp?.[3], 20);
    assert.ok(stampsMatch([stamp]));
    // Touched, same content: hashed, unchanged.
    utimesSync(file, t0 + 5, t0 + 5);
    assert.ok(stampsMatch([stamp]));
    // Rewritten at the same size: a new time, the content hashed, changed.
    writeFileSync(file, 'export const a = 2;\n');
    assert.equal(stampsMatch([stamp]), false);
    // Rewritten, same size, its old time put back: taken as unchanged (the trade-off, as make and git make it).
    utimesSync(file, t0, t0);
    assert.ok(stampsMatch([stamp]));
    rmSync(file);
    assert.equal(stampsMatch([stamp]), false, 'gone');
    assert.equal(stampsMatch('not stamps'), false);
    assert.equal(stampsMatch([[file]]), false);
  });

  test('a file modified in the last seconds gets no time, so a rewrite within the same clock tick is seen', () => {
    writeFileSync(file, 'export const b = 1;\n');
    const [stamp] = stampFiles([file]);
    assert.equal(stamp?.[2], null);
    assert.ok(stampsMatch([stamp]));
    const { mtime } = statSync(file);
    writeFileSync(file, 'export const b = 2;\n');
    utimesSync(file, mtime, mtime);
    assert.equal(stampsMatch([stamp]), false);
    // Stamps without time or size (older manifests) are hashed.
    writeFileSync(file, 'export const b = 1;\n');
    assert.ok(stampsMatch([[stamp[0], stamp[1]]]));
  });
});

describe('coincide replay from its bundle', { skip: skipUnlessShared() }, () => {
  function replay(args: string[], env: NodeJS.ProcessEnv) {
    return spawnSync(process.execPath, [...CLI_NODE_ARGS, 'replay', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env },
    });
  }

  test('writes the same bytes as through tsx: notices with a sky map, alert files in decode threads', () => {
    const inputs = [
      samplePath('gcn-json/igwn/initial.txt'),
      samplePath('gcn-json/igwn/update.txt'),
      samplePath('voevent/grb'),
      samplePath('ztf-avro'),
      samplePath('lsst-avro'),
    ];
    const cacheDir = join(caches, 'cli-cache');
    const outBundle = join(dir, 'bundle.jsonl');
    const outTsx = join(dir, 'tsx.jsonl');
    const bundled = replay(['--threads', '2', '--out', outBundle, ...inputs], {
      COINCIDE_CLI_BUNDLE_DIR: cacheDir,
    });
    assert.ok(existsSync(manifestPath(cacheDir, 'replay')), 'the replay ran from a bundle built there');
    const tsx = replay(['--threads', '2', '--out', outTsx, ...inputs], { COINCIDE_CLI_BUNDLE: '0' });
    assert.equal(bundled.status, tsx.status, bundled.stderr);
    assert.equal(bundled.stderr, tsx.stderr);
    assert.match(bundled.stderr, /coincide replay: \d+ documents, \d+ notices, [1-9]\d* alerts/);
    assert.equal(readFileSync(outBundle, 'utf8'), readFileSync(outTsx, 'utf8'));
    // A second run uses the bundle built by the first.
    const again = replay(['--threads', '2', ...inputs], { COINCIDE_CLI_BUNDLE_DIR: cacheDir });
    assert.equal(again.stdout, readFileSync(outTsx, 'utf8'));
    assert.equal(readdirSync(cacheDir).filter((name) => name.startsWith('replay-')).length, 1);
  });
});

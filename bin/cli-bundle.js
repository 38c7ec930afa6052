// Commands run from a plain-JavaScript bundle of their modules instead of through tsx (issue 14:
// `coincide replay` is a short-lived process, and loading it through tsx cost ~0.5 s of CPU:
// tsx's loader thread, one round trip to it per module, and compiling each module's TypeScript).
//
// A bundle is built by esbuild from the command's module and everything it imports from this
// project (packages stay imports, by the URL they resolve to from the sources), split into chunks so
// that what the command imports lazily (e.g. replay's time slides) is still loaded only when used.
// It is kept on disk in node_modules/.cache/coincide-cli/ with a stamp of every source file that
// went into it (sha256, modification time and size: bin/source-stamps.js) and the esbuild
// version, and used only while all of them are unchanged (checked at each start by a stat of each
// source, reading and hashing only those whose time or size moved). Otherwise it is built again (a
// few hundred ms, once) and the new one used. Any failure (no esbuild, a folder that cannot be
// written, a source that does not build) returns undefined: bin/coincide.js then runs the command
// through tsx, as every other command, and tsx reports a source's errors as usual.
//
// Each module's own location stays its source file's: import.meta.url, .dirname and .filename
// are replaced, file by file, by the values they have in the source (schemas, fixtures, thread
// modules are found next to the source files, as under tsx).
//
// import.meta.resolve is left as it is: it resolves from the bundle's own folder, which is why
// bundles are kept only inside the project's node_modules (a package then resolves to the same
// file as from the sources; e.g. worker-thread.ts resolves tsx and thread bundles' packages so).
//
// COINCIDE_CLI_BUNDLE=0 in the environment runs every command through tsx; COINCIDE_CLI_BUNDLE_DIR
// names another folder for the bundles, inside the project's node_modules (tests).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { sha256, stampFiles, stampsMatch } from './source-stamps.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The commands run from a bundle: the module (from the project root) and its export; `early`, a
 * function the bundle's entry calls with the command line before it loads the command's modules
 * (replay: starts its decode threads, whose start-up then overlaps the modules' loading).
 */
export const BUNDLED_COMMANDS =
  /** @type {Readonly<Record<string, { module: string; export: string; early?: { module: string; export: string } }>>} */ ({
    replay: {
      module: 'src/cli/replay.ts',
      export: 'replayCommand',
      early: { module: 'src/replay/early-threads.ts', export: 'startEarlyDecodeThreads' },
    },
  });

const NODE_MODULES = join(ROOT, 'node_modules');
export const DEFAULT_CACHE_DIR = join(NODE_MODULES, '.cache', 'coincide-cli');
/** A bundle folder no manifest names any more is removed once this old (a process may still run from it). */
const STALE_MS = 24 * 3600 * 1000;

/**
 * @typedef {{ root: string; esbuild: string; inputs: import('./source-stamps.js').Stamp[]; dir: string; entry: string }} Manifest
 */

/**
 * Where the command's manifest is: one per checkout (two checkouts may share node_modules by a link).
 * @param {string} cacheDir
 * @param {string} command
 */
export function manifestPath(cacheDir, command) {
  return join(cacheDir, `${command}.${sha256(ROOT).slice(0, 16)}.json`);
}

/**
 * The entry of the command's cached bundle, when built by esbuild `version` from unchanged sources.
 * @param {string} cacheDir
 * @param {string} command
 * @param {string} version
 * @returns {URL | undefined}
 */
function cachedEntry(cacheDir, command, version) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- JSON.parse is untyped in JS; the cast says what it is
    const manifest = /** @type {Manifest} */ (
      JSON.parse(readFileSync(manifestPath(cacheDir, command), 'utf8'))
    );
    // The root too: a checkout whose node_modules is another's (a link) shares its cache folder.
    if (manifest.root !== ROOT || manifest.esbuild !== version || !stampsMatch(manifest.inputs))
      return undefined;
    const entry = join(cacheDir, manifest.dir, manifest.entry);
    if (!statSync(entry).isFile()) return undefined;
    return pathToFileURL(entry);
  } catch {
    return undefined;
  }
}

/**
 * The esbuild entry of a command: run-cli.ts with that one command.
 * @param {string} command
 */
function entrySource(command) {
  const spec = BUNDLED_COMMANDS[command];
  if (!spec) throw new Error(`${command} has no bundle`);
  // Imports are evaluated in order, before the body: the early module first, and run-cli.ts loads
  // little (yargs and the command's modules are loaded when runMain runs).
  const early = spec.early
    ? [
        `import { ${spec.early.export} as early } from ${JSON.stringify(`./${spec.early.module}`)};`,
        `early(process.argv.slice(2));`,
      ]
    : [];
  return [
    ...early,
    `import { runMain } from './src/cli/run-cli.ts';`,
    `await runMain({ ${JSON.stringify(command)}: async () => (await import(${JSON.stringify(`./${spec.module}`)}))[${JSON.stringify(spec.export)}] });`,
  ].join('\n');
}

/** The name of the generated entry module (esbuild's stdin). */
const ENTRY_NAME = 'coincide-command.js';
/** Names bound, in every project module of a bundle, to its own source location. */
const OWN_URL = '__coincideSourceUrl';
const OWN_DIRNAME = '__coincideSourceDirname';
const OWN_FILENAME = '__coincideSourceFilename';

/**
 * Builds the command's bundle into a new folder of `cacheDir` and records it; its entry, or
 * undefined when it could not be built or stored.
 * @param {string} cacheDir
 * @param {string} command
 * @param {string} version
 * @returns {Promise<URL | undefined>}
 */
async function buildBundle(cacheDir, command, version) {
  mkdirSync(cacheDir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- require() is untyped in JS; the cast says what it is
  const esbuild = /** @type {typeof import('esbuild')} */ (require('esbuild'));
  const dir = `${command}-${randomBytes(6).toString('hex')}`;
  const outdir = join(cacheDir, dir);
  const result = await esbuild.build({
    stdin: {
      contents: entrySource(command),
      resolveDir: ROOT,
      sourcefile: ENTRY_NAME,
      loader: 'js',
    },
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir,
    metafile: true,
    logLevel: 'silent',
    define: {
      'import.meta.url': OWN_URL,
      'import.meta.dirname': OWN_DIRNAME,
      'import.meta.filename': OWN_FILENAME,
    },
    plugins: [
      {
        name: 'own-source-location',
        setup(build) {
          // Packages stay imports, by absolute URL (resolved as from the sources: import
          // conditions, the project's node_modules), so that the bundle runs from any folder.
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            isBuiltin(args.path) ? undefined : { path: import.meta.resolve(args.path), external: true },
          );
          // Every module bundled is the project's: packages are external.
          build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            // On the first line, so that line numbers stay the source's. Unused ones are dropped.
            const own =
              `const ${OWN_URL} = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
              `${OWN_DIRNAME} = ${JSON.stringify(dirname(args.path))}, ${OWN_FILENAME} = ${JSON.stringify(args.path)}; `;
            return { contents: own + text, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
          });
        },
      },
    ],
  });
  // Metafile paths are relative to absWorkingDir; the entry (stdin) goes by its sourcefile name.
  const entry = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint === ENTRY_NAME,
  )?.[0];
  if (entry === undefined) return undefined;
  // The lock file too: the packages' URLs were resolved against what it installed.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => input !== ENTRY_NAME)
    .map((input) => resolve(ROOT, input))
    .concat(join(ROOT, 'package-lock.json'));
  /** @type {Manifest} */
  const manifest = {
    root: ROOT,
    esbuild: version,
    inputs: stampFiles(inputs),
    dir,
    entry: resolve(ROOT, entry).slice(outdir.length + sep.length),
  };
  const path = manifestPath(cacheDir, command);
  const temporary = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(temporary, JSON.stringify(manifest));
  renameSync(temporary, path);
  removeStale(cacheDir, command, dir);
  return pathToFileURL(join(outdir, manifest.entry));
}

/**
 * @param {string} cacheDir
 * @param {string} command
 * @param {string} keep
 */
function removeStale(cacheDir, command, keep) {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith(`${command}-`) || name === keep) continue;
    try {
      const path = join(cacheDir, name);
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove: left.
    }
  }
}

/**
 * The entry module of `command`'s bundle, built now if there is none for the current sources;
 * undefined when the command has no bundle, bundles are turned off, or it cannot be built.
 * @param {string} command
 * @param {{ cacheDir?: string; env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<URL | undefined>}
 */
export async function commandBundle(command, options = {}) {
  const env = options.env ?? process.env;
  if (!Object.hasOwn(BUNDLED_COMMANDS, command) || env.COINCIDE_CLI_BUNDLE === '0') return undefined;
  const cacheDir = resolve(options.cacheDir ?? (env.COINCIDE_CLI_BUNDLE_DIR || DEFAULT_CACHE_DIR));
  // Elsewhere, import.meta.resolve would not find the project's packages (see the top).
  if (!cacheDir.startsWith(NODE_MODULES + sep)) return undefined;
  try {
    /** @type {{ version: string }} */
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- JSON.parse is untyped in JS; the type says what it is
    const esbuildPackage = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8'));
    const version = esbuildPackage.version;
    return cachedEntry(cacheDir, command, version) ?? (await buildBundle(cacheDir, command, version));
  } catch {
    return undefined;
  }
}

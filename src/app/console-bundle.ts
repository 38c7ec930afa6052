/**
 * The browser console's script, bundled from web/ at serve time with esbuild (no build step:
 * `npm ci && npx coincide serve` is enough, and the page never goes stale against the source).
 * Built once, on first use (the service starts the build in the background), then served from
 * memory. d3-geo and d3-geo-projection are bundled in: the page loads nothing from elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export interface ConsoleAssets {
  html: string;
  /** The console (web/main.ts). */
  js: string;
  css: string;
}

export async function bundleConsole(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: { app: `${WEB_DIR}main.ts` },
    outdir: 'console',
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = (name: string): string => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`/console/${name}.js`));
    if (file === undefined) throw new Error(`web console: esbuild made no ${name}.js`);
    return file.text;
  };
  const [html, css] = await Promise.all([
    readFile(`${WEB_DIR}index.html`, 'utf8'),
    readFile(`${WEB_DIR}style.css`, 'utf8'),
  ]);
  return { html, js: script('app'), css };
}

/** Bundles once; a failed build is retried at the next request. */
export function createConsoleAssets(
  bundle: () => Promise<ConsoleAssets> = bundleConsole,
): () => Promise<ConsoleAssets> {
  let assets: Promise<ConsoleAssets> | undefined;
  return () => {
    assets ??= bundle().catch((error: unknown) => {
      assets = undefined;
      throw error;
    });
    return assets;
  };
}

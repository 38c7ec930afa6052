/**
 * The README's pictures (docs/console.png, docs/skymap-plot.png) are made by the tests that check
 * what they show, but a test run must not modify tracked files: the tests write their pictures
 * as artefacts, and copy them over the documentation's only when asked to:
 *
 *   COINCIDE_REFRESH_DOCS=1 npx tsx scripts/run-tests.ts --no-kafka test/web/console-browser.test.ts test/plot/sky-plot.test.ts
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './shared.ts';

export const REFRESH_DOCS_ENV = 'COINCIDE_REFRESH_DOCS';

/** Copies `source` to docs/`name` when COINCIDE_REFRESH_DOCS=1; returns whether it did. */
export function refreshDocImage(
  source: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  docsDir = join(PROJECT_ROOT, 'docs'),
): boolean {
  if (env[REFRESH_DOCS_ENV] !== '1') return false;
  mkdirSync(docsDir, { recursive: true });
  copyFileSync(source, join(docsDir, name));
  return true;
}

/**
 * A real headless Chromium (Debian's `chromium` package, /usr/bin/chromium, which .ci/run
 * installs) driven by playwright-core through its executable path: nothing is downloaded.
 * Tests that need it skip when it is missing, and fail instead under CI.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROJECT_ROOT } from './shared.ts';

export const CHROMIUM_PATH = process.env.COINCIDE_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots and other browser test artefacts (not committed). */
export const ARTIFACTS_DIR = join(PROJECT_ROOT, 'test-artifacts');

export function skipUnlessChromium(): false | string {
  if (existsSync(CHROMIUM_PATH)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is required in CI (apt-get install chromium)`);
  return `skipped: ${CHROMIUM_PATH} is missing (apt-get install chromium)`;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'coincide-chromium-'));
  // A fresh profile each time: playwright passes it to Chromium as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

/**
 * The README's live walkthrough, run as written: the shell block between the
 * `<!-- walkthrough -->` markers of README.md is read from the README itself (so the README
 * cannot drift from what is tested) and run by bash in a copy of the repository's top level
 * (symlinks, so `./coincide.db` is a fresh file), with two changes only: the well-known ports
 * become free ones (`localhost:8080` and `localhost:8098` in the text, and the service's ports
 * through COINCIDE_* environment variables, which the README's commands do not set), and the
 * service listens on loopback only. Then: `coincide listen` prints a GW×GRB coincidence and a
 * GW×optical one (the kilonova), and the web console shows both in real Chromium.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import type { Coincidence } from '../../src/join/coincidence.ts';
import { explainCoincidence } from '../../src/join/explain.ts';
import { artifactPath, launchChromium, skipUnlessChromium } from '../helpers/browser.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

/** The shell lines between `<!-- walkthrough -->` and `<!-- /walkthrough -->` in README.md. */
export function walkthroughCommands(readme: string): string {
  const block = /<!-- walkthrough -->\s*```sh\n([\s\S]*?)```\s*<!-- \/walkthrough -->/.exec(readme);
  if (!block?.[1]) throw new Error('README.md has no <!-- walkthrough --> sh block');
  return block[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface StreamLine {
  type?: string;
  data?: {
    pairType?: string;
    status?: string;
    trigger?: { triggerId?: string };
    counterpart?: { triggerId?: string; objectId?: string };
  };
}

describe('README live walkthrough', () => {
  it('run as written, shows a GW×GRB and a GW×optical coincidence in listen and in the console', async () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const commands = walkthroughCommands(readme);
    assert.match(commands, /coincide serve/);
    assert.match(commands, /coincide send fixtures\/walkthrough\/\*\.xml/);
    const [http, receive, broadcast] = [await freePort(), await freePort(), await freePort()];
    const script = commands
      .replaceAll('localhost:8080', `localhost:${http}`)
      .replaceAll('localhost:8098', `localhost:${receive}`);
    assert.notEqual(script, commands, 'the walkthrough names the ports 8080 and 8098');

    const dir = mkdtempSync(join(tmpdir(), 'coincide-walkthrough-'));
    for (const name of readdirSync(PROJECT_ROOT)) {
      if (name.startsWith('coincide.db') || name === '.git' || name === 'test-artifacts') continue;
      symlinkSync(join(PROJECT_ROOT, name), join(dir, name));
    }
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env))
      if (!key.startsWith('COINCIDE_')) env[key] = value;
    Object.assign(env, {
      COINCIDE_HTTP_PORT: String(http),
      COINCIDE_RECEIVE_PORT: String(receive),
      COINCIDE_BROADCAST_PORT: String(broadcast),
      COINCIDE_LISTEN_HOST: '127.0.0.1',
    });
    // set -e: a failing command fails the run; the token is printed last for the console check.
    const shell = spawn('bash', ['-c', `set -e\n${script}\nprintf 'walkthrough-token %s\\n' "$TOKEN"\n`], {
      cwd: dir,
      env,
      detached: true, // its own process group: serve and listen are killed with it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const stderr: string[] = [];
    createInterface({ input: shell.stderr }).on('line', (line) => stderr.push(line));
    let token = '';
    const found = { gwGrb: false, gwOptical: false };
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no coincidences in time; stdout:\n${output.join('\n')}\nstderr:\n${stderr.slice(-30).join('\n')}`,
          ),
        );
      }, 240_000);
      // The token line may come before or after the coincidences (listen prints as they arrive).
      const resolveWhenComplete = (): void => {
        if (found.gwGrb && found.gwOptical && token !== '') {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: shell.stdout }).on('line', (line) => {
        output.push(line);
        if (line.startsWith('walkthrough-token ')) {
          token = line.slice('walkthrough-token '.length);
          resolveWhenComplete();
          return;
        }
        let message: StreamLine;
        try {
          message = JSON.parse(line) as StreamLine;
        } catch {
          return;
        }
        const c = message.data;
        if (message.type !== 'coincidence' || c?.status !== 'candidate') return;
        if (c.trigger?.triggerId !== 'LVK:S170817dm') return;
        if (c.pairType === 'mm-mm' && c.counterpart?.triggerId === 'Fermi:524666471') found.gwGrb = true;
        if (c.pairType === 'mm-optical' && c.counterpart?.objectId === 'ZTF17aagfokn') found.gwOptical = true;
        resolveWhenComplete();
      });
      shell.once('exit', (code) => {
        if (code !== 0) {
          clearTimeout(timer);
          reject(new Error(`the walkthrough exited ${code}; stderr:\n${stderr.slice(-30).join('\n')}`));
        }
      });
    });
    try {
      await done;
      // Both sent notices were acked.
      assert.equal(output.filter((line) => / ack ivo:\/\//.test(line)).length, 2);

      const skip = skipUnlessChromium();
      if (skip !== false) {
        process.stderr.write(`walkthrough: console check ${skip}\n`);
        return;
      }
      const chromium = await launchChromium();
      try {
        const page = await chromium.context.newPage();
        await page.goto(`http://127.0.0.1:${http}/`);
        await page.fill('#token', token);
        await page.click('#token-form button');
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
        await page.waitForSelector('tr.coincidence >> text=ZTF17aagfokn');
        await page.waitForSelector('tr.coincidence >> text=Fermi:524666471');
        await page.waitForSelector('svg.sky g.region[data-trigger="LVK:S170817dm"] path');
        await page.screenshot({ path: artifactPath('walkthrough-console.png'), fullPage: true });

        // The trigger page explains each coincidence with coincide explain's sections.
        const served = (await (
          await fetch(`http://127.0.0.1:${http}/v1/coincidences?limit=100`, {
            headers: { Authorization: `Bearer ${token}` },
          })
        ).json()) as Array<{ data: Coincidence }>;
        const gwGrb = served.map((r) => r.data).find((c) => c.pairType === 'mm-mm');
        assert.ok(gwGrb);
        const expected = explainCoincidence(gwGrb);
        await page.goto(`http://127.0.0.1:${http}/triggers/${encodeURIComponent('LVK:S170817dm')}`);
        const section = page.locator(`section.coincidence[id="${gwGrb.id}"]`);
        await section.locator('.explanation').waitFor();
        assert.deepEqual(
          await section.locator('.explanation h4').allTextContents(),
          expected.sections.map((s) => s.heading),
        );
        assert.deepEqual(
          await section.locator('.explanation li').allTextContents(),
          expected.sections.flatMap((s) => s.lines),
        );
        await page.screenshot({ path: artifactPath('walkthrough-trigger.png'), fullPage: true });
      } finally {
        await chromium.close();
      }
    } finally {
      if (shell.pid !== undefined) {
        try {
          process.kill(-shell.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        await new Promise((resolve) => setTimeout(resolve, 3000));
        try {
          process.kill(-shell.pid, 'SIGKILL');
        } catch {
          // every process of the group exited on SIGTERM
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The top level of the command line (bin/cli-top-level.js): its COMMANDS table says what each
 * command module says, and help piped to another program is wrapped at 80 columns without a
 * word cut in two (yargs' ES-module build cut "OpticalAlert" into "OpticalAler" / "t").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { COMMANDS, helpWidth } from '../../bin/cli-top-level.js';
import { COMMAND_LOADERS } from '../../src/cli/commands.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

function coincide(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...CLI_NODE_ARGS, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'], // piped: not a terminal
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every word of `text` is a whole word of `help` (a cut word would be two halves). */
function assertWordsIntact(help: string, text: string): void {
  const words = new Set(help.split(/\s+/));
  for (const word of text.split(/\s+/)) assert.ok(words.has(word), `"${word}" is not whole in:\n${help}`);
}

describe('coincide help', () => {
  it('lists the same usage and description as each command module', async () => {
    assert.deepEqual(Object.keys(COMMANDS).sort(), Object.keys(COMMAND_LOADERS).sort());
    for (const [name, load] of Object.entries(COMMAND_LOADERS)) {
      const command = await load();
      assert.equal(command.command, COMMANDS[name]?.command, name);
      assert.equal(command.describe, COMMANDS[name]?.describe, name);
    }
  });

  it('piped, wraps at 80 columns at word boundaries (top level and a command)', () => {
    assert.equal(helpWidth({ isTTY: false }), 80);
    assert.equal(helpWidth({ isTTY: true, columns: 200 }), 120);
    const top = coincide(['--help']);
    assert.equal(top.code, 0);
    for (const line of top.stdout.split('\n')) assert.ok(line.length <= 80, line);
    for (const { describe: text } of Object.values(COMMANDS)) assertWordsIntact(top.stdout, text);

    const parse = coincide(['parse', '--help']);
    assert.equal(parse.code, 0);
    for (const line of parse.stdout.split('\n')) assert.ok(line.length <= 80, line);
    assertWordsIntact(parse.stdout, COMMANDS.parse?.describe ?? '');
  });

  it('a mistyped command: one line, exit 2, with the suggestion', () => {
    const typo = coincide(['pasre', 'x.xml']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, '');
    assert.match(typo.stderr, /^coincide: .*parse/);
    assert.equal(typo.stderr.trim().split('\n').length, 1);
  });
});

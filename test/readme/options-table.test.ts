/**
 * The README's configuration table lists every option of src/config/options.ts, with its
 * environment variable and flag: an option added without its row (as the schema-registry URL
 * was) fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OPTION_SPECS } from '../../src/config/options.ts';

const README = new URL('../../README.md', import.meta.url);

/** The README's table rows, by option path: the cells between the pipes, trimmed. */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const cells = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (!cells?.[1]) continue;
    rows.set(
      cells[1],
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('README configuration table', () => {
  it('has a row for every option, with its environment variable and flag', () => {
    const rows = tableRows(readFileSync(README, 'utf8'));
    const wrong: string[] = [];
    for (const spec of OPTION_SPECS) {
      const row = rows.get(spec.path);
      if (!row) {
        wrong.push(`${spec.path}: no row`);
        continue;
      }
      if (row[1] !== `\`${spec.env}\``)
        wrong.push(`${spec.path}: environment ${row[1] ?? ''}, not ${spec.env}`);
      const flag = spec.flag === undefined ? '' : `\`--${spec.flag}\``;
      if (spec.flag !== undefined && row[2] !== flag)
        wrong.push(`${spec.path}: flag ${row[2] ?? ''}, not ${flag}`);
    }
    assert.deepEqual(wrong, []);
  });
});

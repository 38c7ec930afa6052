/**
 * bench/bench-parts.ts lists the files `npm run bench` must not run on their own. Each must be a
 * real part: imported (`from './x.ts'`) or started (its file name in a path) by another file of
 * bench/. A benchmark put on the list by mistake would fail this, since nothing uses it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BENCH_PARTS } from '../../bench/bench-parts.ts';
import { PROJECT_ROOT } from '../helpers/shared.ts';

const benchDir = join(PROJECT_ROOT, 'bench');

describe('bench parts', () => {
  it('lists only files of bench/ that another bench file imports or starts', () => {
    const files = readdirSync(benchDir).filter((name) => name.endsWith('.ts'));
    const texts = new Map(files.map((name) => [name, readFileSync(join(benchDir, name), 'utf8')]));
    for (const part of BENCH_PARTS) {
      assert.ok(files.includes(part), `${part} is not in bench/`);
      const users = files.filter((name) => name !== part && (texts.get(name) ?? '').includes(part));
      assert.ok(users.length > 0, `${part}: no other file of bench/ imports or starts it`);
    }
  });
});

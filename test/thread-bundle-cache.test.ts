import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readCachedBundle, writeCachedBundle } from '../src/thread-bundle-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-bundle-cache-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('thread bundle cache', () => {
  const cache = join(dir, 'cache');
  const a = join(dir, 'a.ts');
  const b = join(dir, 'b.ts');

  test('a bundle is used while its sources and esbuild are unchanged, and only then', () => {
    writeFileSync(a, 'export const a = 1;\n');
    writeFileSync(b, 'export const b = 2;\n');
    assert.equal(readCachedBundle(cache, 'file:///m.ts', '0.28.2'), undefined, 'nothing cached yet');
    writeCachedBundle(cache, 'file:///m.ts', '0.28.2', [a, b], 'code of m');
    assert.equal(readCachedBundle(cache, 'file:///m.ts', '0.28.2'), 'code of m');
    assert.equal(readCachedBundle(cache, 'file:///other.ts', '0.28.2'), undefined, 'another module');
    assert.equal(readCachedBundle(cache, 'file:///m.ts', '0.29.0'), undefined, 'another esbuild');
    writeFileSync(b, 'export const b = 3;\n');
    assert.equal(readCachedBundle(cache, 'file:///m.ts', '0.28.2'), undefined, 'a source changed');
    rmSync(b);
    assert.equal(readCachedBundle(cache, 'file:///m.ts', '0.28.2'), undefined, 'a source is gone');
  });

  test('an unreadable entry or an unwritable folder is a miss, never an error', () => {
    writeFileSync(a, 'export const a = 1;\n');
    writeCachedBundle(cache, 'file:///n.ts', '1', [a], 'code of n');
    const blocker = join(dir, 'file-not-folder');
    writeFileSync(blocker, '');
    writeCachedBundle(join(blocker, 'cache'), 'file:///n.ts', '1', [a], 'code');
    assert.equal(readCachedBundle(join(blocker, 'cache'), 'file:///n.ts', '1'), undefined);
    writeCachedBundle(cache, 'file:///n.ts', '1', [join(dir, 'missing.ts')], 'code');
    assert.equal(readCachedBundle(cache, 'file:///n.ts', '1'), 'code of n', 'a failed write keeps the entry');
    for (const name of readdirSync(cache)) writeFileSync(join(cache, name), '{"esbuild": "1", "inp');
    assert.equal(readCachedBundle(cache, 'file:///n.ts', '1'), undefined, 'a damaged entry');
  });
});

/**
 * `coincide explain`: a record from stdin or a file, a coincidence id from the outbox of a real
 * `coincide serve` database file, and bad input (exit 2, one line).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { createJoinEngine } from '../../src/join/engine.ts';
import { createOutbox } from '../../src/sinks/outbox.ts';
import { openDatabase } from '../../src/store/database.ts';
import { circle, makeNotice } from '../join/make-records.ts';
import { CLI_NODE_ARGS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'coincide-cli-explain-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function pair() {
  const engine = createJoinEngine();
  engine.onNotice(
    makeNotice({
      triggerId: 'LVK:S5',
      messenger: 'gw',
      timeMjd: 60_400,
      farHz: 1e-9,
      region: circle(10, 10, 10),
    }),
  );
  const [c] = engine.onNotice(
    makeNotice({ triggerId: 'Fermi:5', timeMjd: 60_400 + 1 / 86_400, region: circle(12, 9, 4, 0.68) }),
  );
  assert.ok(c);
  return c;
}

describe('coincide explain', () => {
  const c = pair();

  it('explains a record from stdin and from a file', () => {
    const fromStdin = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'explain'], {
      input: JSON.stringify(c),
      encoding: 'utf8',
    });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.match(fromStdin.stdout, new RegExp(`^Coincidence ${c.id}: LVK:S5 × Fermi:5`));
    assert.match(fromStdin.stdout, /FAR_st = FAR_t \/ I_Ω/);
    const file = join(dir, 'record.json');
    writeFileSync(file, JSON.stringify({ type: 'coincidence', seq: 3, data: c }));
    const fromFile = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'explain', file, '--json'], {
      encoding: 'utf8',
    });
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const json = JSON.parse(fromFile.stdout) as { id: string; sections: Array<{ heading: string }> };
    assert.equal(json.id, c.id);
    assert.ok(json.sections.some((s) => s.heading === 'Tier rule'));
  });

  it('finds the latest version of a coincidence by id in the database of coincide serve', () => {
    const path = join(dir, 'serve.db');
    const db = openDatabase({ path });
    const outbox = createOutbox({ db, clock: systemClock });
    outbox.append('coincidence', { ...c, tier: null }, c.trigger.triggerId);
    outbox.append('coincidence', c, c.trigger.triggerId);
    db.close();
    const run = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'explain', c.id, '--db', path], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Tier: ${c.tier ?? 'none'}\\.`));
    const missing = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'explain', '0'.repeat(32), '--db', path], {
      encoding: 'utf8',
    });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^coincide explain: NOT_FOUND: no coincidence 0{32}/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  });

  it('refuses input that is not a coincidence record with exit 2 and one line', () => {
    for (const input of ['not json', '{"kind":"notice"}']) {
      const run = spawnSync(process.execPath, [...CLI_NODE_ARGS, 'explain', '-'], {
        input,
        encoding: 'utf8',
      });
      assert.equal(run.status, 2);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });
});
